// What a finished run's figures say about its settings (issue 24 item 5): a
// run can complete every request and still be sick — every request escalated
// because the escalation timeout sits below the latency, most frames sent
// twice because acks came after the retransmission timer, a TIMEOUT that
// suspects a correct primary. Nothing here changes the verdict or the exit
// code; it tells the user what looks wrong and what to change.

import type { Deployment } from '../deploy/deployment.js';
import type { ModelInstance } from '../semantics/model.js';
import { MAX_STRETCH } from './progress-clock.js';
import type { RunReport } from './report.js';

/** Above this share of a node's frames sent again, retransmission is a symptom, not noise. */
export const RETRANSMIT_SHARE_LIMIT = 0.05;
/** Above this share of the statements an optimizer sent, escalation is the rule rather than the fallback. */
export const ESCALATION_SHARE_LIMIT = 0.1;
/** Too few frames to judge a share by. */
const MIN_FRAMES = 20;

export interface HealthInputs {
  /** Every TIMEOUT transition of the program's roles with its timer (the deploy file's [Timeouts] or the default). */
  readonly timeouts: readonly { readonly role: string; readonly transition: string; readonly ms: number }[];
  /** The escalation timeouts the deployment's OPTIMISTIC steps write, in ms. */
  readonly escalationMs: readonly number[];
  /** Faults were injected (crashes, drops, partitions): timeouts and retransmissions are then expected. */
  readonly faultsInjected: boolean;
  /** Over real time: the 1-minute load average at the start and the end of the run, and the machine's cores (busy: the start's above the cores). */
  readonly load?: { readonly start: number; readonly end: number; readonly cores: number };
}

export type HealthCode = 'escalated' | 'retransmitted' | 'timeout-without-fault' | 'busy-machine';

export interface HealthFinding {
  readonly code: HealthCode;
  /** `warning`: the figures are off; `note`: may be intended (a TIMEOUT can be part of the protocol's normal case). */
  readonly severity: 'warning' | 'note';
  readonly message: string;
  /** What to change. */
  readonly advice: string;
}

/** The inputs `runHealth` needs, from the model and the deployment a run used. */
export function healthInputs(model: ModelInstance, deployment: Deployment, faultsInjected: boolean, load?: HealthInputs['load']): HealthInputs {
  const timeouts: { role: string; transition: string; ms: number }[] = [];
  for (const role of model.program.roles.values()) {
    for (const t of role.transitions) {
      if (t.decl.kind === 'timeout') timeouts.push({ role: role.name, transition: t.name, ms: deployment.timeoutMs(role.name, t.name) });
    }
  }
  const escalationMs = deployment.dissemination.flatMap((r) => r.optimizers.flatMap((o) => (o.escalationMs === undefined ? [] : [o.escalationMs])));
  return { timeouts, escalationMs, faultsInjected, ...(load !== undefined ? { load } : {}) };
}

const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
const ms = (x: number): string => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

/** What looks wrong in a finished run, most telling first; empty when nothing does. */
export function runHealth(r: RunReport, h: HealthInputs): HealthFinding[] {
  const out: HealthFinding[] = [];
  // The load at the start: the run's own processes (a TCP run is one per node) raise the load at its end.
  const busy = h.load !== undefined && h.load.start > h.load.cores;
  const loadText = h.load === undefined ? '' : `1-minute load ${h.load.start.toFixed(1)} at the start, ${h.load.end.toFixed(1)} at the end, on ${h.load.cores} cores`;
  const { p50, p99 } = r.latencyMs;

  const sentByOptimizer = r.nodes.reduce((k, n) => k + (n.dissemination?.relayRequests ?? 0), 0);
  const escalations = r.nodes.reduce((k, n) => k + (n.dissemination?.escalations ?? 0), 0);
  if (escalations > 0 && escalations > ESCALATION_SHARE_LIMIT * sentByOptimizer) {
    const shortest = h.escalationMs.length === 0 ? undefined : Math.min(...h.escalationMs);
    // Escalations count routes, relay requests count (statement, target) pairs: the share is a lower bound.
    const share = sentByOptimizer === 0 ? '' : `, against ${sentByOptimizer} copies sent to optimistic targets`;
    out.push({
      code: 'escalated',
      severity: 'warning',
      message: `${escalations} optimistic steps ran out of time without progress${share}: their statements went to every verifier after all`,
      advice: shortest !== undefined && shortest < p50
        ? `the escalation timeout (${ms(shortest)}) is below the p50 latency (${ms(p50)}): raise it above the p99 latency (${ms(p99)}) in the deploy file's [Dissemination] section (a node stretches it to the progress delay it measures, but at most ${MAX_STRETCH} times)`
        : busy
          ? `the machine was busy (${loadText}): progress came after the escalation timeout; measure on a quieter machine`
          : `progress came after the escalation timeout${shortest === undefined ? '' : ` (${ms(shortest)})`}: the chosen targets were slow or down; choose others, or raise the timeout above the p99 latency (${ms(p99)})`,
    });
  }

  // A crashed, stopped or Byzantine node makes its peers retransmit and time out by design.
  if (!h.faultsInjected && r.nodes.every((n) => n.status === 'correct')) {
    for (const n of r.nodes) {
      const f = n.frames;
      if (f.out < MIN_FRAMES || f.retransmitted <= RETRANSMIT_SHARE_LIMIT * f.out) continue;
      out.push({
        code: 'retransmitted',
        severity: 'warning',
        message: `${n.node}: ${f.retransmitted} of its ${f.out} frames were retransmissions (${pct(f.retransmitted / f.out)}, more than ${pct(RETRANSMIT_SHARE_LIMIT)})`,
        advice: busy
          ? `the machine was busy (${loadText}): acks came after the retransmission timer; measure on a quieter machine or with fewer requests in flight`
          : 'acks came after the retransmission timer: a peer was slow to answer (see its frames and tcp lines; with many requests in flight the queue of a node delays its acks), or the link dropped frames',
      });
    }
    for (const t of h.timeouts) {
      const at = r.nodes.filter((n) => n.role === t.role && (n.fired[t.transition] ?? 0) > 0);
      if (at.length === 0) continue;
      const times = at.map((n) => `${n.node} ×${n.fired[t.transition]}`).join(', ');
      out.push({
        code: 'timeout-without-fault',
        severity: 'note',
        message: `TIMEOUT ${t.role}.${t.transition} fired (${times}) although every node was correct; its timer is ${ms(t.ms)}, the p99 latency ${ms(p99)}`,
        advice: t.ms < p99
          ? `if it suspects a correct node, raise ${t.role}.${t.transition} in the deploy file's [Timeouts] above the p99 latency; if it is the protocol's normal case (a partial batch flushed), nothing is wrong`
          : busy
            ? `the machine was busy (${loadText}); if it suspects a correct node, measure on a quieter machine`
            : 'if it suspects a correct node, its timer starts too early or the node it waits for is slow',
      });
    }
  }

  if (busy && out.length === 0) {
    out.push({
      code: 'busy-machine',
      severity: 'note',
      message: `the machine was busy during the run (${loadText})`,
      advice: 'latency and throughput reflect the load as much as the protocol: measure on a quieter machine',
    });
  }
  return out;
}

/** The report's health lines. */
export function formatHealth(findings: readonly HealthFinding[]): string[] {
  if (findings.length === 0) {
    return [`health: nothing looks wrong (escalations at most ${pct(ESCALATION_SHARE_LIMIT)} of optimistic sends, at most ${pct(RETRANSMIT_SHARE_LIMIT)} of any node's frames retransmitted, no TIMEOUT fired while every node was correct)`];
  }
  const lines = ['health:'];
  for (const f of findings) lines.push(`  ${f.severity} (${f.code}): ${f.message}`, `    ${f.advice}`);
  return lines;
}
