// The linearizability checker (src/lincheck, `mommie lincheck`): hand-written
// histories with known verdicts, a cross-check against a brute-force checker
// written from the definition on 1,000 random small histories, 1-minimal
// witnesses, and a 1,000-operation history of the size the key-value tests use.

import { describe, expect, it } from 'vitest';
import { checkHistory } from '../src/lincheck/check.js';
import { decodeHistory, type History, type KvCall, type KvResult, type Operation } from '../src/lincheck/history.js';
import { bruteLinearizable, generateHistory, writtenOutside } from './helpers/histories.js';
import { mulberry32 } from './helpers/random.js';

let next = 0;
/** An operation: [invoke, complete] (complete undefined: unknown outcome). */
function op(client: string, call: KvCall, invoke: number, complete?: number, result?: KvResult): Operation {
  return { id: String(next++), client, call, invoke, ...(complete === undefined ? {} : { complete, result: result! }) };
}
const put = (key: string, value: number | string): KvCall => ({ op: 'put', key, value });
const get = (key: string): KvCall => ({ op: 'get', key });
const cas = (key: string, expected: number | string | null, value: number | string): KvCall => ({ op: 'cas', key, expected, value });
const done: KvResult = { op: 'put' };
const val = (value: number | string | null): KvResult => ({ op: 'get', value });
const ok = (b: boolean): KvResult => ({ op: 'cas', ok: b });
const hist = (...operations: Operation[]): History => ({ model: 'kv', operations });

describe('lincheck on hand-written histories', () => {
  const cases: [string, History, boolean][] = [
    ['a stale read (a get after a completed overwrite sees the old value)',
      hist(op('c1', put('k', 1), 0, 1, done), op('c1', put('k', 2), 2, 3, done), op('c2', get('k'), 4, 5, val(1))), false],
    ['a lost update (an acknowledged put, then a get of the key as missing)',
      hist(op('c1', put('k', 1), 0, 1, done), op('c2', get('k'), 2, 3, val(null))), false],
    ['two successful CAS from one value',
      hist(op('c1', put('k', 0), 0, 1, done), op('c1', cas('k', 0, 1), 2, 5, ok(true)), op('c2', cas('k', 0, 2), 3, 6, ok(true))), false],
    ['a read of a value never written',
      hist(op('c1', put('k', 1), 0, 1, done), op('c2', get('k'), 0, 3, val(7))), false],
    ['`1` and "1" are different values',
      hist(op('c1', put('k', 1), 0, 1, done), op('c2', get('k'), 2, 3, val('1'))), false],
    ['concurrent CAS from one value, one succeeds',
      hist(op('c1', put('k', 0), 0, 1, done), op('c1', cas('k', 0, 1), 2, 5, ok(true)), op('c2', cas('k', 0, 2), 3, 6, ok(false)), op('c3', get('k'), 7, 8, val(1))), true],
    ['an unknown outcome that took effect',
      hist(op('c1', put('k', 1), 0), op('c2', get('k'), 1, 2, val(null)), op('c2', get('k'), 5, 6, val(1))), true],
    ['an unknown outcome that never took effect',
      hist(op('c1', put('k', 1), 0, 1, done), op('c1', put('k', 2), 2), op('c2', get('k'), 5, 6, val(1)), op('c2', get('k'), 7, 8, val(1))), true],
    ['an unknown CAS that failed, and one that succeeded, later observed',
      hist(op('c1', put('k', 0), 0, 1, done), op('c1', cas('k', 5, 9), 2), op('c2', cas('k', 0, 3), 2), op('c3', get('k'), 10, 11, val(3))), true],
    ['an unknown outcome cannot take effect before its invocation',
      hist(op('c2', get('k'), 0, 1, val(1)), op('c1', put('k', 1), 2)), false],
    ['a get overlapping a put may see either value',
      hist(op('c1', put('k', 1), 0, 1, done), op('c1', put('k', 2), 2, 6, done), op('c2', get('k'), 3, 4, val(1)), op('c3', get('k'), 3, 5, val(2))), true],
    ['but not flip back once the new value was seen by a completed read',
      hist(op('c1', put('k', 1), 0, 1, done), op('c1', put('k', 2), 2, 9, done), op('c2', get('k'), 3, 4, val(2)), op('c3', get('k'), 5, 6, val(1))), false],
    ['equal times overlap (the clock cannot order them)',
      hist(op('c1', put('k', 1), 0, 1, done), op('c2', get('k'), 1, 2, val(null))), true],
    ['keys are independent',
      hist(op('c1', put('a', 1), 0, 1, done), op('c1', put('b', 2), 2, 3, done), op('c2', get('a'), 4, 5, val(1)), op('c2', get('b'), 4, 5, val(2))), true],
  ];
  for (const [name, h, expected] of cases) {
    it(`${name}: ${expected ? 'linearizable' : 'not linearizable'}`, () => {
      expect(bruteLinearizable(h.operations)).toBe(expected);
      expect(checkHistory(h).kind).toBe(expected ? 'linearizable' : 'not-linearizable');
    });
  }
});

describe('lincheck against a brute-force checker', () => {
  it('agrees on 1,000 random histories of at most 8 operations, both verdicts well represented', () => {
    const r = mulberry32(20261207);
    const tally = { linearizable: 0, not: 0 };
    for (let i = 0; i < 1000; i++) {
      const n = 1 + Math.floor(r() * 8);
      const ops = generateHistory(r, { ops: n, clients: 1 + Math.floor(r() * 3), keys: 1 + Math.floor(r() * 2), values: 3, window: 2, corrupt: 0.3, unknown: 0.15, spread: 3 });
      const expected = bruteLinearizable(ops);
      const got = checkHistory({ model: 'kv', operations: ops });
      if ((got.kind === 'linearizable') !== expected || got.kind === 'unknown') {
        throw new Error(`history ${i}: brute force says ${expected}, lincheck ${got.kind}\n${JSON.stringify(ops)}`);
      }
      if (expected) tally.linearizable++;
      else tally.not++;
    }
    expect(tally.linearizable).toBeGreaterThan(250);
    expect(tally.not).toBeGreaterThan(250);
  });

  it('its witnesses are sound and 1-minimal: not linearizable with the other writes free to happen at any time or never, linearizable so without any one of their operations', () => {
    const r = mulberry32(7);
    let checked = 0;
    for (let i = 0; i < 300 && checked < 60; i++) {
      const ops = generateHistory(r, { ops: 8, clients: 3, keys: 1, values: 3, window: 2, corrupt: 0.2, unknown: 0.1, spread: 3 });
      const v = checkHistory({ model: 'kv', operations: ops });
      if (v.kind !== 'not-linearizable') continue;
      checked++;
      expect(v.minimal).toBe(true);
      expect(bruteLinearizable(v.witness, writtenOutside(v.witness, ops))).toBe(false);
      for (const o of v.witness) {
        const rest = v.witness.filter((w) => w !== o);
        expect(bruteLinearizable(rest, writtenOutside(rest, ops))).toBe(true);
      }
    }
    expect(checked).toBe(60);
  });
});

describe('lincheck at the key-value tests\' size', () => {
  const big = { ops: 1000, clients: 4, keys: 3, values: 4, window: 3, corrupt: 0, unknown: 0.02, spread: 6 };
  it('a correct store\'s 1,000 operations from 4 clients over 3 keys are linearizable', () => {
    const ops = generateHistory(mulberry32(1), big);
    const t0 = performance.now();
    const v = checkHistory({ model: 'kv', operations: ops });
    console.log(`lincheck: ${ops.length} operations checked in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(v.kind).toBe('linearizable');
  });

  it('one corrupted read among them is found, and shown in a few operations that include it', () => {
    const ops = generateHistory(mulberry32(1), big);
    // The 600th operation that is a completed get now returns a value nobody wrote.
    const i = ops.findIndex((o, j) => j >= 600 && o.call.op === 'get' && o.result !== undefined);
    const bad: Operation = { ...ops[i]!, result: { op: 'get', value: 'never written' } };
    const v = checkHistory({ model: 'kv', operations: ops.map((o, j) => (j === i ? bad : o)) });
    expect(v.kind).toBe('not-linearizable');
    if (v.kind !== 'not-linearizable') return;
    expect(v.key).toBe(bad.call.key);
    expect(v.witness).toContainEqual(bad);
    expect(v.witness.length).toBeLessThan(5);
  });

  it('a stale read is shown with the writes that make it stale, not as a read of a value never written', () => {
    const ops = generateHistory(mulberry32(3), { ...big, ops: 300, unknown: 0 });
    const end = Math.max(...ops.map((o) => o.complete ?? o.invoke)) + 10;
    const stale = [
      op('c1', put('k0', 'old'), end, end + 1, done),
      op('c1', put('k0', 'new'), end + 2, end + 3, done),
      op('c2', get('k0'), end + 4, end + 5, val('old')),
    ];
    const v = checkHistory({ model: 'kv', operations: [...ops, ...stale] });
    expect(v.kind).toBe('not-linearizable');
    if (v.kind !== 'not-linearizable') return;
    expect(v.minimal).toBe(true);
    expect(v.witness.map((o) => o.id).sort()).toEqual(stale.map((o) => o.id).sort());
  });
});

describe('lincheck input', () => {
  const good = { format: 'mommie-history', version: 1, model: 'kv', operations: [{ id: 1, client: 'c1', call: { op: 'put', key: 'k', value: 1 }, invoke: 0, complete: 1, result: {} }] };
  it('decodes a good history', () => {
    expect(decodeHistory(good).ok).toBe(true);
  });
  const bad: [string, unknown, RegExp][] = [
    ['not a history', { operations: [] }, /format/],
    ['a call of an unknown kind', { ...good, operations: [{ ...good.operations[0], call: { op: 'delete', key: 'k' } }] }, /operation 1/],
    ['a completion before the invocation', { ...good, operations: [{ ...good.operations[0], invoke: 5 }] }, /before its invocation/],
    ['a completion without a result', { ...good, operations: [{ id: 1, client: 'c1', call: { op: 'get', key: 'k' }, invoke: 0, complete: 1 }] }, /both 'complete' and 'result'/],
    ['a get with a cas result', { ...good, operations: [{ id: 1, client: 'c1', call: { op: 'get', key: 'k' }, invoke: 0, complete: 1, result: { ok: true } }] }, /get's result/],
    ['an id used twice', { ...good, operations: [good.operations[0], good.operations[0]] }, /used twice/],
    ['a time that is not a number', { ...good, operations: [{ ...good.operations[0], invoke: 'soon' }] }, /invoke/],
  ];
  for (const [name, json, message] of bad) {
    it(`refuses ${name} with a message`, () => {
      const d = decodeHistory(json);
      expect(d.ok).toBe(false);
      if (!d.ok) expect(d.message).toMatch(message);
    });
  }
});
