// Coverage and vacuity (issue 21 item 20): `verify` prints how often each
// transition fired and warns when an "ok" exercised nothing: a transition no
// correct node ever had enabled, a liveness property whose antecedent never
// held, a Byzantine node that never published.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodedVerify, mommie } from './helpers/cli.js';

let dir: string;
let bracha: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-coverage-'));
  bracha = join(dir, 'Bracha.mom');
  // SenderServed's antecedent ("the sender is correct and has proposed") never
  // holds when the sender is Byzantine: checking it there is a vacuous pass.
  writeFileSync(
    bracha,
    `${readFileSync('specs/BrachaBroadcast.mom', 'utf8')}
MODEL VacuousSenderServed {
  BYZANTINE SENDER SENDS Initial TO {p2, p3, p4} BUDGET 1
  CHECK Agreement, SenderServed
}
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify: coverage and vacuity warnings', () => {
  it('warns about a liveness property whose antecedent never held, and a transition never fired; the verdicts and exit code stay', async () => {
    const r = await mommie(['verify', bracha, '-m', 'VacuousSenderServed', '--json', '-q']);
    expect(r.exitCode).toBe(0);
    const m = decodedVerify(r).models[0]!;
    expect(m.properties.map((p) => `${p.name}:${p.verdict}`)).toEqual(['Agreement:holds', 'SenderServed:holds']);
    const cov = m.coverage!;
    expect(cov.warnings.filter((w) => /^SenderServed\[p=p\d\] \(P ~> Q\) holds vacuously: its antecedent never held in the \d+ reachable states$/.test(w))).toHaveLength(3);
    expect(cov.warnings).toContainEqual(expect.stringMatching(/^Process\.Broadcast \(.*Bracha\.mom:53:3\) never fired in the \d+ reachable states/));
    const broadcast = cov.transitions.find((t) => t.transition === 'Broadcast')!;
    expect(broadcast.fired).toBe(0);
    expect(cov.transitions.find((t) => t.transition === 'EchoInitial')!.fired).toBeGreaterThan(0);
    expect(cov.byzantine).toEqual([{ node: 'p1', published: expect.any(Number) }]);
    expect(cov.byzantine[0]!.published).toBeGreaterThan(0);

    const human = await mommie(['verify', bracha, '-m', 'VacuousSenderServed', '-q']);
    expect(human.stdout).toMatch(/^ {2}coverage \(steps generated\): Process\.Broadcast 0, Process\.EchoInitial \d+, .*; \d+ deliveries; Byzantine p1 published \d+$/m);
    expect(human.stdout).toMatch(/^ {2}warning: SenderServed\[p=p2\] \(P ~> Q\) holds vacuously/m);
  });

  it('a model that exercises every transition has no warning', async () => {
    const r = await mommie(['verify', 'specs/PrimaryBackup.mom', '-m', 'AllCorrect', '--json', '-q']);
    expect(r.exitCode).toBe(0);
    const cov = decodedVerify(r).models[0]!.coverage!;
    expect(cov.warnings).toEqual([]);
    expect(cov.transitions.map((t) => t.transition)).toEqual(['Submit', 'Accept', 'Assign', 'Execute', 'SuspectPrimary']);
    expect(cov.transitions.every((t) => t.fired > 0)).toBe(true);
    expect(cov.deliveries).toBeGreaterThan(0);
  });

  it('the in-process and the parallel search count the same steps', async () => {
    const args = ['verify', 'specs/PrimaryBackup.mom', '-m', 'ByzantineBackup', '--json', '-q'];
    const [one, two] = await Promise.all([mommie([...args, '--in-process']), mommie([...args, '--workers', '2'])]);
    const [a, b] = [decodedVerify(one).models[0]!, decodedVerify(two).models[0]!];
    expect(b.coverage).toEqual(a.coverage);
    const fires = a.coverage!.transitions.reduce((k, t) => k + t.fired, 0);
    const byz = a.coverage!.byzantine.reduce((k, x) => k + x.published, 0);
    // Every generated successor is a fire, a delivery or a Byzantine publication (the initial state is not a step).
    expect(fires + a.coverage!.deliveries + byz).toBe(a.stats.generated - 1);
  });

  it('JUnit carries the coverage and warnings in the suite output', async () => {
    const out = join(dir, 'r.xml');
    const r = await mommie(['verify', bracha, '-m', 'VacuousSenderServed', '-q', '--reporter', 'junit', '-o', out]);
    expect(r.exitCode).toBe(0);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(/<system-out>coverage \(steps generated\): Process\.Broadcast 0,/);
    expect(xml).toMatch(/warning: SenderServed\[p=p2\] \(P ~&gt; Q\) holds vacuously/);
  });
});

describe('verify: the fast path by default (issue 27 item 7)', () => {
  const args = ['verify', 'specs/PrimaryBackup.mom', '-m', 'ByzantineBackup', '--json'];
  it('a small safety model is checked in process; past the threshold the search starts again on worker threads, with the same result', async () => {
    const [small, handed, inProcess] = await Promise.all([
      mommie(args),
      mommie(args, { env: { MOMMIE_VERIFY_PARALLEL_AT: '500' } }),
      mommie([...args, '--in-process'], { env: { MOMMIE_VERIFY_PARALLEL_AT: '500' } }),
    ]);
    for (const r of [small, handed, inProcess]) expect(r.exitCode).toBe(0);
    expect(small.stderr).not.toMatch(/worker/);
    expect(inProcess.stderr).not.toMatch(/worker/);
    expect(handed.stderr).toMatch(/^\[ByzantineBackup\] more than 500 states: searching again on \d+ worker threads?, the parallel search/m);
    expect(handed.stderr).toMatch(/^\[ByzantineBackup\] \d+ workers?: fingerprint table/m);
    const a = decodedVerify(small).models[0]!;
    for (const m of [handed, inProcess].map((r) => decodedVerify(r).models[0]!)) {
      expect([m.stats.distinct, m.stats.generated, m.stats.depth]).toEqual([a.stats.distinct, a.stats.generated, a.stats.depth]);
      expect(m.properties).toEqual(a.properties);
      expect(m.coverage).toEqual(a.coverage);
    }
  });

  it('a model with a PROPERTY stays in process without a note; --in-process and --workers together are refused', async () => {
    const r = await mommie(['verify', 'specs/PrimaryBackup.mom', '-m', 'CrashedBackup', '-q'], { env: { MOMMIE_VERIFY_PARALLEL_AT: '10' } });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toMatch(/worker/);
    const bad = await mommie(['verify', 'specs/PrimaryBackup.mom', '--in-process', '--workers', '2']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/--in-process and --workers N choose different searches/);
  });
});
