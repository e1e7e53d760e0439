// Dead deliveries (src/check/dead.ts, docs/checker.md "Dead deliveries"):
// a delivery no step of its receiver can ever read is taken alone, and a
// transition that its monotone variables have disabled for good no longer
// counts as live. The evidence issue 27 item 2 asks for: on the view-change
// models feasible without reduction, the reachable valuations of the
// variables the checked invariants and properties read, the fair ends and
// the violated invariants are identical with and without it (not only the
// verdicts); and an unsound variant (a pattern pinned to a growing variable
// counted refuted by a value above it too) is caught.

import { describe, expect, it } from 'vitest';
import { DeadDeliveries } from '../src/check/dead.js';
import { checked, graphOf, sameObservations, systemOf } from './helpers/por-graph.js';

describe('dead deliveries keep the reachable valuations and the fair ends', () => {
  const cases: [string, string][] = [
    ['specs/PBFTViewChange.mom', 'CrashedPrimary'],
    ['specs/PBFTViewChange.mom', 'LonePrePrepare'],
    ['test/fixtures/por/LatePing.mom', 'Plain'],
  ];
  it.each(cases)('%s %s', { timeout: 200_000 }, async (file, model) => {
    const program = checked(file);
    const full = await graphOf(program, model, 'none');
    const sizes: Record<string, number> = { none: full.distinct };
    // Dead deliveries alone; then with the other reductions, without and with them.
    const variants = [
      ['dead', 'fires', { deliveries: false, fires: false, unread: false, dead: true }],
      ['both, no dead', 'both', { dead: false }],
      ['both', 'both', {}],
    ] as const;
    for (const [name, reduction, options] of variants) {
      const g = await graphOf(program, model, reduction, options);
      sizes[name] = g.distinct;
      expect(g.distinct, name).toBeLessThanOrEqual(full.distinct);
      expect(sameObservations(g, full), `${name}: the same valuations, fair ends and violations`).toBe(true);
    }
    console.log(`${file} ${model}: distinct states ${JSON.stringify(sizes)}`);
    if (file.includes('PBFTViewChange') && model === 'LonePrePrepare') expect(sizes['both']).toBeLessThan(sizes['both, no dead']!);
  });

  it('the analysis finds what PBFTViewChange pins: view and lastExec grow (lastExec <- n under n == lastExec + 1), and changing is reset only by steps that raise it', () => {
    const dd = new DeadDeliveries(systemOf(checked('specs/PBFTViewChange.mom'), 'CrashedPrimary'));
    const replica = dd.deadness('Replica')!;
    expect([...replica.monotone]).toEqual(['view', 'lastExec']);
    const blockedBy = (t: string): string[] => replica.transitions.get(t)!.blocks.map((b) => `${b.b}:${[...b.raises].join(',')}`);
    for (const t of ['SendPrepare', 'SendCommit', 'CommitLocal', 'SuspectPrimary']) expect(blockedBy(t), t).toEqual(['changing:view']);
    // SuspectPrimary dies at MaxView (`view < MaxView`), SendNewView too (`view < MaxView`).
    expect(replica.transitions.get('SuspectPrimary')!.deaths).toHaveLength(1);
    expect(replica.transitions.get('SendNewView')!.deaths).toHaveLength(1);
    // Execution is not pinned to the view: requests and null commits stay live.
    expect(replica.transitions.get('Execute')!.deaths).toHaveLength(0);
  });

  it('an unsound variant (a pinned pattern refuted by a value above the growing variable) is caught', { timeout: 60_000 }, async () => {
    const program = checked('test/fixtures/por/LatePing.mom');
    const full = await graphOf(program, 'Plain', 'none');
    const right = await graphOf(program, 'Plain', 'both');
    const wrong = await graphOf(program, 'Plain', 'both', { deadMutation: 'anyMismatch' });
    expect(sameObservations(right, full)).toBe(true);
    expect(sameObservations(wrong, full)).toBe(false);
    // What it loses: the waiter giving up in round 1 before round 1's ping arrives.
    const lost = [...full.valuations].filter((v) => !wrong.valuations.has(v));
    expect(lost.length).toBeGreaterThan(0);
    console.log(`LatePing: the mutant loses ${lost.length} of ${full.valuations.size} valuations (${lost.join(' ')}) and ${[...full.fairEnds].filter((e) => !wrong.fairEnds.has(e)).length} of ${full.fairEnds.size} fair ends`);
  });
});
