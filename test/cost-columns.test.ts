// The bench's split of CPU into a statement's path (issue 24 item 1): each
// sampled stack is charged to the right column.
import { describe, expect, it } from 'vitest';
import { columnOfStack, columnTimes, type CpuProfile, type ProfileFrame } from '../bench/cost-columns.js';

const f = (functionName: string, url: string): ProfileFrame => ({ functionName, url });
const SRC = 'file:///x/dist/src';

describe('cost columns', () => {
  it('splits crypto by the side that called it, and two-way files by the nearest named caller', () => {
    expect(columnOfStack([f('hmac', 'node:internal/crypto/hash'), f('', `${SRC}/wire/auth.js`), f('check', `${SRC}/wire/open.js`), f('open', `${SRC}/wire/open.js`)])).toBe('check');
    expect(columnOfStack([f('sign', 'node:internal/crypto/sig'), f('signBatch', `${SRC}/wire/seal.js`)])).toBe('sign');
    expect(columnOfStack([f('Type.decode', 'file:///x/node_modules/io-ts/lib/index.js'), f('shape', `${SRC}/wire/frame.js`), f('decodeChecked', `${SRC}/wire/frame.js`)])).toBe('decode');
    expect(columnOfStack([f('', 'file:///x/node_modules/io-ts/lib/index.js'), f('', `${SRC}/wire/frame.js`), f('encodeFrame', `${SRC}/wire/frame.js`)])).toBe('encode');
    expect(columnOfStack([f('writeItem', `${SRC}/wire/cbor.js`), f('encodeCbor', `${SRC}/wire/cbor.js`)])).toBe('encode');
    expect(columnOfStack([f('take', `${SRC}/wire/cbor.js`), f('item', `${SRC}/wire/cbor.js`)])).toBe('decode');
  });

  it('names the runtime parts, and leaves idle and the profiler itself out', () => {
    expect(columnOfStack([f('add', `${SRC}/semantics/known-index.js`), f('learn', `${SRC}/semantics/node.js`)])).toBe('store');
    expect(columnOfStack([f('recur', `${SRC}/semantics/match.js`)])).toBe('match');
    expect(columnOfStack([f('eval', `${SRC}/semantics/eval.js`), f('recur', `${SRC}/semantics/match.js`)])).toBe('evaluate');
    expect(columnOfStack([f('stringify', ''), f('write', `${SRC}/runtime/node.js`)])).toBe('log');
    expect(columnOfStack([f('send', `${SRC}/runtime/link.js`)])).toBe('send');
    expect(columnOfStack([f('listOnTimeout', 'node:internal/timers')])).toBe('timers');
    expect(columnOfStack([f('(garbage collector)', '')])).toBe('gc');
    expect(columnOfStack([f('afterStep', `${SRC}/runtime/node.js`)])).toBe('other');
    expect(columnOfStack([f('(idle)', '')])).toBe('idle');
    expect(columnOfStack([f('dispatch', ''), f('post', 'node:inspector')])).toBe('idle');
  });

  it('adds up sampled time per column, in milliseconds', () => {
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: f('(root)', ''), children: [2, 4] },
        { id: 2, callFrame: f('recur', `${SRC}/semantics/match.js`), children: [3] },
        { id: 3, callFrame: f('eval', `${SRC}/semantics/eval.js`) },
        { id: 4, callFrame: f('(idle)', '') },
      ],
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [1000, 2000, 3000, 5000, 500],
    };
    const t = columnTimes(p);
    expect(t.match).toBeCloseTo(1.5);
    expect(t.evaluate).toBeCloseTo(5);
    expect(Object.values(t).reduce((a, b) => a + b, 0)).toBeCloseTo(6.5);
  });
});
