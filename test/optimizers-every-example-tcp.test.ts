// Every example under each dissemination optimizer over TCP, one process per
// node on loopback: the same plans as the simulated-network test
// (helpers/optimizer-plans.ts: each optimizer wherever deploy-check lets it
// fit), a few requests each; every run completes every request it starts,
// shows in its report that the optimizer acted, leaves a log per node that
// `mommie replay` accepts, and leaves no process. Two examples run at a time:
// much of a run is waiting (processes starting, acks settling, stopping).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.js';
import { baseDeploy, EXAMPLES, fittingPlan, optimizers } from './helpers/optimizer-plans.js';
import { limiter, makeKeys, runOverTcp, type TcpReport } from './helpers/tcp-run.js';

/** What shows, in the run report, that the optimizer acted: batch windows ran out, statements went lazily or were relayed, records went by digest. */
function acted(optimizer: string, rep: TcpReport): number {
  const sum = (f: (n: TcpReport['nodes'][number]) => number | undefined): number => rep.nodes.reduce((k, n) => k + (f(n) ?? 0), 0);
  if (optimizer === 'BATCH') return sum((n) => n.dissemination?.batchWindows);
  if (optimizer === 'DIGEST') return sum((n) => n.digest?.['sent']);
  if (optimizer === 'OPTIMISTIC(QUORUM)') return sum((n) => n.dissemination?.lazy) + sum((n) => n.dissemination?.escalations);
  return sum((n) => n.dissemination?.relayRequests);
}

const twoAtATime = limiter(2);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-every-opt-tcp-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every example under each optimizer (TCP, one process per node)', () => {
  for (const { name: spec, tcpClients } of EXAMPLES) {
    it.concurrent(`${spec}: each plan deploy-check accepts completes every request over TCP, and its logs replay`, () => twoAtATime(async () => {
      const keys = join(dir, `${spec}-keys`);
      await makeKeys(join(ROOT, 'specs', `${spec}.deploy`), keys);
      const base = baseDeploy(spec);
      const ran: string[] = [];
      for (const o of optimizers(spec)) {
        const sub = join(dir, `${spec}-${o.name.replace(/\W/g, '')}`);
        mkdirSync(sub);
        const plan = fittingPlan(spec, base, o.rule, join(sub, `${spec}.deploy`));
        if (plan === undefined) continue;
        const t0 = performance.now();
        const rep = await runOverTcp(spec, plan.text, sub, { keys, requests: 4, concurrency: 2, ...(tcpClients === undefined ? {} : { clients: tcpClients }) });
        expect(acted(o.name, rep), `${spec} ${o.name}: ${JSON.stringify(rep.nodes.map((n) => [n.node, n.dissemination, n.digest]))}`).toBeGreaterThan(0);
        ran.push(`${o.name} (${rep.requests.completed} requests, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
      console.log(`${spec} over TCP: ran ${ran.join(', ')}`);
      // BATCH fits every program, and OPTIMISTIC(QUORUM) every example's quorums.
      expect(ran.some((r) => r.startsWith('BATCH '))).toBe(true);
      expect(ran.some((r) => r.startsWith('OPTIMISTIC(QUORUM) '))).toBe(true);
    // The bound counts the wait for a turn; each run has its own --timeout too.
    }), 900_000);
  }
});
