// Moving frontier states between worker threads of the parallel search.
// Statement, instance and value ids are interned per thread, so a state
// leaves its worker as a batch that carries, beside each state's words, the
// statements, instances and values those words name; the receiving worker
// interns them in its own System and re-sorts each id set in its own ids.
// Batches move only when the coordinator rebalances the frontier between
// levels, a small fraction of the states.

import type { System } from '../semantics/system.js';
import type { State } from '../semantics/state.js';
import type { RecordValue, Value } from '../semantics/value.js';
import type { FrontierEntry } from './frontier.js';
import type { StatePacker } from './packed.js';

export interface PortableBatch {
  readonly values: readonly Value[];
  readonly statements: readonly { readonly issuer: string; readonly verifiers: readonly string[]; readonly auditors: readonly string[]; readonly record: RecordValue }[];
  readonly instances: readonly { readonly node: number; readonly transition: string; readonly values: readonly Value[] }[];
  readonly fps: readonly number[];
  /** Per state, in the packer's layout, with batch indices in place of ids. */
  readonly words: Int32Array;
}

class Numbering<K> {
  readonly map = new Map<K, number>();
  readonly items: K[] = [];
  id(k: K): number {
    let i = this.map.get(k);
    if (i === undefined) {
      i = this.items.length;
      this.items.push(k);
      this.map.set(k, i);
    }
    return i;
  }
}

export function encodeBatch(system: System, packer: StatePacker, entries: readonly FrontierEntry[]): PortableBatch {
  const values = new Numbering<Value>();
  const valueKeys = new Map<string, number>();
  const stmts = new Numbering<number>();
  const insts = new Numbering<number>();
  const out: number[] = [];
  for (const e of entries) {
    const s = packer.unpack(e.packed);
    for (const vs of s.vars) {
      for (const v of vs) {
        const k = typeof v === 'object' ? v.key : `${typeof v}:${String(v)}`;
        let i = valueKeys.get(k);
        if (i === undefined) {
          i = values.id(v);
          valueKeys.set(k, i);
        }
        out.push(i);
      }
    }
    const list = (ids: readonly number[], n: Numbering<number>): void => {
      out.push(ids.length);
      for (const id of ids) out.push(n.id(id));
    };
    list(s.pool, stmts);
    for (const k of s.known) list(k, stmts);
    for (const h of s.handled) list(h, insts);
    for (const f of s.forgotten) list(f, stmts);
  }
  return {
    values: values.items,
    statements: stmts.items.map((id) => {
      const st = system.interner.stmt(id);
      return { issuer: st.issuer, verifiers: st.verifiers, auditors: st.auditors, record: st.record };
    }),
    instances: insts.items.map((id) => {
      const i = system.interner.inst(id);
      return { node: i.node, transition: i.transition, values: i.values };
    }),
    fps: entries.map((e) => e.fp),
    words: Int32Array.from(out),
  };
}

export function decodeBatch(system: System, batch: PortableBatch, push: (fp: number, s: State) => void): void {
  const stmt = batch.statements.map((d) => system.interner.statement(d.issuer, d.verifiers, d.auditors, d.record).id);
  const inst = batch.instances.map((d) => system.interner.instance(d.node, d.transition, d.values).id);
  const varCounts = system.model.nodes.map((n) => n.role?.vars.length ?? 0);
  const w = batch.words;
  let k = 0;
  const take = (ids: readonly number[]): number[] => {
    const len = w[k++]!;
    const xs: number[] = new Array<number>(len);
    for (let i = 0; i < len; i++) xs[i] = ids[w[k++]!]!;
    return xs.sort((a, b) => a - b);
  };
  for (const fp of batch.fps) {
    const vars = varCounts.map((c) => {
      const vs: Value[] = new Array<Value>(c);
      for (let i = 0; i < c; i++) vs[i] = batch.values[w[k++]!]!;
      return vs;
    });
    const pool = take(stmt);
    const known = varCounts.map(() => take(stmt));
    const handled = varCounts.map(() => take(inst));
    const forgotten = varCounts.map(() => take(stmt));
    push(fp, { vars, pool, known, handled, forgotten });
  }
}
