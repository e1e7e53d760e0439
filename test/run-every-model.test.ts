// Every model of every shipped spec runs on the simulated network from the
// shipped files, with its faults: `mommie run SPEC --deploy SPEC.deploy
// --model M`, a few seeds and requests each. A model that verifies must be
// runnable with its Byzantine behaviour under the deploy file's constants
// (which give a Byzantine node's record types millions of values: they are
// drawn, never enumerated), and each Byzantine node must publish the whole
// budget its model allows. The correct specs' runs are ok; a buggy spec's
// may find its bug (2) in these few seeds, and must never fail otherwise.

import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { refusedOnlyForCertificates } from './helpers/spec-limits.js';
import { mommie, ROOT } from './helpers/cli.js';
import { limiter } from './helpers/tcp-run.js';

interface Report {
  readonly verdict: { readonly outcome: string; readonly findings: readonly string[]; readonly unfinished: readonly string[] };
  readonly byzantine?: { readonly nodes: readonly { readonly node: string; readonly published: number; readonly budget: number }[] };
}

function specs(dir: string): { spec: string; deploy: string; models: string[] }[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.mom') && existsSync(join(ROOT, dir, f.replace(/\.mom$/, '.deploy'))))
    // Certificates cannot travel yet: deploy-check refuses the program (test/deploy.test.ts).
    .filter((f) => !refusedOnlyForCertificates(join(ROOT, dir, f.replace(/\.mom$/, ''))))
    .map((f) => ({
      spec: `${dir}/${f}`,
      deploy: `${dir}/${f.replace(/\.mom$/, '.deploy')}`,
      models: [...readFileSync(join(ROOT, dir, f), 'utf8').matchAll(/^MODEL (\w+)/gm)].map((m) => m[1]!),
    }));
}

const SHIPPED = specs('specs');
const BUGGY = specs('specs/buggy');
// Two runs at a time: most of a run is starting node and checking the program.
const turn = limiter(2);

describe('every model of every shipped spec runs on the simulated network from its deploy file', () => {
  it('finds the shipped specs and their models', () => {
    expect(SHIPPED.map((s) => s.spec)).toEqual(expect.arrayContaining(['specs/PBCounter.mom', 'specs/PBFTCounter.mom', 'specs/BrachaBroadcast.mom']));
    expect(SHIPPED.flatMap((s) => s.models).length).toBeGreaterThanOrEqual(20);
  });

  const all = [...SHIPPED.map((s) => ({ ...s, buggy: false })), ...BUGGY.map((s) => ({ ...s, buggy: true }))];
  it(`${all.reduce((n, s) => n + s.models.length, 0)} models, 3 seeds and 4 requests each`, async () => {
    const runs = all.flatMap((s) => s.models.map((m) => ({ ...s, model: m })));
    const results = await Promise.all(runs.map((x) => turn(async () => {
      const r = await mommie(['run', x.spec, '--deploy', x.deploy, '--network', 'sim', '--model', x.model, '--seeds', '3', '--requests', '4', '--concurrency', '2', '--json'], { timeoutMs: 120_000 });
      return { ...x, r };
    })));
    for (const { spec, model, buggy, r } of results) {
      const where = `${spec} --model ${model}: exit ${r.exitCode}\n${r.stderr.slice(-2000)}`;
      expect(r.stderr, where).not.toContain('MOM502');
      expect(buggy ? [0, 2] : [0], where).toContain(r.exitCode);
      const rep = JSON.parse(r.stdout) as Report;
      if (!buggy) expect(rep.verdict.outcome, where).toBe('ok');
      if (rep.verdict.outcome === 'ok') {
        for (const b of rep.byzantine?.nodes ?? []) expect(b.published, `${where}: ${b.node}'s own statements`).toBe(b.budget);
      }
    }
  }, 300_000);
});
