// Where a delivered statement's CPU goes (issue 24 item 1), from a V8 CPU
// profile: each sample is charged to one column by walking its stack from
// the leaf up to the first frame a rule claims. The columns follow a
// statement's path through a node:
//
//   decode   frame and statement bytes to values (CBOR, frame shapes, wire-codec open)
//   check    verifying authenticators: crypto reached from the receiving side
//   sign     making authenticators: crypto reached from the sending side
//   store    the known set and its indexes, dedup, held records
//   match    patterns against the known set, instances, the node machine's scan
//   evaluate guards, bodies, values
//   encode   values to canonical bytes, frames
//   log      the node's trace (JSON of events, the log file)
//   send     the reliable link, the transport, sockets
//   timers   the host's timers and Node's timer lists
//   gc       the garbage collector
//   other    the runtime's own bookkeeping (what no rule claims)
//
// Crypto frames are split by what called them: the first frame above the
// crypto call that belongs to the receiving side (Opener, decode, open) makes
// it `check`, one on the sending side (Sealer, seal, encode) makes it `sign`.

import { timeByStack, type CpuProfile, type ProfileFrame } from './profile.js';

export type { CpuProfile, ProfileFrame };

export const COLUMNS = ['decode', 'check', 'sign', 'store', 'match', 'evaluate', 'encode', 'log', 'send', 'timers', 'gc', 'other'] as const;
export type Column = (typeof COLUMNS)[number];
export type ColumnTimes = Record<Column, number>;


const CRYPTO = /^node:internal\/crypto|\/src\/wire\/(auth|floor)\./;
const RECEIVING = /^(open|openFrame|decode|decodeFrame|decodeChecked|decodeStatement|answer|countersign|verify.*|check.*)$/;
const SENDING = /^(seal|sealRelay|signBatch|request|encode|encodeFrame|frame|data|prepare|sign.*|mac.*)$/;

/** Files whose functions both encode and decode: the direction comes from the nearest named caller. */
const TWO_WAY = /\/src\/wire\/(cbor|frame|statement|schema|digest)\.|\/src\/runtime\/(wire-codec|codec)\.|\/node_modules\/(io-ts|fp-ts)\//;
const DECODING = /decode|^item$|^arg$|^take$|^remaining$|^fail$|^isCbor|shape|closed|firstError|valueFrom|recordFrom|principalList|checkSetOrder|expand|^open|rebuilt|validate/i;
const ENCODING = /encode|^result$|writeItem|^head$|^byte|keyBytes|textBytes|canonical|valueCbor|Cbor$|Frame$|^frame$|^ack$|^data$|^seal|^prepare$|^forge|^sign|itemBytes|batchItems|digestForm|recordDigest/i;

function direction(stack: readonly ProfileFrame[], from: number): 'decode' | 'encode' {
  for (let j = from; j < stack.length; j++) {
    const f = stack[j]!;
    if (!TWO_WAY.test(f.url) && !/\/src\/wire\//.test(f.url)) continue;
    if (DECODING.test(f.functionName)) return 'decode';
    if (ENCODING.test(f.functionName)) return 'encode';
  }
  return 'encode';
}

/** Rules over one frame (beside the two-way files), tried in order; the first that claims the frame decides. */
const RULES: readonly ((f: ProfileFrame) => Column | undefined)[] = [
  (f) => (f.functionName === '(garbage collector)' ? 'gc' : undefined),
  (f) => (/\/src\/wire\/open\./.test(f.url) ? 'decode' : undefined),
  (f) => (/\/src\/wire\/seal\.|\/src\/deploy\/resolve\./.test(f.url) ? 'encode' : undefined),
  (f) => (/\/src\/trace\/value-json\.|\/src\/runtime\/node-log\.|^node:internal\/fs\//.test(f.url) || f.functionName === 'stringify' ? 'log' : undefined),
  (f) => (/\/src\/semantics\/known-index\.|\/src\/runtime\/record-store\./.test(f.url) ? 'store' : undefined),
  (f) => (/\/src\/semantics\/(match|instance|node|system|pattern-plan|compiled\/join)\./.test(f.url) ? 'match' : undefined),
  (f) => (/\/src\/semantics\/(eval|body|value|domain|state|compiled\/(expr|body|frame|core))\./.test(f.url) ? 'evaluate' : undefined),
  (f) => (/\/src\/transport\/|\/src\/runtime\/link\.|^node:(net|dgram)$|^node:internal\/(net|stream_base_commons|streams\/|child_process)/.test(f.url) ? 'send' : undefined),
  (f) => (/\/src\/runtime\/host\.|^node:internal\/timers$|^node:timers$/.test(f.url) ? 'timers' : undefined),
];

function columnOfFrame(f: ProfileFrame): Column | undefined {
  for (const rule of RULES) {
    const c = rule(f);
    if (c !== undefined) return c;
  }
  return undefined;
}

/**
 * The column of a stack, given leaf first. A crypto frame is `check` or
 * `sign` by the first caller that tells which side it serves (`check` when
 * none does: a node verifies more than it signs).
 */
export function columnOfStack(stack: readonly ProfileFrame[]): Column | 'idle' {
  for (let i = 0; i < stack.length; i++) {
    const f = stack[i]!;
    // Idle time, and the profiler's own work (stopping it serializes the profile), are not the run's CPU.
    if (f.functionName === '(idle)' || f.url === 'node:inspector') return 'idle';
    if (CRYPTO.test(f.url)) {
      for (let j = i + 1; j < stack.length; j++) {
        const name = stack[j]!.functionName;
        if (RECEIVING.test(name)) return 'check';
        if (SENDING.test(name)) return 'sign';
      }
      return 'check';
    }
    if (TWO_WAY.test(f.url)) return direction(stack, i);
    const c = columnOfFrame(f);
    if (c !== undefined) return c;
  }
  return 'other';
}

/** CPU milliseconds per column in one profile (idle left out). */
export function columnTimes(p: CpuProfile): ColumnTimes {
  return timeByStack(p, Object.fromEntries(COLUMNS.map((c) => [c, 0])) as ColumnTimes, columnOfStack);
}

export function totalOf(t: ColumnTimes): number {
  return COLUMNS.reduce((n, k) => n + t[k], 0);
}
