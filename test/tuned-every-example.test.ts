// Every example with deploy-tune's choice (issue 9: "every example runs ...
// with the tuner's choice, on both transports"): `mommie deploy-tune` for
// an objective, from the example's own deploy file, writes a file that
// `mommie deploy-check` accepts; the choice then runs on the
// simulated network (drops and duplicates) and over TCP (one process per
// node on free loopback ports), completes every request it starts, and
// leaves logs that `mommie replay` accepts. The tuning is kept small
// (--quick, few requests and candidates): which candidate wins depends on the
// machine, so whatever it chooses must run. Two examples run at a time.
// The objectives take turns over the examples (each objective tunes two of
// the six): tuning every example for all three ran deploy-tune 18 times and
// cost about a minute of CPU more than the suite could spare, while the
// ranking's order by objective is tested in test/deploy-tune.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';
import { EXAMPLES } from './helpers/optimizer-plans.js';
import { limiter, makeKeys, runOverTcp } from './helpers/tcp-run.js';

const OBJECTIVES = ['throughput', 'latency', 'bytes'] as const;

interface TuneJson {
  readonly ok: boolean;
  readonly chosen: { readonly description: string };
  readonly ranked: readonly { readonly rank: number; readonly text: string }[];
}

interface SimReport {
  readonly requests: { readonly started: number; readonly completed: number };
}

const twoAtATime = limiter(2);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-tuned-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every example with the tuner\'s choice (simulated network and TCP)', () => {
  it('tunes for every objective on some example', () => {
    expect(new Set(EXAMPLES.map((_, i) => OBJECTIVES[i % OBJECTIVES.length]))).toEqual(new Set(OBJECTIVES));
  });

  for (const [i, { name: spec, tcpClients }] of EXAMPLES.entries()) {
    const objectives = [OBJECTIVES[i % OBJECTIVES.length]!];
    it.concurrent(`${spec}: deploy-tune's file for ${objectives.join(', ')} passes deploy-check, runs on both transports, and its logs replay`, () => twoAtATime(async () => {
      const sub = join(dir, spec);
      mkdirSync(sub);
      const keys = join(sub, 'keys');
      await makeKeys(join(ROOT, 'specs', `${spec}.deploy`), keys);
      // The chosen deployment (as deploy-tune ranks it, without the comments) -> the file written and the objectives that chose it.
      const choices = new Map<string, { file: string; objectives: string[]; description: string }>();
      for (const objective of objectives) {
        const out = join(sub, `${spec}-${objective}.deploy`);
        const r = await mommie(['deploy-tune', `specs/${spec}.mom`, '--nodes', `specs/${spec}.deploy`, '--objective', objective, '-o', out, '--quick', '--requests', '10', '--max-candidates', '6', '--json'], { timeoutMs: 180_000 });
        expect(r.exitCode, `${spec} ${objective}: ${r.stderr}`).toBe(0);
        const j = JSON.parse(r.stdout) as TuneJson;
        expect(j.ok).toBe(true);
        const best = j.ranked[0]!;
        expect(best.rank).toBe(1);
        expect(readFileSync(out, 'utf8')).toContain(best.text);
        const check = await mommie(['deploy-check', `specs/${spec}.mom`, out]);
        expect(check.exitCode, `${spec} ${objective}: ${check.stderr}`).toBe(0);
        const seen = choices.get(best.text);
        if (seen === undefined) choices.set(best.text, { file: out, objectives: [objective], description: j.chosen.description });
        else seen.objectives.push(objective);
      }
      const ran: string[] = [];
      for (const { file, objectives, description } of choices.values()) {
        const name = objectives.join('+');
        const logs = join(sub, `${name}-sim-logs`);
        const sim = await mommie(['run', `specs/${spec}.mom`, '--deploy', file, '--network', 'sim', '--requests', '8', '--faults', 'drop=0.05,dup=0.05', '--trace', logs, '--json']);
        expect(sim.exitCode, `${spec} ${name} (sim): ${sim.stderr}`).toBe(0);
        const rep = JSON.parse(sim.stdout) as SimReport;
        expect(rep.requests.started, `${spec} ${name} (sim)`).toBeGreaterThan(0);
        expect(rep.requests.completed, `${spec} ${name} (sim)`).toBe(rep.requests.started);
        const replay = await mommie(['replay', `specs/${spec}.mom`, logs]);
        expect(replay.exitCode, `${spec} ${name} (sim): ${replay.stdout}${replay.stderr}`).toBe(0);
        const tcpDir = join(sub, `${name}-tcp`);
        mkdirSync(tcpDir);
        const tcp = await runOverTcp(spec, readFileSync(file, 'utf8'), tcpDir, { keys, requests: 4, concurrency: 2, ...(tcpClients === undefined ? {} : { clients: tcpClients }) });
        ran.push(`${name}: ${description} (sim ${rep.requests.completed}, TCP ${tcp.requests.completed} requests)`);
      }
      console.log(`${spec} tuned:\n  ${ran.join('\n  ')}`);
    // The bound counts the wait for a turn (two examples at a time); each command has its own timeout too.
    }), 900_000);
  }
});
