// Every example under each dissemination optimizer on the simulated network,
// with drops and duplicates: deploy-check either accepts the plan or refuses
// it for a reason the optimizer has (no quorum threshold, nothing to digest,
// a relay that is not a verifier); every accepted plan completes every
// request and leaves logs that `mommie replay` accepts unchanged.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie } from './helpers/cli.js';
import { baseDeploy, EXAMPLES, fittingPlan, optimizers } from './helpers/optimizer-plans.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-every-opt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every example under each optimizer (simulated network, drops and duplicates)', () => {
  for (const { name: spec } of EXAMPLES) {
    it(`${spec}: each plan deploy-check accepts completes every request, and its logs replay`, async () => {
      const base = baseDeploy(spec);
      const ran: string[] = [];
      const refused: string[] = [];
      for (const o of optimizers(spec)) {
        const deploy = join(dir, `${spec}-${o.name.replace(/\W/g, '')}.deploy`);
        const plan = fittingPlan(spec, base, o.rule, deploy);
        if (plan === undefined) {
          refused.push(`${o.name} everywhere`);
          continue;
        }
        if (plan.refused.size > 0) refused.push(`${o.name} for some types (${[...plan.refused].join(', ')})`);
        writeFileSync(deploy, plan.text);
        const check = await mommie(['deploy-check', `specs/${spec}.mom`, deploy]);
        expect(check.exitCode, `${spec} ${o.name}: ${check.stderr}`).toBe(0);
        const logs = join(dir, `${spec}-${o.name.replace(/\W/g, '')}-logs`);
        const r = await mommie(['run', `specs/${spec}.mom`, '--deploy', deploy, '--network', 'sim', '--requests', '4', '--faults', 'drop=0.1,dup=0.1', '--trace', logs, '--json']);
        expect(r.exitCode, `${spec} ${o.name}: ${r.stderr}`).toBe(0);
        const rep = JSON.parse(r.stdout) as { requests: { started: number; completed: number } };
        expect(rep.requests.completed, `${spec} ${o.name}`).toBe(rep.requests.started);
        const replay = await mommie(['replay', `specs/${spec}.mom`, logs]);
        expect(replay.exitCode, `${spec} ${o.name}: ${replay.stdout}`).toBe(0);
        ran.push(o.name);
      }
      console.log(`${spec}: ran ${ran.join(', ')}; refused by deploy-check: ${refused.join(', ') || 'none'}`);
      // BATCH fits every program.
      expect(ran).toContain('BATCH');
    });
  }
});
