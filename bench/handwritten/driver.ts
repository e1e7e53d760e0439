// Runs the hand-written PBFT: 4 replicas (f = 1) and C clients, each node its
// own OS process over TCP loopback (node-main.ts), and checks the run before
// reporting any figure: every replica executed every request, once, and ends
// with the same counter (the sum of the operations the clients asked for) at
// the same sequence number; every client got f+1 matching replies for each
// of its requests and no contradicting one; no message was refused or lost.
// A run that fails a check, stalls or loses a process is an error, never a
// figure. Every child process is gone when the promise settles.

import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { percentile } from '../../src/runtime/report.js';
import { repoRoot } from '../stats.js';
import { generateNodeKeys, type AuthMode } from './auth.js';
import { opFor } from './client.js';
import { decodeFromNode, type Counters, type FromNode, type Init } from './protocol.js';

export interface HandwrittenOptions {
  readonly clients: number;
  /** Requests each client keeps in flight at most. */
  readonly outstanding: number;
  /** Requests in all, shared out among the clients. */
  readonly requests: number;
  /** Requests per pre-prepare at most; 1 is no batching. */
  readonly batch: number;
  readonly auth: AuthMode;
  /** Node i listens on basePort + i (replicas r1..r4 first, then clients c1..cC)... */
  readonly basePort: number;
  /** ...unless the ports are given, one per node in that order (a test's free ports). */
  readonly ports?: readonly number[];
  /** How long the primary holds a partial batch (default 1 ms). */
  readonly flushMs?: number;
  /** The whole run, start-up included, fails past this (default 30 s + 20 ms per request). */
  readonly timeoutMs?: number;
  /** Told of each child process as it starts. */
  readonly onChild?: (node: string, pid: number) => void;
}

export interface HandwrittenResult {
  readonly throughputPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Protocol messages (TCP frames) sent by every node, per request. */
  readonly messagesPerRequest: number;
  /** Their bytes (without the transport's 4-byte length prefix and the hello), per request. */
  readonly bytesPerRequest: number;
  /** MACs computed (to send or to check), signatures made and verified, by every node, per request. */
  readonly cryptoOpsPerRequest: number;
  readonly macsPerRequest: number;
  readonly signsPerRequest: number;
  readonly verifiesPerRequest: number;
  /** CPU time (user + system) of every node's process over the run, per request (ms): less at the mercy of a shared machine than the throughput. */
  readonly cpuMsPerRequest: number;
  /** Pre-prepares (sequence numbers) used: requests / this is the mean batch size. */
  readonly sequenceNumbers: number;
  /** The replicas' common counter. */
  readonly counter: number;
  readonly completed: number;
  /** From the first request sent to the last one answered (ms). */
  readonly durationMs: number;
  /** Every child process's id (all exited by now). */
  readonly pids: readonly number[];
}

const N_REPLICAS = 4;
const F = 1;

/** The node process entry: next to this module in the build, or there when this module runs from source (vitest). */
function nodeEntry(): string {
  const here = fileURLToPath(new URL('./node-main.js', import.meta.url));
  return existsSync(here) ? here : join(repoRoot(), 'dist', 'bench', 'handwritten', 'node-main.js');
}

type Child = ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; buffer: false; reject: false; cleanup: true }>;

interface NodeState {
  readonly name: string;
  readonly sub: Child;
  listening: boolean;
  done?: Extract<FromNode, { t: 'done' }>;
  final?: Extract<FromNode, { t: 'final' }>;
  exited: boolean;
  readonly stderr: string[];
}

class RunFailed extends Error {}

export async function runHandwrittenPbft(opts: HandwrittenOptions): Promise<HandwrittenResult> {
  if (!(opts.clients >= 1 && opts.outstanding >= 1 && opts.batch >= 1 && opts.requests >= opts.clients)) {
    throw new Error(`runHandwrittenPbft: needs clients, outstanding and batch >= 1 and at least one request per client (got ${JSON.stringify(opts)})`);
  }
  const replicas = Array.from({ length: N_REPLICAS }, (_, i) => `r${i + 1}`);
  const clients = Array.from({ length: opts.clients }, (_, i) => `c${i + 1}`);
  const names = [...replicas, ...clients];
  const ports = opts.ports ?? names.map((_, i) => opts.basePort + i);
  if (ports.length < names.length) throw new Error(`runHandwrittenPbft: ${names.length} ports needed, ${ports.length} given`);
  const addresses = Object.fromEntries(names.map((n, i) => [n, { host: '127.0.0.1', port: ports[i]! }]));
  const quota = new Map(clients.map((c, i) => [c, Math.floor(opts.requests / opts.clients) + (i < opts.requests % opts.clients ? 1 : 0)]));
  const keys = generateNodeKeys(names);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000 + 20 * opts.requests);

  const nodes = new Map<string, NodeState>();
  let wake: () => void = () => undefined;
  let problem: string | undefined;
  const changed = (): void => wake();

  const entry = nodeEntry();
  const exits: Promise<unknown>[] = [];
  const pids: number[] = [];
  try {
    for (const name of names) {
      const sub: Child = execa(process.execPath, [entry], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: true });
      const st: NodeState = { name, sub, listening: false, exited: false, stderr: [] };
      nodes.set(name, st);
      if (sub.pid !== undefined) {
        pids.push(sub.pid);
        opts.onChild?.(name, sub.pid);
      }
      sub.stdin.on('error', () => undefined);
      createInterface({ input: sub.stdout }).on('line', (line) => {
        const m = decodeFromNode(line);
        if (typeof m === 'string') problem ??= `${name}: ${m}`;
        else if (m.t === 'listening') st.listening = true;
        else if (m.t === 'error') problem ??= `${name}: ${m.message}`;
        else if (m.t === 'done') st.done = m;
        else st.final = m;
        changed();
      });
      createInterface({ input: sub.stderr }).on('line', (line) => {
        st.stderr.push(line);
        if (st.stderr.length > 20) st.stderr.shift();
      });
      exits.push(sub.then(() => {
        st.exited = true;
        changed();
      }));
      const init: Init = {
        t: 'init', me: name, role: replicas.includes(name) ? 'replica' : 'client', auth: opts.auth, replicas, clients, addresses,
        keys: keys.get(name)!, batch: opts.batch, flushMs: opts.flushMs ?? 1, requests: quota.get(name) ?? 0, outstanding: opts.outstanding,
      };
      sub.stdin.write(`${JSON.stringify(init)}\n`);
    }

    /** Resolves once `cond` holds; fails on a node's error, a node that exits, or the deadline. */
    const until = async (what: string, cond: () => boolean): Promise<void> => {
      for (;;) {
        if (problem !== undefined) throw new RunFailed(problem);
        const gone = [...nodes.values()].find((n) => n.exited);
        if (gone !== undefined) throw new RunFailed(`${gone.name} exited while waiting for ${what}${gone.stderr.length > 0 ? `: ${gone.stderr.slice(-3).join(' | ')}` : ''}`);
        if (cond()) return;
        const left = deadline - Date.now();
        if (left <= 0) throw new RunFailed(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 1000));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    const all = [...nodes.values()];
    const clientStates = all.filter((n) => clients.includes(n.name));
    const replicaStates = all.filter((n) => replicas.includes(n.name));

    await until('every node to listen', () => all.every((n) => n.listening));
    for (const c of clientStates) c.sub.stdin.write(`${JSON.stringify({ t: 'go' })}\n`);
    await until('every client to be answered', () => clientStates.every((c) => c.done !== undefined));
    for (const r of replicaStates) r.sub.stdin.write(`${JSON.stringify({ t: 'finish', expect: opts.requests, graceMs: 5000 })}\n`);
    await until("every replica's final state", () => replicaStates.every((r) => r.final !== undefined));

    // --- checks ---------------------------------------------------------------
    const errors: string[] = [];
    let expected = 0;
    for (const q of quota.values()) for (let id = 0; id < q; id++) expected += opFor(id);
    const finals = replicaStates.map((r) => r.final!);
    const dones = clientStates.map((c) => c.done!);
    for (const r of finals) {
      if (r.executed !== opts.requests) errors.push(`${r.node} executed ${r.executed} of ${opts.requests} requests`);
      if (r.counter !== expected) errors.push(`${r.node} ends with counter ${r.counter}, expected ${expected}`);
      if (r.lastSeq !== finals[0]!.lastSeq) errors.push(`${r.node} executed up to sequence number ${r.lastSeq}, ${finals[0]!.node} up to ${finals[0]!.lastSeq}`);
      if (r.duplicates !== 0) errors.push(`${r.node} saw ${r.duplicates} requests ordered twice`);
    }
    for (const c of dones) {
      const q = quota.get(c.node)!;
      if (c.completed !== q || c.latenciesMs.length !== q) errors.push(`${c.node} got ${F + 1} matching replies for ${c.completed} of its ${q} requests`);
      if (c.conflicts !== 0) errors.push(`${c.node} got ${c.conflicts} replies contradicting another`);
    }
    const counters: Counters[] = [...finals, ...dones].map((x) => x.counters);
    for (const [x, c] of [...finals, ...dones].map((x) => [x, x.counters] as const)) {
      if (c.refused !== 0) errors.push(`${x.node} refused ${c.refused} messages`);
      if (c.lost !== 0) errors.push(`${x.node}'s transport lost ${c.lost} frames`);
    }
    if (errors.length > 0) throw new RunFailed(`the run is wrong: ${errors.join('; ')}`);

    // --- figures --------------------------------------------------------------
    const done = opts.requests;
    const sum = (k: keyof Counters): number => counters.reduce((n, c) => n + c[k], 0);
    const latencies = dones.flatMap((c) => c.latenciesMs);
    const start = Math.min(...dones.map((c) => c.startMs));
    const end = Math.max(...dones.map((c) => c.endMs));
    const durationMs = end - start;
    return {
      throughputPerS: durationMs > 0 ? done / (durationMs / 1000) : 0,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      messagesPerRequest: sum('messages') / done,
      bytesPerRequest: sum('bytes') / done,
      cryptoOpsPerRequest: (sum('mac') + sum('sign') + sum('verify')) / done,
      macsPerRequest: sum('mac') / done,
      signsPerRequest: sum('sign') / done,
      verifiesPerRequest: sum('verify') / done,
      cpuMsPerRequest: sum('cpuMs') / done,
      sequenceNumbers: finals[0]!.lastSeq,
      counter: finals[0]!.counter,
      completed: done,
      durationMs,
      pids,
    };
  } catch (e) {
    if (e instanceof RunFailed) throw new Error(`hand-written PBFT (${opts.clients} client(s), batch ${opts.batch}, ${opts.auth}): ${e.message}`);
    throw e;
  } finally {
    // Every child goes: stdin closed (a node exits when it closes), killed if it lingers.
    for (const n of nodes.values()) n.sub.stdin.end();
    const settled = Promise.all(exits);
    const late = await Promise.race([settled.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 2000).unref())]);
    if (late) for (const n of nodes.values()) if (!n.exited) n.sub.kill('SIGKILL');
    await settled;
  }
}
