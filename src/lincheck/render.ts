// How a verdict reads: one line per operation of a witness, with its client,
// times, call and result, and the figures of the history checked.

import { encodeHistory, type KvCall, type KvResult, type Operation, type Scalar } from './history.js';
import type { HistoryFigures, LincheckVerdict } from './check.js';

const scalar = (v: Scalar | null): string => (v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : String(v));

export function callText(c: KvCall): string {
  switch (c.op) {
    case 'get':
      return `get(${JSON.stringify(c.key)})`;
    case 'put':
      return `put(${JSON.stringify(c.key)}, ${scalar(c.value)})`;
    case 'cas':
      return `cas(${JSON.stringify(c.key)}, ${scalar(c.expected)}, ${scalar(c.value)})`;
  }
}

export function resultText(r: KvResult | undefined): string {
  if (r === undefined) return 'outcome unknown';
  switch (r.op) {
    case 'get':
      return scalar(r.value);
    case 'put':
      return 'ok';
    case 'cas':
      return r.ok ? 'ok' : 'not ok';
  }
}

export function operationLine(o: Operation): string {
  const end = o.complete === undefined ? '…' : String(o.complete);
  return `${o.client} op ${o.id}: [${o.invoke}, ${end}] ${callText(o.call)} -> ${resultText(o.result)}`;
}

export function figuresText(f: HistoryFigures): string {
  return `${f.operations} operations (${f.unknownOutcome} with an unknown outcome) from ${f.clients} client${f.clients === 1 ? '' : 's'} over ${f.keys} key${f.keys === 1 ? '' : 's'}`;
}

export function verdictLines(v: LincheckVerdict): string[] {
  const lines = [`history: ${figuresText(v.figures)}`];
  switch (v.kind) {
    case 'linearizable':
      lines.push('verdict: linearizable');
      break;
    case 'not-linearizable':
      lines.push(`verdict: NOT linearizable (key ${JSON.stringify(v.key)})`);
      lines.push(`${v.witness.length} operation${v.witness.length === 1 ? '' : 's'} that cannot be linearized${v.floating.length === 0 ? '' : ` even if the key's other writes (of ${v.floating.map(scalar).join(', ')}) take effect at any time, or never`}${v.minimal ? '; without any one of them they can' : ' (shrinking ran out of budget: maybe not the fewest)'}; times [invocation, completion]:`);
      for (const o of [...v.witness].sort((a, b) => a.invoke - b.invoke)) lines.push(`  ${operationLine(o)}`);
      break;
    case 'unknown':
      lines.push(`verdict: unknown: ${v.reason} on key${v.undecidedKeys.length === 1 ? '' : 's'} ${v.undecidedKeys.map((k) => JSON.stringify(k)).join(', ')} (every other key is linearizable)`);
      break;
  }
  return lines;
}

export function verdictJson(v: LincheckVerdict): unknown {
  switch (v.kind) {
    case 'linearizable':
      return { verdict: 'linearizable', ...v.figures };
    case 'not-linearizable':
      return { verdict: 'not-linearizable', ...v.figures, key: v.key, minimal: v.minimal, floating: v.floating, witness: encodeHistory({ model: 'kv', operations: v.witness }) };
    case 'unknown':
      return { verdict: 'unknown', ...v.figures, reason: v.reason, undecidedKeys: v.undecidedKeys };
  }
}
