// What a run reports, whichever network ran it: per node what fired, its
// final state, its traffic and crypto; over the run, requests, throughput and
// latency. `mommie run` prints it as text or JSON.

import type { Trace } from '../check/result.js';
import type { TcpStats } from '../transport/tcp.js';
import type { WireStatsSnapshot } from '../wire/index.js';
import { formatVerdict, type RunVerdict } from './verdict.js';
import type { ByzantineNodeReport } from './byzantine.js';
import { formatHealth, type HealthFinding } from './health.js';
import { formatStop, type StopReport } from './stop-watch.js';

export interface NodeReport {
  readonly node: string;
  readonly role: string;
  readonly status: 'correct' | 'crashed' | 'byzantine' | 'stopped';
  /** Firings per transition. */
  readonly fired: Readonly<Record<string, number>>;
  readonly aborted: number;
  /** Final values of the role variables, in MOMMIE syntax. */
  readonly state: Readonly<Record<string, string>>;
  readonly statements: { readonly published: number; readonly sent: number; readonly received: number; readonly duplicates: number };
  readonly frames: { readonly out: number; readonly in: number; readonly retransmitted: number; readonly bytesOut: number; readonly bytesIn: number; readonly dropped: Readonly<Record<string, number>> };
  readonly wire?: WireStatsSnapshot;
  /** Over TCP: the node's connections (transport/tcp.ts). */
  readonly tcp?: TcpStats;
  /** Over TCP: the node was restarted and rebuilt its state from its log. */
  readonly recovered?: { readonly events: number; readonly fires: number; readonly deliveries: number };
  /** When some of its statements needed a trusted third party's countersignature (runtime/outbox.ts, wire-codec.ts). */
  readonly countersign?: CountersignReport;
  /** What the [Dissemination] optimizers did at this node, when they did anything (runtime/outbox.ts). */
  readonly dissemination?: DisseminationReport;
  /** What the DIGEST optimizer did at this node, when it did anything (runtime/record-store.ts DigestCounts). */
  readonly digest?: Readonly<Record<string, number>>;
  /** Over TCP: the CPU time of the node's process from the start of the workload until it stopped (ms). */
  readonly cpu?: NodeCpu;
  /** Over TCP: where a peer was slowed down rather than served without bound ([Limits]), when it was. */
  readonly backpressure?: BackpressureReport;
  /** When its role forgets (FORGET, issue 23): statements forgotten, late copies absorbed, statements known at the end. */
  readonly forgetting?: ForgettingReport;
}

export interface ForgettingReport {
  readonly forgotten: number;
  readonly absorbed: number;
  readonly known: number;
}

/** What the [Limits] did at a node: each count is a peer slowed down, none a frame of a correct peer dropped. */
export interface BackpressureReport {
  /** Frames that waited for room in a peer's window (MaxUnackedPerPeer), and the longest such wait list. */
  readonly backlogged: number;
  readonly backlogPeak: number;
  /** A peer's fetch requests left unacked while answers to it waited (MaxFetchAnswersPerPeer). */
  readonly fetchesDeferred: number;
  /** Frames of a peer left unacked because its held digested items were at MaxHeldPerPeer. */
  readonly heldFull: number;
  /** The most frames held toward one peer at once (unacked and waiting): MaxUnackedPerPeer + MaxBacklogPerPeer bound it, a page of re-derived statements aside. */
  readonly heldPeak: number;
  /** Messages not held for a peer past MaxBacklogPerPeer (its own statements are re-derived from the log, the rest is the others' to send again). */
  readonly notHeld: number;
  /** This node's statements re-derived from its log for peers it had not held them for. */
  readonly rederived: number;
}

export interface NodeCpu {
  readonly userMs: number;
  readonly systemMs: number;
}

export interface DisseminationReport {
  /** (statement, verifier) pairs sent with a request to pass the statement on; statements it passed on for others, per verifier. */
  readonly relayRequests: number;
  readonly relayed: number;
  /** Optimizer steps that ran out of time without progress; (statement, verifier) pairs the fallback sent lazily after progress. */
  readonly escalations: number;
  readonly lazy: number;
  /** Frames a BATCH window sent (rather than a full batch). */
  readonly batchWindows: number;
}

export interface CountersignReport {
  /** Statements it asked a TTP to countersign (asking again included), in how many request frames, how many of those asked again. */
  readonly asked: number;
  readonly requests: number;
  readonly reasked: number;
  /** Countersignatures obtained (checked with the TTP's key), bad ones refused, late ones (nothing waited for them) ignored. */
  readonly obtained: number;
  readonly bad: number;
  readonly late: number;
  /** (statement, verifier) pairs that had to wait for a countersignature, and those still waiting at the end. */
  readonly heldBack: number;
  readonly held: number;
}

/** A trusted third party's part of the run: what it countersigned for whom, what it refused and why. */
export interface TtpReport {
  readonly node: string;
  /** `correct` while it ran to the end; over TCP, `stopped` if its process died, `absent` if this run did not start it. */
  readonly status: 'correct' | 'stopped' | 'absent';
  /** Countersign request frames answered. */
  readonly requests: number;
  readonly countersigned: number;
  readonly byIssuer: Readonly<Record<string, number>>;
  /** Statements refused, by reason (not-issuer: the requester is not the issuer; not-this-ttp; forged; ...). */
  readonly refused: Readonly<Record<string, number>>;
  readonly frames: NodeReport['frames'];
  readonly wire?: WireStatsSnapshot;
  readonly tcp?: TcpStats;
}

export interface RunReport {
  readonly program: string;
  readonly network: 'sim' | 'tcp';
  readonly seed?: number;
  /** Over TCP: the run identity (runtime/run-id.ts) every node presented in its handshakes. */
  readonly run?: string;
  readonly requests: { readonly asked: number; readonly started: number; readonly completed: number; readonly exhausted: boolean };
  /** Milliseconds the run took: virtual on the simulated network, real over TCP. */
  readonly durationMs: number;
  readonly clock: 'virtual' | 'real';
  readonly throughputPerS: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly nodes: readonly NodeReport[];
  /** The deployment's trusted third parties, when it has any. */
  readonly ttps?: readonly TtpReport[];
  readonly aborts: readonly { readonly node: string; readonly code: string; readonly message: string; readonly at: string }[];
  /** Over TCP: node processes that stopped while the workload ran, and what followed (runtime/stop-watch.ts). */
  readonly stops?: readonly StopReport[];
  readonly violation?: { readonly invariant: string; readonly trace: Trace; readonly omitted: number };
  /** A request the model promises to answer that was not answered in time (`never`: nothing was left to happen). */
  readonly stalled?: { readonly request: string; readonly sinceMs: number; readonly never?: boolean };
  /** What looks wrong in the run's figures and what to change (runtime/health.ts): set by the command, like the verdict. */
  readonly health?: readonly HealthFinding[];
  /** What the run concludes (runtime/verdict.ts): set by the command before it prints the report. */
  readonly verdict?: RunVerdict;
  /** Which engine ran the transitions (simulated network): the compiled core, with the evaluations it handed to the interpreter, or the reference (--reference). */
  readonly core?: { readonly engine: 'compiled' | 'reference'; readonly fallbacks?: number };
  /** Over the Byzantine nodes of the model (simulated network), and per node with the budget its model gives it. */
  readonly byzantine?: {
    readonly published: number; readonly replayed: number; readonly mutated: number; readonly forged: number; readonly forgedRequests?: number;
    readonly nodes: readonly ByzantineNodeReport[];
  };
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function formatRunReport(r: RunReport): string[] {
  const lines: string[] = [];
  const clock = r.clock === 'virtual' ? ' (virtual time)' : '';
  lines.push(`${r.program} on the ${r.network === 'sim' ? `simulated network, seed ${r.seed ?? 0}` : 'TCP loopback'}${r.run !== undefined ? `, run ${r.run}` : ''}`);
  for (const n of r.nodes) {
    const fired = Object.entries(n.fired).map(([t, k]) => `${t}×${k}`).join(', ') || 'nothing';
    lines.push(`  ${n.node} (${n.role}${n.status === 'correct' ? '' : `, ${n.status}`}): fired ${fired}${n.aborted > 0 ? `; ${n.aborted} aborted` : ''}`);
    const state = Object.entries(n.state).map(([k, v]) => `${k} = ${v}`).join(', ');
    if (state !== '') lines.push(`    state: ${state}`);
    const s = n.statements;
    const f = n.frames;
    const dropped = Object.entries(f.dropped).filter(([, k]) => k > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`    statements: ${s.published} published, ${s.sent} sent, ${s.received} received, ${s.duplicates} duplicates absorbed`);
    if (n.forgetting !== undefined) lines.push(`    forgetting: ${n.forgetting.forgotten} statements forgotten, ${n.forgetting.absorbed} late copies absorbed, ${n.forgetting.known} known at the end`);
    lines.push(`    frames: ${f.out} out (${f.retransmitted} retransmitted, ${f.bytesOut} bytes), ${f.in} in (${f.bytesIn} bytes)${dropped === '' ? '' : `, dropped: ${dropped}`}`);
    wireLines(lines, n);
    if (n.countersign !== undefined) {
      const c = n.countersign;
      const extra = [c.reasked > 0 ? `${c.reasked} requests asked again` : '', c.bad > 0 ? `${c.bad} bad countersignatures refused` : '', c.late > 0 ? `${c.late} late ones ignored` : ''].filter((x) => x !== '').join(', ');
      lines.push(`    countersignatures: ${c.obtained} obtained for ${c.asked} asked (${c.requests} requests${extra === '' ? '' : `; ${extra}`}); ${c.heldBack} sends waited for one${c.held > 0 ? `, ${c.held} still waiting` : ''}`);
    }
    if (n.dissemination !== undefined) {
      const d = n.dissemination;
      lines.push(`    dissemination: ${d.relayRequests} sent for relaying, ${d.relayed} relayed for others, ${d.escalations} escalations, ${d.lazy} sent lazily after progress, ${d.batchWindows} batch windows ran out`);
    }
    if (n.digest !== undefined) {
      const g = (k: string): number => n.digest?.[k] ?? 0;
      lines.push(`    digests: ${g('sent')} items sent by digest (${g('full')} in full), ${g('rebuilt')} rebuilt at once, ${g('held')} held for a record (${g('resolved')} resolved), ${g('asked')} records asked for, ${g('fetched')} fetched, ${g('served')} served, ${g('unknown')} unknown asked, ${g('bad')} bad records refused${g('heldFull') > 0 ? `, ${g('heldFull')} frames refused at the held cap` : ''}`);
    }
    if (n.recovered !== undefined) lines.push(`    recovered from its log: ${n.recovered.events} events re-done (${n.recovered.fires} fires, ${n.recovered.deliveries} deliveries)`);
  }
  for (const t of r.ttps ?? []) {
    const by = Object.entries(t.byIssuer).map(([k, v]) => `${k} ${v}`).join(', ');
    const refused = Object.entries(t.refused).filter(([, k]) => k > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  ${t.node} (trusted third party${t.status === 'correct' ? '' : `, ${t.status}`}): countersigned ${t.countersigned} statements${by === '' ? '' : ` (${by})`} in ${t.requests} requests${refused === '' ? '' : `; refused: ${refused}`}`);
    const f = t.frames;
    const dropped = Object.entries(f.dropped).filter(([, k]) => k > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`    frames: ${f.out} out (${f.retransmitted} retransmitted, ${f.bytesOut} bytes), ${f.in} in (${f.bytesIn} bytes)${dropped === '' ? '' : `, dropped: ${dropped}`}`);
    wireLines(lines, t);
  }
  for (const a of r.aborts) lines.push(`  ${a.at}: ${a.code} at ${a.node}: ${a.message} (the step was aborted and its instance set aside)`);
  for (const b of r.byzantine?.nodes ?? []) {
    const own = b.budget === 0 ? 'nothing of its own to send (its model gives it no SENDS)' : `published ${b.published} of the ${b.budget} statements of its own its model allows`;
    lines.push(`  Byzantine ${b.node}: ${own}; ${b.replayed} frames replayed, ${b.mutated} mutated, ${b.forged} forgeries attempted${b.forgedRequests > 0 ? `, ${b.forgedRequests} countersignatures asked for others' statements` : ''}${b.badCarriers > 0 ? `, ${b.badCarriers} altered certificates (${Object.entries(b.badCarriersBy).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
  }
  for (const s of r.stops ?? []) lines.push(...formatStop(s).map((l) => `  ${l}`));
  const q = r.requests;
  lines.push(`requests: ${q.completed} of ${q.started} completed (${q.asked} asked${q.exhausted && q.started < q.asked ? '; the program admits no more' : ''})`);
  const cpuMs = r.nodes.reduce((k, n) => k + (n.cpu === undefined ? 0 : n.cpu.userMs + n.cpu.systemMs), 0);
  if (r.nodes.some((n) => n.cpu !== undefined) && q.completed > 0) {
    lines.push(`cpu: ${(cpuMs / 1000).toFixed(1)} s over the node processes from go to stop (user and system), ${(cpuMs / q.completed).toFixed(2)} ms per completed request`);
  }
  lines.push(`throughput: ${r.throughputPerS.toFixed(1)} requests/s${clock}; latency p50 ${r.latencyMs.p50.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms, max ${r.latencyMs.max.toFixed(1)} ms${clock}`);
  if (r.health !== undefined) lines.push(...formatHealth(r.health));
  if (r.verdict !== undefined) lines.push(...formatVerdict(r.verdict));
  else if (r.stalled !== undefined) lines.push(`no progress: request ${r.stalled.request}, started at ${r.stalled.sinceMs} ms, was never answered`);
  return lines;
}

function wireLines(lines: string[], n: { readonly wire?: WireStatsSnapshot; readonly tcp?: TcpStats; readonly backpressure?: BackpressureReport }): void {
  if (n.wire !== undefined) {
    const c = n.wire.crypto;
    const items = Object.entries(n.wire.itemsDropped).filter(([, k]) => k > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`    crypto: ${c.mac.count} MACs, ${c.sign.count} signatures, ${c.verify.count} verifications${items === '' ? '' : `; statements refused: ${items}`}`);
  }
  if (n.tcp !== undefined) {
    const t = n.tcp;
    const refused = Object.entries(t.refused).filter(([, k]) => k > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`    tcp: ${t.connectionsOut} connections out, ${t.connectionsIn} in, ${t.sessionsOut + t.sessionsIn} sessions, ${t.connectFailures} failed attempts, ${t.framesLost} frames lost while a peer was down${refused === '' ? '' : `; connections refused: ${refused}`}`);
    // A peer of another run is worth its words: which runs.
    const foreign = t.firstRefusal['foreign-run'];
    if (foreign !== undefined) lines.push(`    foreign run: ${foreign}`);
  }
  const b = n.backpressure;
  if (b !== undefined) {
    lines.push(`    backpressure: ${b.backlogged} frames waited for a peer's window (longest wait list ${b.backlogPeak}), ${n.tcp?.backpressured ?? 0} waits for a slow peer's socket, ${b.fetchesDeferred} fetch requests deferred, ${b.heldFull} frames left unacked at a peer's held-item limit; at most ${b.heldPeak} frames held for one peer, ${b.notHeld} messages not held for a peer past its backlog limit, ${b.rederived} statements re-derived from the log`);
  }
}
