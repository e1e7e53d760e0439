// Editing recorded node logs for replay tests: read and write a log as JSON
// events, copy a run's logs, and make an edited log's bookkeeping consistent
// again (event numbers, the node's own clock) so that replay judges the
// edited steps rather than the numbering.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Json = Record<string, unknown>;
export type Clock = Record<string, number>;

export const readLog = (dir: string, file: string): Json[] =>
  readFileSync(join(dir, file), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Json);

export function writeLog(dir: string, file: string, events: readonly Json[]): void {
  writeFileSync(join(dir, file), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

/** A fresh copy of a run's logs under `root`. */
export function copyRun(src: string, root: string, name = 'edited'): string {
  const dir = mkdtempSync(join(root, `${name}-`));
  cpSync(src, dir, { recursive: true });
  return dir;
}

/** A copy of a run's logs with one log's events edited. */
export function editedRun(src: string, root: string, file: string, edit: (events: Json[]) => Json[]): string {
  const dir = copyRun(src, root);
  writeLog(dir, file, edit(readLog(src, file)));
  return dir;
}

/**
 * The events renumbered 1, 2, 3, ... and their clocks repaired: the node's
 * own entry counts its clocked events, every other entry is the largest seen
 * so far. What a node would have logged had it done the edited steps.
 */
export function consistent(node: string, events: readonly Json[]): Json[] {
  let n = 0;
  let own = 0;
  let seen: Clock = {};
  return events.map((e) => {
    if (e.k === 'start') return e;
    const out: Json = { ...e, n: ++n };
    if (e.vc !== undefined) {
      const vc: Clock = { ...seen };
      for (const [k, v] of Object.entries(e.vc as Clock)) vc[k] = Math.max(vc[k] ?? 0, v);
      vc[node] = ++own;
      seen = vc;
      out.vc = vc;
    }
    return out;
  });
}

/** The index (0-based, the start event at 0) of the first event matching, which must exist. */
export function indexOf(events: readonly Json[], pred: (e: Json) => boolean): number {
  const i = events.findIndex(pred);
  if (i < 0) throw new Error('no such event in the log');
  return i;
}

export const recordOf = (s: unknown): string | undefined => (((s as Json | undefined)?.r as Json | undefined)?.rec as string | undefined);

/** specs/PrimaryBackup.mom with one more model, ThreeByzantine (r2, r3 and r4 Byzantine), written under `root`; its path. */
export function threeByzantineProgram(root: string): string {
  const path = join(root, 'PrimaryBackup.mom');
  writeFileSync(path, `${readFileSync('specs/PrimaryBackup.mom', 'utf8')}
// Three of four replicas Byzantine: more than the quorum of 3 can survive.
MODEL ThreeByzantine {
  BYZANTINE {r2, r3, r4} SENDS Reply TO C BUDGET 1
}
`);
  return path;
}

/**
 * Issue 21's trace, from a PrimaryBackup run with one client (`src`): r2, r3
 * and r4 logged as Byzantine nodes that each send c1 the same wrong reply
 * (result 3, where every correct replica computes 1), and c1 accepting it on
 * their 3-quorum. The copy's directory.
 */
export function forgedQuorum(src: string, root: string): string {
  const dir = copyRun(src, root, 'forged');
  const c1 = readLog(dir, 'c1.ndjson');
  const submit = c1[indexOf(c1, (e) => e.k === 'fire' && e.t === 'Submit')]!;
  const accept = c1[indexOf(c1, (e) => e.k === 'fire' && e.t === 'Accept')]!;
  const request = ((submit.pub as Json[])[0]!).r;
  const wrong = { rec: 'Reply', f: [request, 3] };
  const replicas = ['r2', 'r3', 'r4'];
  for (const r of replicas) {
    const start = readLog(dir, `${r}.ndjson`)[0]!;
    writeLog(dir, `${r}.ndjson`, [{ ...start, faulty: 'byzantine', constants: {} }, { k: 'byz', n: 1, s: { i: r, v: ['c1'], a: [], r: wrong }, vc: { [r]: 1 } }]);
  }
  const accepted = { ...accept, vc: {}, inst: String(accept.inst).replace(/,1\)\)$/, ',3))'), b: [['r', wrong]], ch: [['accepted', { set: [] }, { set: [wrong] }]] };
  const delivered = replicas.map((r) => ({ k: 'deliver', n: 0, s: { i: r, v: ['c1'], a: [], r: wrong }, from: r, vc: {} }));
  writeLog(dir, 'c1.ndjson', consistent('c1', [c1[0]!, submit, ...delivered, accepted, { k: 'stop', n: 0, reason: 'end of run' }]));
  return dir;
}
