// One node of the hand-written PBFT as its own OS process (the driver starts
// one per replica and per client): mommie's TCP transport (src/transport/tcp.ts:
// length-prefixed frames, hello), commands on stdin, reports on stdout
// (protocol.ts). The process exits when its stdin closes.

import { createInterface } from 'node:readline';
import { startCpuProfile } from '../../src/runtime/cpu-profile.js';
import { listenTcp, type TcpTransport } from '../../src/transport/tcp.js';
import { WireStats } from '../../src/wire/stats.js';
import { Authenticator } from './auth.js';
import { Client } from './client.js';
import { CountingNet } from './net.js';
import { RUN_ID_BYTES } from '../../src/transport/session.js';
import { decodeToNode, type FromNode, type Init } from './protocol.js';
import { Replica } from './replica.js';

function say(m: FromNode): void {
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

let me = '?';
let transport: TcpTransport | undefined;
let replica: Replica | undefined;
let client: Client | undefined;
let wire = new WireStats();
let net: CountingNet | undefined;
/** Writes the CPU profile when MOMMIE_CPU_PROFILE_DIR asks for one (src/runtime/cpu-profile.ts). */
let writeProfile: () => Promise<void> = async () => undefined;

function fail(message: string): never {
  say({ t: 'error', node: me, message });
  process.exit(1);
}

async function init(m: Init): Promise<void> {
  me = m.me;
  writeProfile = await startCpuProfile(m.me);
  wire = new WireStats();
  const auth = new Authenticator(m.me, m.auth, m.keys, wire);
  const listen = m.addresses[m.me];
  if (listen === undefined) fail(`no address for ${m.me}`);
  const talksTo = m.role === 'replica' ? [...m.replicas, ...m.clients] : m.replicas;
  const peers = new Map(talksTo.filter((n) => n !== m.me).map((n) => {
    const a = m.addresses[n];
    if (a === undefined) fail(`no address for ${n}`);
    return [n, a] as const;
  }));
  // The runtime's transport, sessions included, so that the comparison pays the same link costs;
  // one run of the bench at a time: its run identity is a constant.
  const hmac = new Map(Object.entries(m.keys.hmac).map(([n, k]) => [n, new Uint8Array(Buffer.from(k, 'base64'))] as const));
  const l = await listenTcp({ me: m.me, listen, peers, run: new Uint8Array(RUN_ID_BYTES), pairKey: (p) => hmac.get(p) });
  if (!l.ok) fail(l.error.message);
  const t = l.transport;
  transport = t;
  const counting = new CountingNet({ send: (to, bytes) => t.send(to, bytes) });
  net = counting;
  if (m.role === 'replica') {
    const r = new Replica({ me: m.me, replicas: m.replicas, clients: m.clients, batch: m.batch, flushMs: m.flushMs }, auth, counting);
    replica = r;
    t.onFrame((_from, bytes) => r.receive(bytes));
  } else {
    const c = new Client({ me: m.me, replicas: m.replicas, requests: m.requests, outstanding: m.outstanding }, auth, counting);
    client = c;
    c.onDone = () => say({
      t: 'done', node: me, completed: c.completed, conflicts: c.conflicts, latenciesMs: c.latenciesMs,
      startMs: c.startMs, endMs: c.endMs, counters: counting.counters(wire, t.stats.framesLost),
    });
    t.onFrame((_from, bytes) => c.receive(bytes));
  }
  say({ t: 'listening', node: me });
}

function finish(expect: number, graceMs: number): void {
  const r = replica;
  const n = net;
  if (r === undefined || n === undefined) return;
  let sent = false;
  const report = (): void => {
    if (sent) return;
    sent = true;
    clearTimeout(timer);
    say({ t: 'final', node: me, counter: r.counter, executed: r.executed, lastSeq: r.lastExec, duplicates: r.duplicates, counters: n.counters(wire, transport?.stats.framesLost ?? 0) });
  };
  const timer = setTimeout(report, graceMs);
  r.onExecute = () => {
    if (r.executed >= expect) report();
  };
  if (r.executed >= expect) report();
}

async function stop(): Promise<void> {
  replica?.close();
  await transport?.close();
  await writeProfile();
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const m = decodeToNode(line);
  if (typeof m === 'string') return fail(m);
  switch (m.t) {
    case 'init':
      init(m).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
      return;
    case 'go':
      return client?.go();
    case 'finish':
      return finish(m.expect, m.graceMs);
  }
});
lines.on('close', () => void stop());
