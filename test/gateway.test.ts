// The HTTP/JSON gateway (src/gateway/http.ts, issue 26 item 3) over a client
// of a simulated deployment (the client API's openSimulation), with real HTTP
// on loopback: every status code the issue lists, and the gateway serving on
// after each bad request; then `mommie serve` itself in front of a live TCP
// deployment.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openSimulation, type Client, type Simulation } from '../src/api/index.js';
import { startGateway, type Gateway } from '../src/gateway/http.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mommie, ROOT } from './helpers/cli.js';
import { deployOnFreePorts, killAll, makeKeys, startMommie, until } from './helpers/tcp-run.js';

const NEVER = join(ROOT, 'test', 'fixtures', 'answer', 'AnswerNever.mom');
const NEVER_DEPLOY = join(ROOT, 'test', 'fixtures', 'answer', 'AnswerNever.deploy');

let sim: Simulation;
let gw: Gateway;
let url: string;

beforeAll(async () => {
  sim = await openSimulation(NEVER, NEVER_DEPLOY);
  gw = await startGateway(sim.node('c1'), { host: '127.0.0.1', port: 0, maxBodyBytes: 1024, maxInFlight: 1, timeoutMs: 10_000 });
  url = `http://127.0.0.1:${gw.port}`;
});

afterAll(async () => {
  await gw.close();
  sim.close();
});

async function post(path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

describe('mommie serve\'s gateway', () => {
  it('GET /transitions lists each input with its parameters\' types and its answer', async () => {
    const r = await fetch(`${url}/transitions`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ node: 'c1', transitions: [{ name: 'Call', params: [{ name: 'id', type: expect.stringMatching(/\.\./) as unknown, requestId: false }], answer: 'id' }] });
  });

  it('a call gets its declared answer (200); the same call again is 409, as fire-once says', async () => {
    expect(await post('/transitions/Call', '{"id":0}')).toEqual({ status: 200, json: { answer: 0 } });
    const again = await post('/transitions/Call', '{"id":0}');
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: 'fired', sent: false });
  });

  it('400 malformed JSON or not an object, 404 unknown transition or path, 405 another method, 413 over the body limit, 422 outside the type', async () => {
    expect((await post('/transitions/Call', '{"id":')).status).toBe(400);
    expect((await post('/transitions/Call', '[1]')).status).toBe(400);
    const unknown = await post('/transitions/Nope', '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.json['message']).toMatch(/no input transition Nope/);
    expect((await post('/elsewhere', '{}')).status).toBe(404);
    expect((await fetch(`${url}/transitions/Call`)).status).toBe(405);
    expect((await post('/transitions/Call', JSON.stringify({ id: 'x'.repeat(2000) }))).status).toBe(413);
    const outside = await post('/transitions/Call', '{"id":99}');
    expect(outside.status).toBe(422);
    expect(outside.json).toMatchObject({ error: 'arguments', sent: false });
  });

  it('504 with outcome unknown when no answer comes in time, and the gateway goes on serving', async () => {
    const r = await post('/transitions/Call?timeoutMs=3000', '{"id":1}');
    expect(r.status).toBe(504);
    expect(r.json).toMatchObject({ outcome: 'unknown', sent: true, call: { transition: 'Call', args: { id: 1 } } });
    expect((await fetch(`${url}/transitions`)).status).toBe(200);
  });

  it('429 while the calls in flight are at the limit (a client whose answers the test releases)', async () => {
    // A simulation answers in virtual time, at once in real time: a call that stays in flight needs a client that waits.
    const release: (() => void)[] = [];
    const held: Client = {
      name: 'c1',
      calls: sim.node('c1').calls,
      submit: () => new Promise((resolve) => release.push(() => resolve(7))),
    };
    const small = await startGateway(held, { host: '127.0.0.1', port: 0, maxBodyBytes: 1024, maxInFlight: 2 });
    try {
      const at = `http://127.0.0.1:${small.port}/transitions/Call`;
      const call = (): Promise<Response> => fetch(at, { method: 'POST', body: '{"id":0}' });
      const first = [call(), call()];
      while (release.length < 2) await new Promise((r) => setTimeout(r, 10));
      expect((await call()).status).toBe(429);
      for (const r of release) r();
      expect(await Promise.all(first.map(async (p) => (await p).status))).toEqual([200, 200]);
      expect(small.counts.refused[429]).toBe(1);
    } finally {
      await small.close();
    }
  });

  it('401 without the bearer token when it has one; 503 once the node has stopped', async () => {
    const other = await openSimulation(NEVER, NEVER_DEPLOY);
    const guarded = await startGateway(other.node('c1'), { host: '127.0.0.1', port: 0, maxBodyBytes: 1024, maxInFlight: 4, token: 's3cret' });
    try {
      const at = `http://127.0.0.1:${guarded.port}`;
      expect((await fetch(`${at}/transitions`)).status).toBe(401);
      expect((await fetch(`${at}/transitions`, { headers: { authorization: 'Bearer wrong!' } })).status).toBe(401);
      const ok = await fetch(`${at}/transitions/Call`, { method: 'POST', body: '{"id":0}', headers: { authorization: 'Bearer s3cret' } });
      expect(await ok.json()).toEqual({ answer: 0 });
      other.close();
      const stopped = await fetch(`${at}/transitions/Call`, { method: 'POST', body: '{"id":2}', headers: { authorization: 'Bearer s3cret' } });
      expect(stopped.status).toBe(503);
    } finally {
      await guarded.close();
    }
  });
});

describe('mommie serve (the CLI, over TCP on loopback)', () => {
  it('serves c1 of a live deployment: the answer, a 504, and on SIGINT a count of what it did; every process stopped', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-serve-'));
    try {
      const { path: deploy } = await deployOnFreePorts(readFileSync(NEVER_DEPLOY, 'utf8'), join(dir, 'AnswerNever.deploy'));
      const keys = join(dir, 'keys');
      await makeKeys(deploy, keys);
      const runIdFile = join(dir, 'run-id');
      expect((await mommie(['run-id', deploy, '-o', runIdFile])).exitCode).toBe(0);
      const server = startMommie(['run', NEVER, '--deploy', deploy, '--keys', keys, '--network', 'tcp', '--node', 's1', '--run-id', runIdFile, '--trace', join(dir, 's1'), '--timeout', '90000'], 100_000);
      const serve = startMommie(['serve', NEVER, '--deploy', deploy, '--keys', keys, '--node', 'c1', '--listen', '127.0.0.1:0', '--log', join(dir, 'c1'), '--run-id', runIdFile], 100_000);
      let port = 0;
      serve.all?.on('data', (d: Buffer) => {
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(d.toString());
        if (m !== null) port = Number(m[1]);
      });
      await until('the gateway listening', () => port > 0, 60_000);
      const at = `http://127.0.0.1:${port}/transitions/Call`;
      expect(await (await fetch(at, { method: 'POST', body: '{"id":0}' })).json()).toEqual({ answer: 0 });
      expect((await fetch(`${at}?timeoutMs=1500`, { method: 'POST', body: '{"id":1}' })).status).toBe(504);
      serve.kill('SIGINT');
      const r = await serve;
      expect(r.exitCode, r.all).toBe(0);
      expect(r.all).toMatch(/stopped: 2 calls, 1 answered; refused 1 × 504/);
      server.kill('SIGKILL');
      await server;
    } finally {
      expect(await killAll(dir)).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to listen beyond loopback without --allow-remote, and --allow-remote without a token', async () => {
    const base = ['serve', NEVER, '--deploy', NEVER_DEPLOY, '--keys', '/nonexistent', '--node', 'c1'];
    const open = await mommie([...base, '--listen', '0.0.0.0:8080']);
    expect(open.exitCode).toBe(1);
    expect(open.stderr).toMatch(/listens on loopback only; give --allow-remote/);
    const noToken = await mommie([...base, '--listen', '0.0.0.0:8080', '--allow-remote']);
    expect(noToken.exitCode).toBe(1);
    expect(noToken.stderr).toMatch(/--allow-remote needs --token-file/);
  });
});
