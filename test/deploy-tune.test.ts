// `mommie deploy-tune` (issue 9, item 4): the file it writes passes
// deploy-check and runs, the ranking is ordered by the objective, the base
// file is a candidate, -o never overwrites without --force, and bad input is
// a message and exit 1, never a stack trace. The tuning is kept small
// (--quick, few requests, few candidates); figures depend on the machine, so
// only structure and order are asserted.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import { admit } from '../src/tune/admit.js';
import { readBase } from '../src/tune/base.js';
import { renderChoice } from '../src/tune/render.js';
import { everyChoice } from '../src/tune/search.js';
import { buildSpace, startChoice } from '../src/tune/space.js';
import { DEFAULT_TUNE_OPTIONS } from '../src/tune/types.js';
import { predict, tune, type TcpMeasurement } from '../src/tune/index.js';
import { mommie, ROOT } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mommie-tune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = ['--requests', '20', '--max-candidates', '4', '--quick'];
const noStack = (s: string): void => expect(s).not.toMatch(/\n\s+at /);

interface RankedJson {
  readonly rank: number;
  readonly origin: 'base' | 'generated';
  readonly description: string;
  readonly predicted: { readonly throughputPerS: number; readonly latencyMs: number; readonly bytesPerRequest: number };
  readonly text: string;
}

function ranking(stdout: string): { ranked: RankedJson[]; constants: Record<string, unknown>; base: { scored: boolean } } {
  return JSON.parse(stdout) as { ranked: RankedJson[]; constants: Record<string, unknown>; base: { scored: boolean } };
}

describe('candidates', () => {
  const fe = checkFile(join(ROOT, 'specs/PBCounter.mom'));
  const basePath = join(ROOT, 'specs/PBCounter.deploy');

  it('come from what the program publishes, the base file choices among them', () => {
    const read = readBase(basePath, readFileSync(basePath, 'utf8'), fe.program!, fe.source);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const own = admit(basePath, read.base.text, fe.program!, fe.source);
    expect(own.ok).toBe(true);
    const space = buildSpace(fe.program!, read.base.skeleton, own.ok ? own.deployment : undefined, DEFAULT_TUNE_OPTIONS);
    const keys = space.dimensions.map((d) => d.key);
    expect(keys).toEqual(expect.arrayContaining(['auth C R', 'auth R R', 'dissemination C Request', 'dissemination R Order', 'dissemination R Reply']));
    const auth = space.dimensions.find((d) => d.key === 'auth C R')!;
    // No PLAINTEXT without --allow-plaintext, no RSA without --allow-rsa.
    expect(auth.options).toEqual(['HMAC', 'ED25519']);
    const request = space.dimensions.find((d) => d.key === 'dissemination C Request')!;
    expect(request.options).toEqual(expect.arrayContaining(['', 'OPTIMISTIC(PRIMARY) 200ms', 'OPTIMISTIC(QUORUM) 200ms', 'BATCH(16, 2ms)', 'OPTIMISTIC(PRIMARY) 200ms; BATCH(16, 2ms)']));
    // PRIMARY is no verifier of a Reply: not offered there.
    expect(space.dimensions.find((d) => d.key === 'dissemination R Reply')!.options.some((o) => o.includes('PRIMARY'))).toBe(false);
    // The search starts from the base's own choices, and their generated form passes deploy-check.
    const start = startChoice(space);
    expect(start).toEqual(space.dimensions.map((d) => d.baseOption));
    const text = renderChoice(read.base, space, start);
    expect(text).toContain('C -> R [Request] : OPTIMISTIC(PRIMARY) 200ms;');
    expect(text).toContain('MaxSeq = 8000');
    expect(admit('start.deploy', text, fe.program!, fe.source).ok).toBe(true);
    // Every combination only when they fit the budget; coordinate descent otherwise.
    const product = space.dimensions.reduce((n, d) => n * d.options.length, 1);
    expect(everyChoice(space, product)).toHaveLength(product);
    expect(everyChoice(space, product - 1)).toBeUndefined();
    const withPlaintext = buildSpace(fe.program!, read.base.skeleton, undefined, { ...DEFAULT_TUNE_OPTIONS, allowPlaintext: true, allowRsa: true });
    expect(withPlaintext.dimensions.find((d) => d.key === 'auth C R')!.options).toEqual(['HMAC', 'ED25519', 'RSA', 'PLAINTEXT']);
  });
});

describe('mommie deploy-tune', () => {
  const out = join(dir, 'PBCounter-tuned.deploy');

  it('writes the best deploy file for throughput: deploy-check accepts it and a simulated run completes with it', async () => {
    const r = await mommie(['deploy-tune', 'specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '--objective', 'throughput', '-o', out, ...SMALL, '--json'], { timeoutMs: 120_000 });
    noStack(r.stderr);
    expect(r.exitCode).toBe(0);
    const j = ranking(r.stdout);
    expect(j.ranked.length).toBeGreaterThanOrEqual(2);
    const tp = j.ranked.map((c) => c.predicted.throughputPerS);
    expect(tp).toEqual([...tp].sort((a, b) => b - a));
    expect(j.ranked.map((c) => c.rank)).toEqual(j.ranked.map((_, i) => i + 1));
    // The base file as written is one of the candidates.
    expect(j.base.scored).toBe(true);
    expect(j.ranked.filter((c) => c.origin === 'base')).toHaveLength(1);
    expect(Object.keys(j.constants)).toEqual(expect.arrayContaining(['crypto', 'network', 'processingUs', 'cores']));

    const written = readFileSync(out, 'utf8');
    expect(written).toMatch(/^\/\/ Chosen by `mommie deploy-tune specs\/PBCounter.mom/);
    expect(written).toMatch(/^\/\/ Predicted: .*requests\/s/m);
    expect(written).toMatch(/^\/\/ Measured on this machine: HMAC .*µs/m);
    expect(written).toContain(j.ranked[0]!.text);

    const check = await mommie(['deploy-check', 'specs/PBCounter.mom', out]);
    expect(check.exitCode).toBe(0);
    const run = await mommie(['run', 'specs/PBCounter.mom', '--deploy', out, '--network', 'sim', '--requests', '20']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('requests: 20 of 20 completed');
  });

  it('refuses to overwrite the output file without --force', async () => {
    const before = readFileSync(out, 'utf8');
    const r = await mommie(['deploy-tune', 'specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '-o', out, ...SMALL]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${out} exists; pass --force to overwrite it`);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('ranks by bytes per request, prints the table, and overwrites with --force', async () => {
    const r = await mommie(['deploy-tune', 'specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '--objective', 'bytes', '-o', out, '--force', ...SMALL], { timeoutMs: 120_000 });
    noStack(r.stderr);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^measured on this machine: HMAC /);
    expect(r.stdout).toContain('objective: bytes (bytes on the wire per request, lower is better)');
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.trimStart().startsWith('rank'));
    expect(lines[head]).toContain('[bytes/req]');
    const rows = lines.slice(head + 1).filter((l) => /^\s+\d+\s/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const bytes = rows.map((l) => Number(l.trim().split(/\s+/)[3]));
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(rows.some((l) => l.includes('PBCounter.deploy as written'))).toBe(true);
    expect(r.stdout).toContain(`wrote ${out}: `);
    expect(readFileSync(out, 'utf8')).toContain('--objective bytes');
    const check = await mommie(['deploy-check', 'specs/PBCounter.mom', out]);
    expect(check.exitCode).toBe(0);
  });

  it('tunes past a base whose own choices deploy-check refuses, and says why the base is no candidate', async () => {
    // PBFTCounter's requests are auditable by everyone: HMAC alone cannot give them.
    const base = join(dir, 'PBFT-no-signatures.deploy');
    writeFileSync(base, readFileSync(join(ROOT, 'specs/PBFTCounter.deploy'), 'utf8').replace(/\[Non-repudiation\][^[]*/, ''));
    const target = join(dir, 'PBFT-tuned.deploy');
    const r = await mommie(['deploy-tune', 'specs/PBFTCounter.mom', '--nodes', base, '-o', target, '--requests', '10', '--max-candidates', '2', '--quick'], { timeoutMs: 120_000 });
    noStack(r.stderr);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/as written is no candidate: .*MOM620/);
    const check = await mommie(['deploy-check', 'specs/PBFTCounter.mom', target]);
    expect(check.exitCode).toBe(0);
  });
});

describe('mommie deploy-tune: bad input', () => {
  const target = join(dir, 'never.deploy');
  const tuneWith = (...args: string[]) => mommie(['deploy-tune', ...args]);

  it('an unknown objective, a missing -o or --nodes, a bad number', async () => {
    const cases: [string[], string][] = [
      [['specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '-o', target, '--objective', 'speed'], "--objective takes throughput, latency, bytes, not 'speed'"],
      [['specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy'], '-o OUT.deploy is required'],
      [['specs/PBCounter.mom', '-o', target], '--nodes BASE.deploy is required'],
      [['specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '-o', target, '--requests', '0'], "--requests takes a positive whole number, not '0'"],
      [['specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '-o', target, '--clients', '9'], '--clients 9: PBCounter has 8 clients'],
      [['specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '-o', target, '--calibrate-tcp', '0'], '--calibrate-tcp 0: give a number of requests'],
      [['specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '-o', target, '--calibrate-tcp', 'many'], '--calibrate-tcp many: give a number of requests'],
      [['--nodes', 'specs/PBCounter.deploy', '-o', target], 'give exactly one program'],
      [['specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '-o', join(dir, 'no-such-dir', 'x.deploy')], 'there is no directory'],
    ];
    for (const [args, message] of cases) {
      const r = await tuneWith(...args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(message);
      noStack(r.stderr);
    }
    expect(existsSync(target)).toBe(false);
  });

  it('a program that does not check, and a missing program', async () => {
    const bad = join(dir, 'Broken.mom');
    writeFileSync(bad, 'PROGRAM Broken\nPRINCIPALS P = {p1}\nROLE X AT P {\n  VAR v : BOOLEAN = \n}\n');
    const r = await tuneWith(bad, '--nodes', 'specs/PBCounter.deploy', '-o', target);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error MOM`));
    expect(r.stderr).toContain('nothing to tune');
    noStack(r.stderr);
    const missing = await tuneWith('specs/Nope.mom', '--nodes', 'specs/PBCounter.deploy', '-o', target);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('MOM001');
  });

  it('a base file that is not a deployment of the program, one with a syntax error, one that is missing', async () => {
    const other = await tuneWith('specs/PBCounter.mom', '--nodes', 'specs/BrachaBroadcast.deploy', '-o', target);
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toMatch(/specs\/BrachaBroadcast\.deploy:\d+:\d+: error MOM610: p1 is not a principal of PROGRAM PBCounter/);
    expect(other.stderr).toContain('specs/BrachaBroadcast.deploy is not a deployment of PBCounter');
    noStack(other.stderr);

    const broken = join(dir, 'broken.deploy');
    writeFileSync(broken, readFileSync(join(ROOT, 'specs/PBCounter.deploy'), 'utf8').replace('[Timeouts]', '[Timeouts]\nReplica.SuspectPrimary = soon'));
    const syntax = await tuneWith('specs/PBCounter.mom', '--nodes', broken, '-o', target);
    expect(syntax.exitCode).toBe(1);
    expect(syntax.stderr).toMatch(/broken\.deploy:\d+:\d+: error MOM6\d\d/);
    noStack(syntax.stderr);

    const missing = await tuneWith('specs/PBCounter.mom', '--nodes', join(dir, 'absent.deploy'), '-o', target);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('MOM001');
    expect(existsSync(target)).toBe(false);
  });

  it('a base whose constants admit no request: nothing to tune', async () => {
    const zero = join(dir, 'zero.deploy');
    writeFileSync(zero, readFileSync(join(ROOT, 'specs/PBCounter.deploy'), 'utf8').replace(/^MaxReq = \d+/m, 'MaxReq = 0'));
    const r = await tuneWith('specs/PBCounter.mom', '--nodes', zero, '-o', target, '--quick', '--requests', '10');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('no simulated run of PBCounter completes a request');
    noStack(r.stderr);
    expect(existsSync(target)).toBe(false);
  });

  it('--json reports a failure as JSON', async () => {
    const r = await tuneWith('specs/PBCounter.mom', '--nodes', 'specs/BrachaBroadcast.deploy', '-o', target, '--json');
    expect(r.exitCode).toBe(1);
    const j = JSON.parse(r.stdout) as { ok: boolean; diagnostics: { code: string; line: number }[] };
    expect(j.ok).toBe(false);
    expect(j.diagnostics[0]).toMatchObject({ code: 'MOM610' });
    expect(typeof j.diagnostics[0]!.line).toBe('number');
  });
});

describe('deploy-tune calibrated over TCP', () => {
  const fe = checkFile(join(ROOT, 'specs/PBCounter.mom'));
  const basePath = join(ROOT, 'specs/PBCounter.deploy');
  const base = { file: basePath, text: readFileSync(basePath, 'utf8') };

  it('charges the extra CPU a real run measured to the statements, and scales predictions by the measured efficiency', async () => {
    // What a TCP run "measured": made up, so that the arithmetic is checked exactly.
    const measured: TcpMeasurement = { completed: 40, throughputPerS: 7, cpuUsPerRequest: 90_000 };
    let ran: string | undefined;
    const r = await tune({
      program: fe.program!, ...(fe.source !== undefined ? { programSource: fe.source } : {}), base, objective: 'throughput',
      options: { requests: 20, maxCandidates: 3, quick: true },
      measureTcp: async (text) => {
        ran = text;
        return measured;
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // The calibration deployment is what ran: unicast, no optimizer.
    expect(ran).toBeDefined();
    expect(ran).not.toMatch(/\[Dissemination\][^[]*(BATCH|OPTIMISTIC|DIGEST)/);
    const tcp = r.constants.tcp!;
    expect(tcp.measured).toEqual(measured);
    expect(r.constants.processingUs).toBeGreaterThan(tcp.simProcessingUs);
    // The calibration deployment itself, predicted with the corrected constants, has the measured CPU and throughput.
    const admitted = admit('calibration', ran!, fe.program!, fe.source);
    expect(admitted.ok).toBe(true);
    const same = r.ranked.find((c) => c.text === ran);
    if (same !== undefined) {
      const p = predict(same.observation, r.constants);
      expect(p.cpuUsPerRequest).toBeCloseTo(measured.cpuUsPerRequest, -1);
      expect(p.throughputPerS).toBeCloseTo(measured.throughputPerS, 1);
    }
    // Every candidate's prediction is the model's with the corrected constants, scaled by the measured efficiency.
    for (const c of r.ranked) {
      const unscaled = predict(c.observation, { ...r.constants, tcp: undefined });
      expect(c.prediction.throughputPerS).toBeCloseTo(unscaled.throughputPerS * tcp.efficiency, 6);
      expect(c.prediction.throughputPerS).toBeLessThan(50);
    }
  }, 120_000);

  it('a calibration run that fails ends the tuning with its reason', async () => {
    const r = await tune({
      program: fe.program!, base, objective: 'throughput', options: { requests: 10, maxCandidates: 2, quick: true },
      measureTcp: async () => ({ error: 'no sockets today' }),
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('no sockets today');
  }, 120_000);

  it('--calibrate-tcp runs the calibration deployment as node processes and prints what it measured', async () => {
    const out = join(dir, 'tcp.deploy');
    const r = await mommie(['deploy-tune', 'specs/PBCounter.mom', '--nodes', 'specs/PBCounter.deploy', '-o', out, '--calibrate-tcp', '30', '--clients', '1', ...SMALL], { timeoutMs: 200_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/calibrated over TCP \(30 requests: [\d.]+ req\/s, \d+ µs CPU per request\): processing [\d.]+ µs in simulation, efficiency [\d.]+/);
    expect(readFileSync(out, 'utf8')).toMatch(/^\/\/ Measured on this machine: .*calibrated over TCP/m);
  }, 240_000);
});
