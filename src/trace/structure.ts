// The fields of a run's logs that need no step of the program, checked once
// before either replay engine runs:
//   numbers     each log numbers its events 1, 2, 3, ... (none left out, none twice);
//   clocks      a node's own entry grows by one per clocked event (fire, abort,
//               deliver, byz), no entry ever goes back, and an entry for
//               another node never exceeds what that node's log reaches;
//   deliveries  a delivery's clock covers that of the fire that published the
//               statement (a delivery comes after its publication);
//   from        a delivery comes from the statement's issuer, or from a relay
//               the deployment's [Dissemination] plan gives for it (an
//               OPTIMISTIC target, toward a verifier the plan covers) that
//               had received it first (its own delivery, covered by this
//               one's clock). A Byzantine relay logs no receipt: the plan is
//               all there is to check.
// The first offence is reported, logs in the order given, lines in order.

import type { Deployment } from '../deploy/deployment.js';
import type { StatementJson } from './events.js';
import type { NodeLog } from './faults.js';
import type { ReplayRejection } from './read-log.js';
import { jsonKey } from './rerun.js';
import { recordFromJson } from './value-json.js';

type Clock = Readonly<Record<string, number>>;

export interface StructureContext {
  readonly logs: readonly NodeLog[];
  /** For relays; without it, only deliveries from their issuer can be checked. */
  readonly deployment?: Pick<Deployment, 'disseminationFor'>;
  readonly show: (s: StatementJson) => string;
}

interface Publication {
  readonly log: NodeLog;
  readonly line: number;
  readonly vc: Clock;
}

const covers = (a: Clock, b: Clock): boolean => Object.entries(b).every(([k, v]) => (a[k] ?? 0) >= v);
const showClock = (c: Clock): string => `{${Object.entries(c).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;

export function checkStructure(ctx: StructureContext): ReplayRejection | undefined {
  const clocked = new Map<string, number>();
  for (const l of ctx.logs) {
    const bad = numbersAndClock(l);
    if (typeof bad === 'object') return bad;
    clocked.set(l.node, bad);
  }
  for (const l of ctx.logs) {
    for (const { event: e, line } of l.events) {
      if (!('vc' in e)) continue;
      for (const [k, x] of Object.entries(e.vc)) {
        if (k === l.node || x <= 0) continue;
        const reached = clocked.get(k);
        if (reached === undefined) return at(l, line, e, `its clock says ${l.node} has seen ${x} event${x === 1 ? '' : 's'} of ${k}, but there is no log of ${k}`);
        if (reached < x) return at(l, line, e, `its clock says ${l.node} has seen ${x} events of ${k}, but ${k}'s log has ${reached}`);
      }
    }
  }
  // Each statement's first publication by a correct node, and each correct node's first receipt of it.
  const published = new Map<string, Publication>();
  const received = new Map<string, Map<string, Publication>>();
  const keys = new Map<object, string>();
  for (const l of ctx.logs) {
    if (l.status !== 'correct') continue;
    const mine = new Map<string, Publication>();
    received.set(l.node, mine);
    for (const { event: e, line } of l.events) {
      if (e.k === 'fire') {
        for (const s of e.pub) {
          const k = jsonKey(s);
          if (!published.has(k)) published.set(k, { log: l, line, vc: e.vc });
        }
      }
      if (e.k !== 'deliver') continue;
      const k = jsonKey(e.s);
      keys.set(e, k);
      if (!mine.has(k)) mine.set(k, { log: l, line, vc: e.vc });
    }
  }
  const byNode = new Map(ctx.logs.map((l) => [l.node, l]));
  for (const l of ctx.logs) {
    for (const { event: e, line } of l.events) {
      if (e.k !== 'deliver') continue;
      const key = keys.get(e) ?? jsonKey(e.s);
      const pub = published.get(key);
      if (pub !== undefined && !covers(e.vc, pub.vc)) {
        return at(l, line, e, `delivery of ${ctx.show(e.s)} with clock ${showClock(e.vc)}, which does not cover the clock ${showClock(pub.vc)} of its publication (${pub.log.file}:${pub.line}): a delivery comes after the publication it delivers`);
      }
      if (e.from === e.s.i) continue;
      const bad = relayProblem(ctx, byNode, l, e, received.get(e.from)?.get(key));
      if (bad !== undefined) return at(l, line, e, bad);
    }
  }
  return undefined;
}

/** The number of clocked events of a log when its numbers and clock are in order; else the first offence. */
function numbersAndClock(l: NodeLog): number | ReplayRejection {
  // A compacted log continues from its checkpoint's event number and clock.
  let next = (l.base?.n ?? 0) + 1;
  let own = l.base?.vc[l.node] ?? 0;
  let last: { vc: Clock; line: number } | undefined = l.base === undefined ? undefined : { vc: l.base.vc, line: 1 };
  for (const { event: e, line } of l.events) {
    // A second start is no step of any kind: the engines refuse it.
    if (e.k === 'start') continue;
    if (e.n !== next) return at(l, line, e, `event number ${e.n} where ${next} comes next: a log numbers its events 1, 2, 3, ... in order, none left out or repeated`);
    next++;
    if (!('vc' in e)) continue;
    const mine = e.vc[l.node] ?? 0;
    if (mine !== own + 1) return at(l, line, e, `${l.node}'s own entry of its clock is ${mine} here, but ${own + 1} comes next: a node's clock counts its own events one at a time`);
    if (last !== undefined) {
      for (const [k, v] of Object.entries(last.vc)) {
        if ((e.vc[k] ?? 0) < v) return at(l, line, e, `${l.node}'s clock goes back: its entry for ${k} is ${e.vc[k] ?? 0} here, ${v} at line ${last.line}; a clock never decreases`);
      }
    }
    own = mine;
    last = { vc: e.vc, line };
  }
  return own;
}

/** Why `e`, delivered by a node other than its issuer, cannot have come from there; `receipt` is the sender's own first delivery of it. */
function relayProblem(ctx: StructureContext, byNode: ReadonlyMap<string, NodeLog>, l: NodeLog, e: { readonly s: StatementJson; readonly from: string; readonly vc: Clock }, receipt: Publication | undefined): string | undefined {
  const issuer = e.s.i;
  const relay = e.from;
  const got = `${l.node} received ${ctx.show(e.s)} from ${relay}`;
  if (relay === l.node) return `${got}: from itself`;
  const type = recordFromJson(e.s.r)?.type ?? '?';
  if (ctx.deployment === undefined) return `${got}, not from its issuer ${issuer}; whether ${relay} may relay it is the deployment's [Dissemination] plan, and replay has no deployment (give --deploy FILE)`;
  const plan = ctx.deployment.disseminationFor?.(issuer, type);
  const relays = (plan?.steps ?? []).flatMap((s) => (s.kind === 'OPTIMISTIC' && s.targets !== 'QUORUM' ? s.targets : []));
  if (plan === undefined || !relays.includes(relay) || !plan.verifiers.includes(l.node)) {
    return `${got}, which is neither its issuer nor a relay the deployment's plan gives for ${issuer}'s ${type} to ${l.node} (${plan === undefined ? 'no [Dissemination] rule: sent by the issuer alone' : plan.text})`;
  }
  const r = byNode.get(relay);
  if (r === undefined || r.status === 'crashed' || r.status === 'ttp') return `${got}, but ${relay} ${r === undefined ? 'has no log' : `is ${r.status === 'ttp' ? 'a trusted third party' : 'crashed'}`}: it cannot have relayed it`;
  // A Byzantine relay's receipts are not logged.
  if (r.status === 'byzantine') return undefined;
  // A receipt in the history a checkpoint replaced is not in the relay's log any more.
  if (receipt === undefined && r.base !== undefined && beforeCheckpoint(r, e)) return undefined;
  if (receipt === undefined) return `${got}, but ${relay}'s log never receives it, so ${relay} cannot have relayed it`;
  if (!covers(e.vc, receipt.vc)) return `${got} with clock ${showClock(e.vc)}, which does not cover the clock ${showClock(receipt.vc)} of ${relay}'s receipt (${r.file}:${receipt.line}): a relay passes on what it has received`;
  return undefined;
}

/**
 * Whether `e`'s statement may have reached `l`'s node in the history its
 * checkpoint replaced: the delivery's clock entry for that node is at or
 * before the checkpoint (so is whatever of it the delivery had seen), or
 * the checkpoint still holds the statement (retained, or kept to send again).
 */
export function beforeCheckpoint(l: NodeLog, e: { readonly s: StatementJson; readonly vc: Clock }): boolean {
  const b = l.base;
  if (b === undefined) return false;
  if ((e.vc[l.node] ?? 0) <= (b.vc[l.node] ?? 0)) return true;
  let held = heldBy.get(b);
  if (held === undefined) heldBy.set(b, (held = new Set([...b.state.known, ...b.resume.published].map(jsonKey))));
  return held.has(jsonKey(e.s));
}

/** A checkpoint's statements by key, computed once per checkpoint. */
const heldBy = new WeakMap<object, ReadonlySet<string>>();

function at(l: NodeLog, line: number, e: { readonly k: string; readonly n?: number }, message: string): ReplayRejection {
  return { file: l.file, line, node: l.node, message: `event ${e.n ?? ''} of ${l.node}: ${message}` };
}
