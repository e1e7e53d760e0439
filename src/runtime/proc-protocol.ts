// What a node process and its supervisor say to each other: NDJSON, one
// message a line — the node's reports on its stdout, the supervisor's
// commands on the node's stdin. Both sides decode what they read with these
// codecs: a line that does not decode is reported, never trusted.
//
// node -> supervisor
//   listening    the port is bound; `recovered` when the state came from the log
//   completions  requests whose PROGRESS matched since the last message, with latencies
//   first-fire   a transition fired at the node for the first time
//   progress     counters, every few hundred ms (for the progress line and quiescence)
//   finished     a client's workload is done (every request completed, or the program admits no more)
//   report       the final per-node report, sent once as the node stops
//   ttp-report   a trusted third party's final report (what it countersigned, refused)
//   error        why the node cannot run (it exits non-zero right after)
// supervisor -> node
//   go           start the workload (every node is listening)
//   stop         stop: log the stop event, send the report, exit

import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

const Counts = t.record(t.string, t.number);
const Op = t.type({ count: t.number, ms: t.number });

const WireSnapshot = t.type({
  framesIn: t.number,
  bytesIn: t.number,
  framesOut: t.number,
  bytesOut: t.number,
  framesDropped: t.type({ oversized: t.number, malformed: t.number, 'wrong-version': t.number, misaddressed: t.number, 'wrong-sender': t.number }),
  itemsAccepted: t.number,
  itemsDropped: t.type({
    malformed: t.number, forged: t.number, 'wrong-mechanism': t.number, 'not-a-verifier': t.number, 'no-key': t.number,
    'carried-forged': t.number, 'carried-not-auditable': t.number, 'carried-pattern-mismatch': t.number, 'carried-over-bound': t.number, 'carried-too-deep': t.number,
  }),
  carried: t.type({ checked: t.number, known: t.number }),
  crypto: t.type({ mac: Op, sign: Op, verify: Op }),
});

export const TcpStatsCodec = t.type({
  connectionsIn: t.number,
  connectionsOut: t.number,
  sessionsIn: t.number,
  sessionsOut: t.number,
  connectFailures: t.number,
  framesIn: t.number,
  bytesIn: t.number,
  framesOut: t.number,
  bytesOut: t.number,
  framesLost: t.number,
  backpressured: t.number,
  refused: t.type({
    oversized: t.number, garbage: t.number, 'no-handshake': t.number, 'too-many': t.number, version: t.number, 'unknown-peer': t.number,
    'bad-handshake': t.number, 'foreign-run': t.number, 'bad-record': t.number, replayed: t.number,
  }),
  firstRefusal: t.partial({
    oversized: t.string, garbage: t.string, 'no-handshake': t.string, 'too-many': t.string, version: t.string, 'unknown-peer': t.string,
    'bad-handshake': t.string, 'foreign-run': t.string, 'bad-record': t.string, replayed: t.string,
  }),
});

export const NodeReportCodec = t.intersection([
  t.type({
    node: t.string,
    role: t.string,
    status: t.union([t.literal('correct'), t.literal('crashed'), t.literal('byzantine'), t.literal('stopped')]),
    fired: Counts,
    aborted: t.number,
    state: t.record(t.string, t.string),
    statements: t.type({ published: t.number, sent: t.number, received: t.number, duplicates: t.number }),
    frames: t.type({ out: t.number, in: t.number, retransmitted: t.number, bytesOut: t.number, bytesIn: t.number, dropped: Counts }),
  }),
  t.partial({
    wire: WireSnapshot, tcp: TcpStatsCodec, recovered: t.type({ events: t.number, fires: t.number, deliveries: t.number }),
    countersign: t.type({ asked: t.number, requests: t.number, reasked: t.number, obtained: t.number, bad: t.number, late: t.number, heldBack: t.number, held: t.number }),
    dissemination: t.type({ relayRequests: t.number, relayed: t.number, escalations: t.number, lazy: t.number, batchWindows: t.number }),
    digest: Counts,
    cpu: t.type({ userMs: t.number, systemMs: t.number }),
    backpressure: t.type({ backlogged: t.number, backlogPeak: t.number, fetchesDeferred: t.number, heldFull: t.number, heldPeak: t.number, notHeld: t.number, rederived: t.number }),
    forgetting: t.type({ forgotten: t.number, absorbed: t.number, known: t.number }),
  }),
]);

const Frames = t.type({ out: t.number, in: t.number, retransmitted: t.number, bytesOut: t.number, bytesIn: t.number, dropped: Counts });

export const TtpReportCodec = t.intersection([
  t.type({
    node: t.string,
    status: t.union([t.literal('correct'), t.literal('stopped'), t.literal('absent')]),
    requests: t.number,
    countersigned: t.number,
    byIssuer: Counts,
    refused: Counts,
    frames: Frames,
  }),
  t.partial({ wire: WireSnapshot, tcp: TcpStatsCodec }),
]);

const Abort = t.type({ node: t.string, code: t.string, message: t.string, at: t.string });

export const NodeMessageCodec = t.union([
  t.intersection([
    t.type({ k: t.literal('listening'), node: t.string, port: t.number, pid: t.number }),
    t.partial({ recovered: t.intersection([t.type({ events: t.number, fires: t.number, deliveries: t.number, inFlight: t.number }), t.partial({ checkpoint: t.number, notes: t.array(t.string) })]) }),
  ]),
  t.type({ k: t.literal('completions'), node: t.string, latencies: t.array(t.number) }),
  // A transition fired for the first time at the node (the run report's account of a stop: what happened after it, when).
  t.type({ k: t.literal('first-fire'), node: t.string, transition: t.string }),
  t.type({ k: t.literal('progress'), node: t.string, issued: t.number, completed: t.number, fired: t.number, delivered: t.number, outstanding: t.number }),
  t.type({ k: t.literal('finished'), node: t.string, issued: t.number, completed: t.number, exhausted: t.boolean }),
  t.type({ k: t.literal('report'), node: t.string, report: NodeReportCodec, aborts: t.array(Abort), issued: t.number }),
  t.type({ k: t.literal('ttp-report'), node: t.string, report: TtpReportCodec }),
  t.type({ k: t.literal('error'), node: t.string, message: t.string }),
]);
export type NodeMessage = t.TypeOf<typeof NodeMessageCodec>;
export type NodeReportMessage = t.TypeOf<typeof NodeReportCodec>;

export const SupervisorMessageCodec = t.union([t.type({ k: t.literal('go') }), t.type({ k: t.literal('stop'), reason: t.string })]);
export type SupervisorMessage = t.TypeOf<typeof SupervisorMessageCodec>;

/** One line of the other side's output, decoded; a string saying why not otherwise. */
export function decodeLine<A>(codec: t.Decoder<unknown, A>, line: string): A | string {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return `not JSON: ${line.slice(0, 120)}`;
  }
  const d = codec.decode(json);
  return isLeft(d) ? `not a message of the node protocol: ${line.slice(0, 120)}` : d.right;
}
