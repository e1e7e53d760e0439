// The runtime on the simulated network: every example under drops,
// duplicates, reordering and its models' crash and Byzantine faults keeps
// every invariant, completes every request and leaves logs that `replay`
// accepts; each buggy example has a seed that shows its bug.

import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { generateKeyRings } from '../src/keys/ring.js';
import { replayTraces } from '../src/trace/replay.js';
import { mommie } from './helpers/cli.js';
import { exampleModels, loggedExampleRun } from './helpers/sim.js';

const EXAMPLES = ['PrimaryBackup', 'PBFTNormal', 'BrachaBroadcast', 'PBCounter', 'PBFTCounter', 'PBFTBatched'].filter((n) => existsSync(`specs/${n}.mom`) && existsSync(`specs/${n}.deploy`));
const SEEDS = 200;

describe('every example on the simulated network', () => {
  it('has examples with deploy files', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of EXAMPLES) {
    it(`${name}: ${SEEDS} seeds with drops, duplicates, reordering and each model's faults: invariants hold, requests complete, logs replay`, async () => {
      // The models' faults at the models' constants, and a fault-free run at the deployment's.
      const ex = exampleModels(`specs/${name}`);
      const { program, models } = ex;
      const free = { instance: ex.free };
      const rings = await generateKeyRings(models[0]!.nodes.map((n) => n.name));
      let runs = 0;
      let completed = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const model = models[seed % models.length]!;
        // A model's small bounds (MaxSeq) admit one request; the deployment's admit many.
        const { r, logs } = loggedExampleRun(ex, model, seed, rings, 5);
        const where = `${name}, model ${model.name}, seed ${seed}`;
        expect(r.violation?.invariant, where).toBeUndefined();
        expect(r.stalled, where).toBeUndefined();
        expect(r.timedOut, where).toBe(false);
        expect(r.aborts, where).toEqual([]);
        // Each Byzantine node had its chance: the run did not end before it published its budget.
        for (const b of r.byzantineNodes) expect(b.published, `${where}: ${b.node}'s own statements`).toBe(b.budget);
        // Models that promise progress complete every request they start.
        if (model.properties.length > 0) expect(r.completed, where).toBe(r.requested);
        // Replayed against the model the run took (the logs of runSimulation without a header do not name it).
        const rep = replayTraces(program, [...logs].map(([n, l]) => ({ path: `${n}.ndjson`, text: l.join('\n') + '\n' })), model === free.instance ? {} : { model: model.name });
        expect(rep.ok ? 'accepted' : rep.rejection, where).toBe('accepted');
        runs++;
        completed += r.completed;
      }
      expect(runs).toBe(SEEDS);
      expect(completed).toBeGreaterThan(0);
    });
  }
});

describe('a seed search finds the bug of each buggy example', () => {
  const BUGS = [
    { spec: 'PrimaryBackupSmallQuorum', model: 'ByzantineBackup', finding: /invariant ValidReplies violated at seed \d+/ },
    { spec: 'PBFTUnsignedRequest', model: 'ByzantinePrimary', finding: /invariant OnlySubmitted violated at seed \d+/ },
    { spec: 'BrachaSmallAmplification', model: 'ByzantineProcess', finding: /invariant Validity violated at seed \d+/ },
    // The liveness bug: a crashed primary orders nothing, and the no-progress monitor names the request.
    { spec: 'PrimaryBackupCrashedPrimary', model: 'CrashedPrimary', finding: /no progress: request c1:Submit\(0\), started at \d+ ms, was never answered/ },
  ];
  for (const b of BUGS) {
    it(`${b.spec} (${b.model})`, async () => {
      const stall = b.finding.source.startsWith('no progress') ? ['--stall', '5000'] : [];
      const r = await mommie(['run', `specs/buggy/${b.spec}.mom`, '--deploy', `specs/buggy/${b.spec}.deploy`, '--network', 'sim', '--model', b.model, '--seeds', '200', ...stall, '--faults', 'drop=0.1,dup=0.1,delay=1-40'], { timeoutMs: 120_000 });
      expect(r.stdout).toMatch(b.finding);
      expect(r.exitCode).toBe(2);
      if (!b.finding.source.startsWith('no progress')) {
        // The steps that led to it, as verify prints a counterexample.
        expect(r.stdout).toMatch(/1\. initial state/);
        expect(r.stdout).toMatch(/fires /);
      }
    });
  }
});
