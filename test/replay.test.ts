// `mommie replay` on logs written by `mommie run --trace`: the real run is
// accepted; a log edited by hand is rejected at the first bad step, in
// MOMMIE terms, with its file and line.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, cpSync, readdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie } from './helpers/cli.js';
import { consistent, editedRun, type Json } from './helpers/trace-edit.js';

let run: string;

beforeAll(async () => {
  run = mkdtempSync(join(tmpdir(), 'mommie-replay-'));
  const r = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '--network', 'sim', '--faults', 'drop=0.2,dup=0.2,delay=1-30', '--trace', join(run, 'logs')]);
  expect(r.exitCode).toBe(0);
});

/** A copy of the run's logs with one file edited. */
function tampered(file: string, edit: (lines: string[]) => string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'mommie-tampered-'));
  cpSync(join(run, 'logs'), dir, { recursive: true });
  const path = join(dir, file);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  writeFileSync(path, edit(lines).join('\n') + '\n');
  return dir;
}

/** A copy of the run's logs with one log's events edited, its numbers and own clock made consistent again. */
const rewritten = (file: string, edit: (events: Json[]) => Json[]): string =>
  editedRun(join(run, 'logs'), tmpdir(), file, (es) => consistent(file.replace('.ndjson', ''), edit(es)));

const events = (file: string): { line: number; e: Record<string, unknown> }[] =>
  readFileSync(join(run, 'logs', file), 'utf8').trimEnd().split('\n').map((l, i) => ({ line: i + 1, e: JSON.parse(l) as Record<string, unknown> }));

function firstIndex(file: string, pred: (e: Record<string, unknown>) => boolean): number {
  const i = events(file).findIndex(({ e }) => pred(e));
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

async function rejected(dir: string): Promise<string> {
  const r = await mommie(['replay', 'specs/PrimaryBackup.mom', dir]);
  expect(r.exitCode).toBe(2);
  return r.stderr;
}

describe('mommie replay', () => {
  it('accepts the logs of a real run with drops and duplicates', async () => {
    expect(readdirSync(join(run, 'logs')).sort()).toEqual(['c1.ndjson', 'c2.ndjson', 'r1.ndjson', 'r2.ndjson', 'r3.ndjson', 'r4.ndjson']);
    const r = await mommie(['replay', 'specs/PrimaryBackup.mom', join(run, 'logs')]);
    expect(r.stdout).toMatch(/accepted: 6 logs, \d+ events/);
    expect(r.exitCode).toBe(0);
  });

  it('rejects a delivery that nobody published (a changed reply)', async () => {
    const i = firstIndex('c1.ndjson', (e) => e.k === 'deliver');
    const dir = tampered('c1.ndjson', (ls) => ls.map((l, k) => (k === i ? l.replace(/\]},1\]/, ']},3]') : l)));
    expect(await rejected(dir)).toMatch(new RegExp(`c1\\.ndjson:${i + 1}: error: event \\d+ of c1: delivery of \\[r\\d -> c1, NOONE\\] Reply\\(req: Request\\(client: c1, op: 0\\), res: 3\\), which no node published`));
  });

  it('rejects a forged issuer', async () => {
    const i = firstIndex('c1.ndjson', (e) => e.k === 'deliver');
    // The issuer and the sender both: a reply c2 never sent.
    const dir = tampered('c1.ndjson', (ls) => ls.map((l, k) => (k === i ? l.replace(/"i":"r\d"/, '"i":"c2"').replace(/"from":"r\d"/, '"from":"c2"') : l)));
    expect(await rejected(dir)).toMatch(/delivery of \[c2 -> c1, NOONE\] Reply.*which no node published .*; c2's log \(.*c2\.ndjson\) never publishes it/);
  });

  it('rejects a changed value in a step', async () => {
    const i = firstIndex('r2.ndjson', (e) => e.k === 'fire' && e.t === 'Execute');
    const dir = tampered('r2.ndjson', (ls) => ls.map((l, k) => (k === i ? l.replace(/\["executeSeqNo",0,1\]/, '["executeSeqNo",0,2]') : l)));
    expect(await rejected(dir)).toMatch(new RegExp(`r2\\.ndjson:${i + 1}: error: event \\d+ of r2: Execute sets executeSeqNo to 1 here, but the log says 2`));
  });

  it('rejects a statement received by a node that is not its verifier', async () => {
    const c1 = events('c1.ndjson');
    const reply = c1.find(({ e }) => e.k === 'deliver')!;
    const dir = rewritten('c2.ndjson', (es) => [...es.slice(0, -1), reply.e, es[es.length - 1]!]);
    expect(await rejected(dir)).toMatch(/c2 received \[r\d -> c1, NOONE\] Reply.*but it is not one of the statement's verifiers/);
  });

  it('rejects a statement delivered twice and a transition fired twice', async () => {
    const d = firstIndex('r3.ndjson', (e) => e.k === 'deliver');
    // Repeated at the end, so that no later step of r3 (and no clock of another log) moves.
    const dup = rewritten('r3.ndjson', (es) => [...es.slice(0, -1), es[d]!, es[es.length - 1]!]);
    expect(await rejected(dup)).toMatch(/r3 already knew .*: a statement is delivered once/);
    const f = firstIndex('r3.ndjson', (e) => e.k === 'fire');
    const twice = rewritten('r3.ndjson', (es) => [...es.slice(0, -1), es[f]!, es[es.length - 1]!]);
    expect(await rejected(twice)).toMatch(/Execute\(.*\) fired a second time: a trigger instance fires once/);
  });

  it('rejects a step whose transition was not enabled (a reply accepted before its quorum)', async () => {
    const acc = firstIndex('c1.ndjson', (e) => e.k === 'fire' && e.t === 'Accept');
    const firstDeliver = firstIndex('c1.ndjson', (e) => e.k === 'deliver');
    const dir = rewritten('c1.ndjson', (es) => {
      const out = es.filter((_, k) => k !== acc);
      out.splice(firstDeliver, 0, es[acc]!);
      return out;
    });
    expect(await rejected(dir)).toMatch(/Accept fired with r = Reply\(req: Request\(client: c1, op: 0\), res: 1\), but that instance was not enabled in the reconstructed state/);
  });

  it('accepts a log whose last line was cut short (Ctrl-C), and rejects garbage in the middle', async () => {
    const cut = mkdtempSync(join(tmpdir(), 'mommie-cut-'));
    cpSync(join(run, 'logs'), cut, { recursive: true });
    appendFileSync(join(cut, 'r4.ndjson'), '{"k":"fire","n":');
    const ok = await mommie(['replay', 'specs/PrimaryBackup.mom', cut]);
    expect(ok.exitCode).toBe(0);
    const dir = tampered('r4.ndjson', (ls) => [ls[0]!, 'not json at all', ...ls.slice(1)]);
    expect(await rejected(dir)).toMatch(/r4\.ndjson:2: error: not JSON/);
  });

  it('refuses bad input with exit 1', async () => {
    const none = await mommie(['replay', 'specs/PrimaryBackup.mom', join(run, 'missing')]);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/cannot read/);
    const usage = await mommie(['replay', 'specs/PrimaryBackup.mom']);
    expect(usage.exitCode).toBe(1);
  });
});

describe('mommie run: bad input', () => {
  it('needs --deploy, a known network and well-formed faults; never overwrites logs silently', async () => {
    const noDeploy = await mommie(['run', 'specs/PrimaryBackup.mom', '--network', 'sim']);
    expect(noDeploy.exitCode).toBe(1);
    expect(noDeploy.stderr).toMatch(/--deploy FILE is required/);
    const badNet = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '--network', 'udp']);
    expect(badNet.stderr).toMatch(/--network takes sim or tcp/);
    const badFaults = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '--network', 'sim', '--faults', 'drop=2']);
    expect(badFaults.stderr).toMatch(/drop takes a probability/);
    const model = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '--network', 'sim', '--model', 'Nope']);
    expect(model.stderr).toMatch(/no model named Nope/);
    const again = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '--network', 'sim', '--trace', join(run, 'logs')]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already holds c1\.ndjson.*--force/);
    for (const r of [badNet, badFaults, model]) expect(r.exitCode).toBe(1);
  });

  it('reports as JSON', async () => {
    const r = await mommie(['run', 'specs/PBFTNormal.mom', '--deploy', 'specs/PBFTNormal.deploy', '--network', 'sim', '--json']);
    expect(r.exitCode).toBe(0);
    const rep = JSON.parse(r.stdout) as { network: string; requests: { completed: number; started: number }; nodes: { node: string; wire?: { crypto: { sign: { count: number } } } }[] };
    expect(rep.network).toBe('sim');
    expect(rep.requests.completed).toBe(rep.requests.started);
    expect(rep.requests.completed).toBeGreaterThan(0);
    // PBFT's requests, pre-prepares and prepares are signed.
    expect(rep.nodes.find((n) => n.node === 'c1')?.wire?.crypto.sign.count).toBeGreaterThan(0);
  });
});
