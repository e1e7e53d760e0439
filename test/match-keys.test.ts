// The runtime's one-pass shortcuts (issue 24, seventh session) against what
// they replace: an instance's fire-once key built without its value array,
// and a quorum's candidates found without a map when every statement is of
// one record. Random values of every kind (1 and "1", TRUE and "TRUE",
// records, sets) and random groups, several records and masked fields
// included.

import { describe, expect, it } from 'vitest';
import type * as A from '../src/syntax/ast.js';
import { instanceKey, instanceKeyOf, instanceValues } from '../src/semantics/instance.js';
import { candidatesOf, masked, type PatternMatch } from '../src/semantics/match.js';
import type { Statement } from '../src/semantics/state.js';
import { makeRecord, makeSet, makeStatement, type RecordValue, type Value } from '../src/semantics/value.js';
import { rng } from './helpers/compiled-diff.js';

function value(r: () => number, depth = 0): Value {
  const k = Math.floor(r() * (depth > 1 ? 4 : 6));
  switch (k) {
    case 0: return Math.floor(r() * 5);
    case 1: return ['1', 'r1', 'a b', 'TRUE', ''][Math.floor(r() * 5)]!;
    case 2: return r() < 0.5;
    case 3: return String(Math.floor(r() * 5));
    case 4: return makeRecord(r() < 0.5 ? 'Req' : 'Ack', [value(r, depth + 1), value(r, depth + 1)]);
    default: return makeSet([value(r, depth + 1), value(r, depth + 1)]);
  }
}

function record(r: () => number): RecordValue {
  return makeRecord('Vote', [Math.floor(r() * 2), ['x', 'y'][Math.floor(r() * 2)]!]);
}

/** candidatesOf's grouping by the masked record's key, as written before the shortcut. */
function grouped(stmts: readonly Statement[], multivalent: readonly number[]): unknown[] {
  const groups = new Map<string, { identity: RecordValue; group: Statement[] }>();
  for (const s of stmts) {
    const identity = masked(s.record, multivalent);
    const g = groups.get(identity.key);
    if (g === undefined) groups.set(identity.key, { identity, group: [s] });
    else g.group.push(s);
  }
  return [...groups.values()].map(({ identity, group }) => ({ record: identity, identity, group }));
}

describe('one-pass keys and groups', () => {
  it('instanceKeyOf is instanceKey of instanceValues', () => {
    const r = rng(24);
    for (let n = 0; n < 2000; n++) {
      const params = Array.from({ length: Math.floor(r() * 3) }, () => value(r));
      const matches: PatternMatch[] = Array.from({ length: Math.floor(r() * 3) }, () => {
        const rec = makeRecord('Vote', [value(r), value(r)]);
        const quorum = r() < 0.3;
        return { record: rec, identity: rec, issuer: r() < 0.7 ? 'r1' : undefined, issuers: quorum ? ['r1', 'r2'] : undefined, pin: { kind: 'group', type: 'Vote', identityKey: rec.key } };
      });
      expect(instanceKeyOf('T', params, matches)).toBe(instanceKey('T', instanceValues(params, matches)));
    }
  });

  it('a quorum\'s candidates are the groups of its masked records, in order, one record or several', () => {
    const r = rng(7);
    const quorum = { issuer: { kind: 'quorum' } } as unknown as A.Pattern;
    let single = 0;
    for (let n = 0; n < 2000; n++) {
      const recs = Array.from({ length: 1 + Math.floor(r() * 3) }, () => record(r));
      // Equal records that are distinct objects, as statements decoded apart carry them.
      const stmts: Statement[] = Array.from({ length: Math.floor(r() * 5) }, (_, i) => {
        const rec = recs[Math.floor(r() * recs.length)]!;
        return { ...makeStatement(`r${i + 1}`, ['r9'], [], r() < 0.5 ? rec : makeRecord(rec.type, rec.fields)), id: i };
      });
      const multivalent = r() < 0.3 ? [1] : [];
      const got = candidatesOf(quorum, stmts, multivalent);
      if (got.length === 1 && multivalent.length === 0) single++;
      expect(got).toEqual(grouped(stmts, multivalent));
      // A group is a list of its own, not the caller's (an index's list grows while a search runs).
      for (const c of got) expect(c.group).not.toBe(stmts);
    }
    expect(single).toBeGreaterThan(100);
  });
});
