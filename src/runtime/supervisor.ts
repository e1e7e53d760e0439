// The node processes of a TCP run, from the supervisor's side: start each
// one (execa), read its NDJSON reports (decoded with io-ts), tell it to go
// and to stop, and make sure none outlives the run (a node that does not stop
// when asked is killed; every node also stops by itself when its stdin — the
// pipe from here — closes).

import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NodeReport, TtpReport } from './report.js';
import { decodeLine, NodeMessageCodec, type NodeMessage, type SupervisorMessage } from './proc-protocol.js';

/** The node process entry, next to this module in the build. */
export const NODE_ENTRY = fileURLToPath(new URL('./node-main.js', import.meta.url));

export interface ChildSpec {
  readonly node: string;
  readonly args: readonly string[];
}

export interface ChildState {
  readonly node: string;
  readonly pid: number | undefined;
  listening: boolean;
  port?: number;
  recovered?: { events: number; fires: number; deliveries: number; inFlight: number; checkpoint?: number; notes?: string[] };
  error?: string;
  progress?: { issued: number; completed: number; fired: number; delivered: number; outstanding: number; at: number };
  finished?: { issued: number; completed: number; exhausted: boolean };
  report?: NodeReport;
  /** A trusted third party's final report. */
  ttpReport?: TtpReport;
  /** Requests the node started, as of its last word. */
  issued?: number;
  aborts: { node: string; code: string; message: string; at: string }[];
  exited?: { code: number | undefined; signal: string | undefined };
}

export interface SupervisorEvents {
  /** Something changed (a message came, a child exited): the run re-evaluates where it stands. */
  changed(): void;
  completions(node: string, latencies: readonly number[]): void;
  /** A transition fired at the node for the first time (told as soon as it fired). */
  firstFire?(node: string, transition: string): void;
  /** A line the node wrote on stderr, or a line of stdout that is no message. */
  said(node: string, line: string): void;
}

type Sub = ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; buffer: false; reject: false; cleanup: true }>;

export class Supervisor {
  readonly children = new Map<string, ChildState>();
  private readonly subs = new Map<string, Sub>();
  private readonly exits: Promise<void>[] = [];

  constructor(private readonly events: SupervisorEvents) {}

  start(spec: ChildSpec): void {
    const sub: Sub = execa(process.execPath, [NODE_ENTRY, ...spec.args], {
      stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, cleanup: true,
    });
    const state: ChildState = { node: spec.node, pid: sub.pid, listening: false, aborts: [] };
    this.children.set(spec.node, state);
    this.subs.set(spec.node, sub);
    // A write to a node that just died must not take the supervisor with it.
    sub.stdin.on('error', () => undefined);
    createInterface({ input: sub.stdout }).on('line', (line) => this.message(state, line));
    createInterface({ input: sub.stderr }).on('line', (line) => this.events.said(spec.node, line));
    this.exits.push(
      sub.then((r) => {
        state.exited = { code: r.exitCode, signal: r.signal };
        this.events.changed();
      }),
    );
  }

  tell(node: string, m: SupervisorMessage): void {
    const sub = this.subs.get(node);
    const st = this.children.get(node);
    if (sub === undefined || st?.exited !== undefined || !sub.stdin.writable) return;
    sub.stdin.write(JSON.stringify(m) + '\n');
  }

  tellAll(m: SupervisorMessage): void {
    for (const n of this.children.keys()) this.tell(n, m);
  }

  get running(): ChildState[] {
    return [...this.children.values()].filter((c) => c.exited === undefined);
  }

  /**
   * Asks every node to stop, waits up to `graceMs` for them to report and
   * exit, then kills what is left. Resolves when no child process remains.
   */
  async stopAll(reason: string, graceMs: number): Promise<void> {
    this.tellAll({ k: 'stop', reason });
    for (const sub of this.subs.values()) sub.stdin.end();
    const all = Promise.all(this.exits);
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
    if ((await Promise.race([all.then(() => 'done' as const), timer])) === 'late') {
      for (const [node, sub] of this.subs) if (this.children.get(node)?.exited === undefined) sub.kill('SIGKILL');
      await all;
    }
  }

  /** Kills one node's process at once (crash-stop, for tests and fault injection). */
  kill(node: string): void {
    this.subs.get(node)?.kill('SIGKILL');
  }

  private message(c: ChildState, line: string): void {
    const m = decodeLine<NodeMessage>(NodeMessageCodec, line);
    if (typeof m === 'string') return this.events.said(c.node, m);
    switch (m.k) {
      case 'listening':
        c.listening = true;
        c.port = m.port;
        if (m.recovered !== undefined) c.recovered = m.recovered;
        break;
      case 'completions':
        this.events.completions(c.node, m.latencies);
        break;
      case 'first-fire':
        this.events.firstFire?.(c.node, m.transition);
        break;
      case 'progress':
        c.progress = { issued: m.issued, completed: m.completed, fired: m.fired, delivered: m.delivered, outstanding: m.outstanding, at: performance.now() };
        c.issued = m.issued;
        break;
      case 'finished':
        c.finished = { issued: m.issued, completed: m.completed, exhausted: m.exhausted };
        c.issued = m.issued;
        break;
      case 'report':
        c.report = m.report;
        c.aborts = m.aborts;
        c.issued = m.issued;
        break;
      case 'ttp-report':
        c.ttpReport = m.report;
        break;
      case 'error':
        c.error = m.message;
        break;
    }
    this.events.changed();
  }
}
