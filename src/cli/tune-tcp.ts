// deploy-tune --calibrate-tcp: runs a deploy file's text as `mommie run
// --network tcp` does (this CLI, a child process, one process per node on
// free loopback ports, fresh keys), and reads back what the run measured.
// The tuner (src/tune/) starts no processes itself: it is handed this.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as t from 'io-ts';
import { isRight } from 'fp-ts/lib/Either.js';
import { writeKeyFiles } from '../keys/write.js';
import { freePorts } from '../transport/free-ports.js';
import type { TcpMeasurement } from '../tune/types.js';

export interface TcpRunShape {
  readonly programPath: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly clients?: number;
  /** The whole run, startup included, at most (ms). */
  readonly timeoutMs: number;
}

const RunReportCodec = t.type({
  requests: t.type({ completed: t.number }),
  throughputPerS: t.number,
  nodes: t.array(t.partial({ cpu: t.type({ userMs: t.number, systemMs: t.number }) })),
});

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** The [Nodes] section's names, and the text with each node moved to 127.0.0.1 on a free port. */
async function onLoopback(text: string): Promise<{ readonly text: string; readonly nodes: readonly string[] }> {
  const nodes: string[] = [];
  let section = '';
  const entries: (RegExpExecArray | string)[] = [];
  for (const line of text.split('\n')) {
    const head = /^\s*\[([^\]]+)\]/.exec(line);
    if (head !== null) section = head[1]!.trim();
    const entry = section === 'Nodes' ? /^(\s*)([A-Za-z_]\w*)(\s*=\s*)\S+(.*)$/.exec(line) : null;
    if (entry !== null) nodes.push(entry[2]!);
    entries.push(entry ?? line);
  }
  const ports = await freePorts(nodes.length);
  let k = 0;
  const lines = entries.map((e) => (typeof e === 'string' ? e : `${e[1]}${e[2]}${e[3]}127.0.0.1:${ports[k++]!}${e[4]}`));
  return { text: lines.join('\n'), nodes };
}

export function tcpMeasurer(shape: TcpRunShape): (deployText: string) => Promise<TcpMeasurement | { readonly error: string }> {
  return async (deployText) => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-tune-tcp-'));
    try {
      const moved = await onLoopback(deployText);
      const deploy = join(dir, 'calibration.deploy');
      writeFileSync(deploy, moved.text);
      const keys = await writeKeyFiles(join(dir, 'keys'), moved.nodes);
      if (!keys.ok) return { error: `cannot write the calibration's keys: ${keys.diagnostic.message}` };
      const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
      const r = await execa(process.execPath, [
        MAIN, 'run', shape.programPath, '--deploy', deploy, '--keys', join(dir, 'keys'), '--network', 'tcp',
        '--requests', String(shape.requests), '--concurrency', String(shape.concurrency),
        ...(shape.clients === undefined ? [] : ['--clients', String(shape.clients)]),
        '--timeout', String(shape.timeoutMs), '--json',
      ], { reject: false, timeout: shape.timeoutMs + 30_000 });
      // The last lines carry the diagnostics that say why (a refused deployment prints them before its summary).
      if (r.exitCode !== 0) return { error: `mommie run --network tcp exited ${String(r.exitCode)}: ${String(r.stderr).trim().split('\n').slice(-6).join('\n')}` };
      let json: unknown;
      try {
        json = JSON.parse(String(r.stdout));
      } catch {
        return { error: 'mommie run --json printed something that is not JSON' };
      }
      const d = RunReportCodec.decode(json);
      if (!isRight(d)) return { error: 'mommie run --json printed a report without requests, throughput or nodes' };
      const rep = d.right;
      const cpuMs = rep.nodes.reduce((k, n) => k + (n.cpu === undefined ? 0 : n.cpu.userMs + n.cpu.systemMs), 0);
      const done = rep.requests.completed;
      return { completed: done, throughputPerS: rep.throughputPerS, cpuUsPerRequest: done > 0 ? (cpuMs * 1000) / done : 0 };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
