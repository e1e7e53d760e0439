// Deletion from a node's known set and its indexes (forgetting, issue 23):
// after removing statements, both engines (the interpreter's matcher and the
// compiled joins) find exactly the matches they find over an index that never
// held them, in the same order.

import { describe, expect, it } from 'vitest';
import { CompiledCore } from '../src/semantics/compiled/core.js';
import { instanceKey, instanceValues } from '../src/semantics/instance.js';
import { KnownIndex, ValueMap } from '../src/semantics/known-index.js';
import { statementKey, type Statement } from '../src/semantics/state.js';
import { makeRecord, makeSet, type Value } from '../src/semantics/value.js';
import type { PatternMatch } from '../src/semantics/match.js';
import { ProgramFacts } from '../src/semantics/pattern-plan.js';
import { explore, load, modelsOf, rng } from './helpers/compiled-diff.js';

describe('KnownIndex.remove', () => {
  it('leaves the indexes as if the statements had never been added, for both engines', () => {
    const program = load('specs/PBFTCounter.mom');
    const model = modelsOf(program)[0]!;
    const ex = explore(model, 400);
    const system = ex.system;
    const core = new CompiledCore(program, system.ev, new ProgramFacts(program), model.everyone);
    const r = rng(23);
    let compared = 0;
    let removedMatches = 0;
    model.nodes.forEach((node, ni) => {
      if (node.role === undefined) return;
      const varIndex = system.varIndexOf(node.role.name);
      for (const world of ex.worlds[ni]!.slice(-5)) {
        const all = [...world.all()];
        const gone = new Set(all.filter(() => r() < 0.3));
        const pruned = new KnownIndex(model.everyone);
        const fresh = new KnownIndex(model.everyone);
        for (const s of all) pruned.add(s);
        for (const s of gone) expect(pruned.remove(s)).toBe(true);
        for (const s of all) if (!gone.has(s)) fresh.add(s);
        expect(pruned.size).toBe(fresh.size);
        for (const s of gone) expect(pruned.has(s.key) || pruned.remove(s)).toBe(false);
        // Every index answers as the fresh one does, for every value any statement carries.
        for (const s of all) {
          const t = s.record.type;
          expect(pruned.knownOfType(t)).toEqual(fresh.knownOfType(t));
          expect(pruned.knownWithRecord(t, s.record.key)).toEqual(fresh.knownWithRecord(t, s.record.key));
          s.record.fields.forEach((f, i) => expect(pruned.knownWithValue(t, i, f)).toEqual(fresh.knownWithValue(t, i, f)));
        }
        for (const info of node.role.transitions) {
          const decl = info.decl;
          if (decl.params.length > 0 || decl.patterns.length === 0) continue;
          const ct = core.transition(info, varIndex);
          const vars = [...ex.vars[ni]!.at(-1)!];
          const collect = (w: KnownIndex, compiled: boolean): string[] => {
            const out: string[] = [];
            const onMatch = (m: readonly PatternMatch[]): boolean => {
              out.push(instanceKey(info.name, instanceValues([], m)));
              return true;
            };
            if (compiled) core.joins.forEachMatch(ct.joins[0]!, ct.slots.newFrame(node.name, vars, w), w, onMatch);
            else system.matcher.forEachMatch(decl.patterns, { me: node.name, vars, varIndex, bound: new Map(), known: (p, e) => system.matcher.existsOne(p, e, w) }, w, onMatch);
            return out;
          };
          for (const compiled of [false, true]) {
            const before = collect(pruned, compiled);
            expect(before, `${info.name} ${compiled ? 'compiled' : 'reference'}`).toEqual(collect(fresh, compiled));
            removedMatches += collect(world, compiled).length - before.length;
            compared++;
          }
        }
      }
    });
    expect(compared).toBeGreaterThan(10);
    // Removing statements did take matches away (the comparison is not between two empty lists).
    expect(removedMatches).toBeGreaterThan(0);
  });
});

describe('ValueMap', () => {
  it('keys equal values together and never a value of another type', () => {
    const m = new ValueMap<string>();
    const rec = makeRecord('R', [1, 'a']);
    const values: Value[] = [1, '1', true, 'TRUE', false, 'FALSE', 'a', '"a"', rec, rec.key, makeSet([1]), makeSet([1]).key, makeSet(['1'])];
    values.forEach((v, i) => m.set(v, String(i)));
    expect(m.size).toBe(values.length);
    values.forEach((v, i) => expect(m.get(v)).toBe(String(i)));
    // An equal value built anew finds the same entry.
    expect(m.get(makeRecord('R', [1, 'a']))).toBe('8');
    expect(m.get(makeRecord('R', ['1', 'a']))).toBeUndefined();
    expect(m.delete(1)).toBe(true);
    expect(m.get('1')).toBe('1');
    expect(m.get(1)).toBeUndefined();
  });

  it('narrows by a field value of the right type only: a statement with 1 is not found by "1"', () => {
    const w = new KnownIndex(['a']);
    const s = (id: number, v: Value): Statement => ({ kind: 'statement', id, issuer: 'a', verifiers: ['a'], auditors: [], record: makeRecord('R', [v]), key: statementKey('a', ['a'], [], makeRecord('R', [v])) });
    const one = s(0, 1);
    const str = s(1, '1');
    w.add(one);
    w.add(str);
    expect(w.knownWithValue('R', 0, 1)).toEqual([one]);
    expect(w.knownWithValue('R', 0, '1')).toEqual([str]);
    w.remove(one);
    expect(w.knownWithValue('R', 0, 1)).toEqual([]);
    expect(w.knownWithValue('R', 0, '1')).toEqual([str]);
  });
});
