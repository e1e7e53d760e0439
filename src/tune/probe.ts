// The network's cost on this machine: two endpoints of the runtime's own TCP
// transport (src/transport/tcp.ts) on 127.0.0.1 play ping-pong with frames of
// a few sizes. Per size, the wall time of a round trip gives the time of one
// hop (half of it), and this process's CPU time over the exchange (both ends
// run here) gives the CPU of one frame, sent and received. Each is fitted as
// fixed + perByte × bytes over the sizes.

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RUN_ID_BYTES } from '../transport/session.js';
import { listenTcp, type TcpTransport } from '../transport/tcp.js';
import type { Endpoint } from '../deploy/deployment.js';
import type { Linear, NetworkCosts } from './types.js';

export interface ProbeOptions {
  /** Frame sizes, bytes (default 64, 1024, 8192). */
  readonly sizes?: readonly number[];
  /** Round trips per size (default 300). */
  readonly rounds?: number;
  /** Give up after this long, ms (default 10000). */
  readonly timeoutMs?: number;
}

export type ProbeResult = { readonly ok: true; readonly costs: NetworkCosts } | { readonly ok: false; readonly message: string };

/** Least-squares line through (x, y) points, clamped so that neither part is negative. */
export function fitLine(points: readonly { x: number; y: number }[]): Linear {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : Math.max(0, points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx);
  return { fixedUs: Math.max(0, my - slope * mx), perByteUs: slope };
}

export function linear(l: Linear, bytes: number): number {
  return l.fixedUs + l.perByteUs * bytes;
}

/** Sends `rounds` frames of `bytes` from a to b and back, one at a time; wall µs and CPU µs over the exchange. */
function pingPong(a: TcpTransport, b: TcpTransport, bytes: number, rounds: number): Promise<{ wallUs: number; cpuUs: number }> {
  const frame = new Uint8Array(bytes).fill(7);
  return new Promise((resolve) => {
    let left = rounds;
    b.onFrame((_from, f) => b.send('probe-a', f));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    a.onFrame(() => {
      if (--left > 0) return void a.send('probe-b', frame);
      const cpu = process.cpuUsage(cpu0);
      resolve({ wallUs: (performance.now() - t0) * 1000, cpuUs: cpu.user + cpu.system });
    });
    a.send('probe-b', frame);
  });
}

export async function probeLoopback(opts: ProbeOptions = {}): Promise<ProbeResult> {
  const sizes = opts.sizes ?? [64, 1024, 8192];
  const rounds = opts.rounds ?? 300;
  const peers = new Map<string, Endpoint>();
  // Two ends of one probe: a throwaway pair key and run identity, so the probe pays what a run's link pays.
  const pair = new Uint8Array(randomBytes(32));
  const run = new Uint8Array(randomBytes(RUN_ID_BYTES));
  const listen = (me: string): ReturnType<typeof listenTcp> => listenTcp({ me, listen: { host: '127.0.0.1', port: 0 }, peers, run, pairKey: () => pair });
  const la = await listen('probe-a');
  if (!la.ok) return { ok: false, message: la.error.message };
  const lb = await listen('probe-b');
  if (!lb.ok) {
    await la.transport.close();
    return { ok: false, message: lb.error.message };
  }
  const a = la.transport;
  const b = lb.transport;
  // The transports read their peers' addresses when they connect: the ports are known only now.
  peers.set('probe-a', { host: '127.0.0.1', port: a.port });
  peers.set('probe-b', { host: '127.0.0.1', port: b.port });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), opts.timeoutMs ?? 10_000)));
  try {
    const run = async (): Promise<NetworkCosts> => {
      // Connections are made on the first frame, and the first frames warm the code up.
      await pingPong(a, b, sizes[0] ?? 64, 50);
      const hops: { x: number; y: number }[] = [];
      const cpus: { x: number; y: number }[] = [];
      for (const size of sizes) {
        const r = await pingPong(a, b, size, rounds);
        hops.push({ x: size, y: r.wallUs / (2 * rounds) });
        cpus.push({ x: size, y: r.cpuUs / (2 * rounds) });
      }
      return { frameCpu: fitLine(cpus), hop: fitLine(hops), sizes };
    };
    const r = await Promise.race([run(), timeout]);
    if (r === 'timeout') return { ok: false, message: `the loopback probe over 127.0.0.1 did not finish within ${opts.timeoutMs ?? 10_000} ms` };
    return { ok: true, costs: r };
  } finally {
    clearTimeout(timer);
    await a.close();
    await b.close();
  }
}
