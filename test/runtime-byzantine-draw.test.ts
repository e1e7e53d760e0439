// A Byzantine node's records under a deployment's constants: drawn, never
// enumerated, always inside their type, and leaning on what the node
// received. PBFTCounter's deploy file gives a PrePrepare 8,000 sequence
// numbers times 8,000 requests: far past what can be enumerated (MOM502,
// which is still what the model checker's path reports).

import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../src/deploy/load.js';
import { RecordDraw } from '../src/runtime/byzantine-draw.js';
import { inDomain } from '../src/semantics/domain.js';
import { EvalError } from '../src/semantics/errors.js';
import { instantiate, instantiateForRun } from '../src/semantics/model.js';
import { makeRecord, type Value } from '../src/semantics/value.js';
import { Random } from '../src/transport/sim.js';
import { loadProgram } from './helpers/sim.js';

describe("a Byzantine node's records under the deploy file's constants", () => {
  const { program } = loadProgram('specs/PBFTCounter.mom');
  const dep = loadDeployment('specs/PBFTCounter.deploy', program);
  const constants = new Map<string, Value>(dep.deployment!.constants);

  it('the model checker still refuses to enumerate them (MOM502 at the SENDS); a run instantiates the model without enumerating', () => {
    const checked = instantiate(program, 'ByzantinePrimary', constants);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error.code).toBe('MOM502');
    const run = instantiateForRun(program, 'ByzantinePrimary', constants);
    expect(run.ok).toBe(true);
    if (!run.ok) return;
    expect(run.instance.byzantine[0]!.sends[0]!.recordType).toBe('PrePrepare');
    expect(() => run.instance.byzantine[0]!.sends[0]!.records).toThrow(EvalError);
  });

  it('every draw lies inside the type; a record the node received comes back, whole or with one field changed', () => {
    const run = instantiateForRun(program, 'ByzantinePrimary', constants);
    if (!run.ok) throw run.error;
    const ev = run.instance.evaluator;
    const draw = new RecordDraw(ev);
    const request = makeRecord('Request', ['c1', 7, 1]);
    draw.observe(request);
    const r = new Random(1);
    const pre = { k: 'record', name: 'PrePrepare' } as const;
    const seqs = new Set<number>();
    let received = 0;
    for (let i = 0; i < 2000; i++) {
      const rec = draw.record('PrePrepare', r);
      expect(inDomain(rec, pre, ev), ev.show(rec)).toBe(true);
      seqs.add(rec.fields[0] as number);
      const m = rec.fields[1];
      if (typeof m === 'object' && m.kind === 'record' && m.key === request.key) received++;
    }
    // The request it saw, in a good share of its pre-prepares; sequence numbers from the low end and across the range.
    expect(received).toBeGreaterThan(200);
    expect(seqs.has(1)).toBe(true);
    expect(Math.max(...seqs)).toBeGreaterThan(1000);
  });
});
