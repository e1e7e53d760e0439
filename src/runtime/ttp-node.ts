// A trusted third party's node: no role, no state of the program, nothing it
// publishes. It answers countersign requests over the reliable link: for each
// statement its codec checks that the authenticated requester is the
// statement's issuer and that the deployment routes that statement through
// this TTP (so its auditors are all its clients), countersigns it with its
// Ed25519 key, and sends the countersignatures back. It is correct by
// assumption (models cannot name it), so it is never crashed or Byzantine.
//
// Its log (with --trace) records what it countersigned and what it refused;
// `mommie replay` checks that it countersigned only statements their issuer
// published, for that issuer (docs/runtime.md, "Trusted third parties").

import type { Deployment } from '../deploy/deployment.js';
import { TRACE_VERSION, type RunHeader, type StartEvent } from '../trace/events.js';
import type { Transport } from '../transport/transport.js';
import type { FrameCodec, Sequenced } from './codec.js';
import type { Host } from './host.js';
import { DEFAULT_LINK_OPTIONS, ReliableLink, type LinkOptions } from './link.js';
import { statementJson, type TraceSink } from './node.js';

export interface TtpNodeOptions {
  readonly name: string;
  readonly transport: Transport;
  readonly codec: FrameCodec;
  readonly host: Host;
  readonly link?: LinkOptions;
  readonly trace?: TraceSink;
  /** The number of the last event of an earlier incarnation's log this one appends to. */
  readonly events?: number;
}

export interface TtpStats {
  /** Countersign request frames answered. */
  requests: number;
  countersigned: number;
  /** Countersigned statements per issuer. */
  readonly byIssuer: Record<string, number>;
  /** Statements refused, by reason (not-issuer, not-this-ttp, forged, wrong-mechanism, invalid-statement, no-mechanism, no-key). */
  readonly refused: Record<string, number>;
  /** Numbered frames that were no countersign request (a TTP is never a verifier): acked and ignored. */
  ignored: number;
}

export class TtpNode {
  readonly stats: TtpStats = { requests: 0, countersigned: 0, byIssuer: {}, refused: {}, ignored: 0 };
  readonly link: ReliableLink;
  private events: number;
  private stopped = false;

  constructor(private readonly opts: TtpNodeOptions) {
    this.events = opts.events ?? 0;
    this.link = new ReliableLink(opts.transport, opts.codec, opts.host, (from, m) => this.onMessage(from, m), opts.link ?? DEFAULT_LINK_OPTIONS);
  }

  get name(): string {
    return this.opts.name;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.link.close();
    this.opts.trace?.write({ k: 'stop', n: ++this.events, reason });
    this.opts.trace?.flush?.();
    void this.opts.transport.close();
  }

  private onMessage(from: string, m: Sequenced): void {
    if (this.stopped) return;
    if (m.kind !== 'countersign-request') {
      this.stats.ignored++;
      return;
    }
    this.stats.requests++;
    for (const a of m.attestations) {
      const s = a.statement === undefined ? {} : { s: statementJson(a.statement) };
      if (a.refused === undefined) {
        this.stats.countersigned++;
        this.stats.byIssuer[a.requester] = (this.stats.byIssuer[a.requester] ?? 0) + 1;
        if (a.statement !== undefined) this.opts.trace?.write({ k: 'countersign', n: ++this.events, from, s: statementJson(a.statement) });
      } else {
        this.stats.refused[a.refused.reason] = (this.stats.refused[a.refused.reason] ?? 0) + 1;
        this.opts.trace?.write({ k: 'refuse', n: ++this.events, from, reason: a.refused.reason, detail: a.refused.detail, ...s });
      }
    }
    // Logged first, answered second, as a node logs a step before its statements leave.
    this.opts.trace?.flush?.();
    this.link.send(from, { kind: 'countersign-reply', answers: m.answers });
  }
}

/** The nodes of a deployment that are no principal of the program: its trusted third parties. */
export function thirdParties(deployment: Deployment, principals: Iterable<string>): string[] {
  const ps = new Set(principals);
  return [...deployment.nodes.keys()].filter((n) => !ps.has(n)).sort();
}

/** The first line of a TTP's log. */
export function ttpStartEvent(name: string, program: string, header: RunHeader = {}): StartEvent {
  return { k: 'start', version: TRACE_VERSION, node: name, role: '', program, constants: {}, faulty: 'ttp', ...header };
}
