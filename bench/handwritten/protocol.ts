// What the driver and a node process of the hand-written PBFT say to each
// other: NDJSON over the child's stdin and stdout, one message a line, each
// decoded with io-ts on arrival (a line that does not decode is reported,
// never trusted).
//
// driver -> node
//   init     who the node is, every address, its keys, the workload
//   go       (client) start sending requests
//   finish   (replica) report once `expect` requests are executed, or after `graceMs`
//   (stdin closed: exit)
// node -> driver
//   listening  the port is bound
//   done       (client) every request answered: latencies and counters
//   final      (replica) the counter, what was executed, counters
//   error      why the node cannot go on (it exits right after)

import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

const Address = t.type({ host: t.string, port: t.number });
const Mode = t.union([t.literal('ed25519'), t.literal('mac')]);

export const InitCodec = t.type({
  t: t.literal('init'),
  me: t.string,
  role: t.union([t.literal('replica'), t.literal('client')]),
  auth: Mode,
  replicas: t.array(t.string),
  clients: t.array(t.string),
  addresses: t.record(t.string, Address),
  keys: t.type({ privateKey: t.string, publicKeys: t.record(t.string, t.string), hmac: t.record(t.string, t.string) }),
  /** Replica: requests per pre-prepare at most (1: no batching); how long a partial batch waits. */
  batch: t.number,
  flushMs: t.number,
  /** Client: how many requests to make, how many may be outstanding at once. */
  requests: t.number,
  outstanding: t.number,
});
export type Init = t.TypeOf<typeof InitCodec>;

const ToNodeCodec = t.union([
  InitCodec,
  t.type({ t: t.literal('go') }),
  t.type({ t: t.literal('finish'), expect: t.number, graceMs: t.number }),
]);
export type ToNode = t.TypeOf<typeof ToNodeCodec>;

export const CountersCodec = t.type({
  /** Protocol messages sent (one TCP frame each), and their bytes (without the 4-byte length prefix). */
  messages: t.number,
  bytes: t.number,
  mac: t.number,
  sign: t.number,
  verify: t.number,
  /** SHA-256 batch digests computed (not counted as crypto operations, as mommie's counters do not count hashes). */
  digests: t.number,
  /** Messages refused: undecodable, badly authenticated, or from a node that may not send them. */
  refused: t.number,
  /** Frames the TCP transport could not write (a peer down or too slow): must stay 0, nothing retransmits. */
  lost: t.number,
  /** CPU time (user + system) of the node's process from listening to this report, ms. */
  cpuMs: t.number,
});
export type Counters = t.TypeOf<typeof CountersCodec>;

const FromNodeCodec = t.union([
  t.type({ t: t.literal('listening'), node: t.string }),
  t.type({ t: t.literal('error'), node: t.string, message: t.string }),
  t.type({
    t: t.literal('done'),
    node: t.string,
    /** Requests answered by f+1 matching replies, and replies that contradicted another for the same request. */
    completed: t.number,
    conflicts: t.number,
    latenciesMs: t.array(t.number),
    /** performance.timeOrigin + performance.now() at the first send and the last completion. */
    startMs: t.number,
    endMs: t.number,
    counters: CountersCodec,
  }),
  t.type({
    t: t.literal('final'),
    node: t.string,
    counter: t.number,
    executed: t.number,
    lastSeq: t.number,
    /** Requests ordered again (skipped at execution). */
    duplicates: t.number,
    counters: CountersCodec,
  }),
]);
export type FromNode = t.TypeOf<typeof FromNodeCodec>;

function decodeLine<A>(codec: t.Decoder<unknown, A>, line: string): A | string {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return `not JSON: ${line.slice(0, 160)}`;
  }
  const d = codec.decode(json);
  return isLeft(d) ? `not a message of the protocol: ${line.slice(0, 160)}` : d.right;
}

export const decodeToNode = (line: string): ToNode | string => decodeLine(ToNodeCodec, line);
export const decodeFromNode = (line: string): FromNode | string => decodeLine(FromNodeCodec, line);
