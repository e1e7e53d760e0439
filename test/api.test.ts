// The client API (issue 26 item 2; docs/api.md): `import { openSimulation,
// openNode } from 'mommie'` (the package's own exports entry, resolved from
// dist/ as an application would). A PBCounter simulation answers each call
// with the counter after its request, waits while the window is full, and
// refuses bad calls before any input step (NotSentError); a call never
// answered times out as OutcomeUnknownError. Over TCP on loopback, the
// replicas run in a child process (opened with openNode there) and c1 in
// this one: calls are answered, a second process cannot open c1 (its lock),
// a call cut by close() is OutcomeUnknownError, and c1 reopened on its log
// answers that call through onAnswer and carries on from where it stopped.

import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotSentError, OutcomeUnknownError, openNode, openSimulation } from 'mommie';
import { freshRunId } from '../src/runtime/run-id.js';
import { ROOT } from './helpers/cli.js';
import { makeKeys, tempDeploy } from './helpers/tcp-run.js';

const PBC = join(ROOT, 'specs', 'PBCounter.mom');
const PBC_DEPLOY = join(ROOT, 'specs', 'PBCounter.deploy');
const NEVER = join(ROOT, 'test', 'fixtures', 'answer', 'AnswerNever.mom');
const NEVER_DEPLOY = join(ROOT, 'test', 'fixtures', 'answer', 'AnswerNever.deploy');
const dir = mkdtempSync(join(tmpdir(), 'mommie-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a promise rejected with (fails if it resolved). */
async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('resolved');
}

describe('openSimulation', () => {
  it('PBCounter: each call answers the counter after its request, in virtual time', async () => {
    const sim = await openSimulation(PBC, PBC_DEPLOY, { seed: 7 });
    try {
      const c1 = sim.node('c1');
      expect(c1.calls.map((c) => [c.name, c.params.map((p) => [p.name, p.requestId])])).toEqual([['Submit', [['id', true], ['op', false]]]]);
      // One at a time: the counter (modulo 4) after 1, 2, 3, 4 additions of 1.
      const one: unknown[] = [];
      for (let k = 0; k < 4; k++) one.push(await c1.submit('Submit', { op: 1 }));
      expect(one).toEqual([1, 2, 3, 0]);
      const t = sim.now();
      expect(t).toBeGreaterThan(0);
      // Two clients at once, 20 calls each (Window = 16: the last 4 of each wait for room):
      // every counter value after an addition is answered exactly once.
      const c2 = sim.node('c2');
      const all = await Promise.all([c1, c2].flatMap((c) => Array.from({ length: 20 }, () => c.submit('Submit', { op: 1 }))));
      const counts = [0, 1, 2, 3].map((v) => all.filter((x) => x === v).length);
      expect(counts).toEqual([10, 10, 10, 10]);
      expect(sim.now()).toBeGreaterThan(t);
      expect(sim.violation()).toBeUndefined();
    } finally {
      sim.close();
    }
  });

  it('under loss, duplication and a partition the calls are still answered', async () => {
    const sim = await openSimulation(PBC, PBC_DEPLOY, { seed: 3, faults: 'drop=0.2,dup=0.1,delay=1-30,partition=r4|c1+r1+r2+r3@0-2000' });
    try {
      const c1 = sim.node('c1');
      const got = await Promise.all(Array.from({ length: 8 }, () => c1.submit('Submit', { op: 1 }, { timeoutMs: 60_000 })));
      expect([...got].sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
      expect(sim.violation()).toBeUndefined();
    } finally {
      sim.close();
    }
  });

  it('refuses bad calls before any input step (NotSentError), and a call never answered times out (OutcomeUnknownError)', async () => {
    const sim = await openSimulation(PBC, PBC_DEPLOY);
    try {
      const c1 = sim.node('c1');
      const cases: [string, Record<string, unknown>, string, RegExp][] = [
        ['Nope', { op: 1 }, 'unknown-transition', /c1 has no input transition Nope \(it offers Submit\)/],
        ['Accept', {}, 'unknown-transition', /no input transition Accept/],
        ['Submit', {}, 'arguments', /argument op is missing/],
        ['Submit', { op: 2 }, 'arguments', /outside its type 1\.\.1/],
        ['Submit', { op: 'one' }, 'arguments', /argument op: "one" is not a value of its type/],
        ['Submit', { op: 1, id: 0 }, 'arguments', /id is a request id the API fills in/],
        ['Submit', { op: 1, x: 1 }, 'arguments', /no parameter x \(it takes op\)/],
      ];
      for (const [t, args, reason, message] of cases) {
        const e = await refusal(c1.submit(t, args));
        expect(e, `${t} ${JSON.stringify(args)}`).toBeInstanceOf(NotSentError);
        expect((e as NotSentError).reason).toBe(reason);
        expect(e.message).toMatch(message);
      }
      // A replica is no client.
      const r = await refusal(sim.node('r1').submit('Submit', { op: 1 }));
      expect((r as NotSentError).reason).toBe('unknown-transition');
      expect(r.message).toMatch(/offers no calls: it is not a client/);
      // Nothing was sent: the first call made is request 0, answered 1.
      expect(await c1.submit('Submit', { op: 1 })).toBe(1);
    } finally {
      sim.close();
    }

    const never = await openSimulation(NEVER, NEVER_DEPLOY);
    try {
      const c1 = never.node('c1');
      expect(await c1.submit('Call', { id: 0 })).toBe(0);
      const again = await refusal(c1.submit('Call', { id: 0 }));
      expect((again as NotSentError).reason).toBe('fired');
      expect(again.message).toMatch(/Call\(0\) already fired/);
      const before = never.now();
      const lost = await refusal(c1.submit('Call', { id: 1 }, { timeoutMs: 3_000 }));
      expect(lost).toBeInstanceOf(OutcomeUnknownError);
      expect((lost as OutcomeUnknownError).call).toEqual({ transition: 'Call', args: { id: 1 } });
      expect(never.now() - before).toBeGreaterThanOrEqual(3_000);
    } finally {
      never.close();
    }
  });
});

/** A child process opening r1..r4 with openNode, until it is killed. */
const REPLICAS = `
import { openNode } from 'mommie';
const [deploy, keys, logDir, runId] = process.argv.slice(2);
for (const node of ['r1', 'r2', 'r3', 'r4']) await openNode({ program: ${JSON.stringify(PBC)}, deploy, keys, node, logDir, runId, logSync: 'none' });
console.log('open');
`;

describe('openNode over TCP on loopback', () => {
  it('c1 in this process, the replicas in another: answered calls, the lock, and a reopened c1 carries on', { timeout: 90_000 }, async () => {
    const work = mkdtempSync(join(dir, 'tcp-'));
    const { path: deploy } = await tempDeploy('PBCounter', work);
    const keys = join(work, 'keys');
    await makeKeys(deploy, keys);
    const runId = freshRunId();
    const script = join(ROOT, `api-replicas-${process.pid}.mjs`);
    writeFileSync(script, REPLICAS);
    const replicas = execa('node', [script, deploy, keys, join(work, 'replicas'), runId], { cwd: ROOT, reject: false, timeout: 80_000, killSignal: 'SIGKILL' });
    try {
      await new Promise<void>((resolve, reject) => {
        replicas.stdout?.on('data', (d: Buffer) => (String(d).includes('open') ? resolve() : undefined));
        void replicas.then((r) => reject(new Error(`the replicas' process ended: ${r.stderr}`)));
      });
      const logDir = join(work, 'c1');
      const opts = { program: PBC, deploy, keys, node: 'c1', logDir, runId, logSync: 'none' as const, timeoutMs: 30_000 };
      const c1 = await openNode(opts);
      try {
        expect(c1.recovered).toBeUndefined();
        const got = await Promise.all([1, 1, 1].map((op) => c1.submit('Submit', { op })));
        expect([...got].sort()).toEqual([1, 2, 3]);
        // The lock: not in this process again, nor in another.
        expect((await refusal(openNode(opts))).message).toMatch(/c1 is open already, in process \d+ \(this one\)/);
        const other = await execa('node', ['--input-type=module', '-e', `import { openNode } from 'mommie'; try { await openNode(${JSON.stringify(opts)}); console.log('opened'); } catch (e) { console.log(e.message); } process.exit(0);`], { cwd: ROOT, reject: false, timeout: 30_000, killSignal: 'SIGKILL' });
        expect(other.stdout).toMatch(new RegExp(`c1 is open already, in process ${process.pid}`));
        // A call in flight when the node closes: its outcome is unknown (request 3 was published and logged).
        const cut = c1.submit('Submit', { op: 1 });
        await c1.close();
        const lost = await refusal(cut);
        expect(lost).toBeInstanceOf(OutcomeUnknownError);
        expect((lost as OutcomeUnknownError).call).toEqual({ transition: 'Submit', args: { id: 3, op: 1 } });
      } finally {
        await c1.close();
      }
      // Reopened on its log: rebuilt; request 3 is answered through onAnswer (the counter's fourth
      // addition), and the next call is request 4.
      const again = await openNode(opts);
      try {
        expect(again.recovered).toMatchObject({ inFlight: 1 });
        expect(again.recovered?.events).toBeGreaterThan(0);
        const earlier = await new Promise((resolve) => again.onAnswer(resolve));
        expect(earlier).toEqual({ transition: 'Submit', args: { id: 3, op: 1 }, value: 0 });
        expect(await again.submit('Submit', { op: 1 })).toBe(1);
      } finally {
        await again.close();
      }
    } finally {
      replicas.kill('SIGKILL');
      await replicas;
      rmSync(script, { force: true });
    }
  });
});
