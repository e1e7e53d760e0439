// The route of one published statement through its dissemination plan
// (the deploy file's [Dissemination], resolved by src/deploy/): which
// verifiers get it now, which are asked to relay it, and what happens when
// the escalation timer runs out. Decisions only; the runtime's Outbox sends
// and keeps the timers.
//
// Dissemination delays, it never withholds: every intended verifier gets the
// statement directly in the end (the fallback), because the program's
// liveness was verified assuming every statement reaches every verifier.
// Progress stops the escalation, not the delivery: once the statement's
// progress has come, the verifiers it has not been sent to directly get it
// lazily, after `lazyMs`, instead of at once.

import type { DisseminationPlan, DisseminationStep } from '../deploy/deployment.js';

/** One send: the statement to `to`, which passes it on to `relay` when given. */
export interface Send {
  readonly to: string;
  readonly relay?: readonly string[];
}

/** What to do now, and when to look again. */
export interface Action {
  readonly sends: readonly Send[];
  /** Call `escalate` (or `lazy`) after this long; none when every verifier has had the statement directly. */
  readonly next?: { readonly kind: 'escalate' | 'lazy'; readonly afterMs: number };
}

export interface Batching {
  readonly count: number;
  readonly windowMs: number;
}

type Optimistic = Extract<DisseminationStep, { kind: 'OPTIMISTIC' }>;

export interface RouteOptions {
  /** How long after progress the remaining verifiers get the statement (ms). */
  readonly lazyMs: number;
}

export const DEFAULT_ROUTE_OPTIONS: RouteOptions = { lazyMs: 1000 };

/** What a route needs of its plan, worked out once per plan (a route is made for every statement published). */
interface PlanShape {
  readonly covered: ReadonlySet<string>;
  readonly steps: readonly Optimistic[];
  readonly batching?: Batching;
  readonly digest: boolean;
}

const NO_PLAN: PlanShape = { covered: new Set(), steps: [], digest: false };
const shapes = new WeakMap<DisseminationPlan, PlanShape>();

function shapeOf(plan: DisseminationPlan | undefined): PlanShape {
  if (plan === undefined) return NO_PLAN;
  let shape = shapes.get(plan);
  if (shape === undefined) {
    const batch = plan.steps.find((s) => s.kind === 'BATCH');
    shape = {
      covered: new Set(plan.verifiers),
      steps: plan.steps.filter((s): s is Optimistic => s.kind === 'OPTIMISTIC'),
      ...(batch?.kind === 'BATCH' ? { batching: { count: batch.count, windowMs: batch.windowMs } } : {}),
      digest: plan.steps.some((s) => s.kind === 'DIGEST'),
    };
    shapes.set(plan, shape);
  }
  return shape;
}

export class Route {
  /** Verifiers the plan covers that have not had the statement directly. */
  private readonly pending: string[];
  /** Verifiers the plan does not cover: the fallback at once, as without a plan. */
  private readonly uncovered: string[];
  private readonly steps: readonly Optimistic[];
  private readonly sentDirect = new Set<string>();
  private step = -1;
  readonly batching?: Batching;
  /** The plan has DIGEST: fields holding records travel as digests (to verifiers known to hold them). */
  readonly digest: boolean;

  constructor(
    private readonly me: string,
    verifiers: readonly string[],
    plan: DisseminationPlan | undefined,
    private readonly options: RouteOptions = DEFAULT_ROUTE_OPTIONS,
  ) {
    const others = [...new Set(verifiers)].filter((v) => v !== me);
    const p = shapeOf(plan);
    this.pending = others.filter((v) => p.covered.has(v));
    this.uncovered = others.filter((v) => !p.covered.has(v));
    this.steps = p.steps;
    if (p.batching !== undefined) this.batching = p.batching;
    this.digest = p.digest;
  }

  /** Verifiers still waiting for a direct copy. */
  get waiting(): readonly string[] {
    return this.pending;
  }

  start(): Action {
    const now: Send[] = this.uncovered.map((to) => this.direct(to));
    const first = this.nextStep();
    return { sends: [...now, ...first.sends], ...(first.next === undefined ? {} : { next: first.next }) };
  }

  /** The escalation timer ran out. */
  escalate(progressed: boolean): Action {
    if (this.pending.length === 0) return { sends: [] };
    if (progressed) return { sends: [], next: { kind: 'lazy', afterMs: this.options.lazyMs } };
    return this.nextStep();
  }

  /** The lazy delay after progress ran out: everyone left gets it now. */
  lazy(): Action {
    return this.fallback();
  }

  private nextStep(): Action {
    while (++this.step < this.steps.length) {
      const a = this.runStep(this.steps[this.step]!);
      if (a !== undefined) return a;
    }
    return this.fallback();
  }

  /** Undefined when the step has nothing to do here (its targets already have it): the next one runs. */
  private runStep(s: Optimistic): Action | undefined {
    if (this.pending.length === 0) return { sends: [] };
    const next = { kind: 'escalate' as const, afterMs: s.escalationMs };
    if (s.targets === 'QUORUM') {
      const from = new Set(s.quorumFrom);
      // What already holds it counts toward the quorum: this node, and those sent to directly.
      let need = s.quorum - (from.has(this.me) ? 1 : 0) - [...this.sentDirect].filter((v) => from.has(v)).length;
      const chosen: Send[] = [];
      for (const v of s.quorumFrom) {
        if (need <= 0) break;
        if (!this.pending.includes(v)) continue;
        chosen.push(this.direct(v));
        need--;
      }
      return chosen.length === 0 ? undefined : { sends: chosen, next };
    }
    // The issuer as its own relay: it holds the statement, so relaying is sending to everyone.
    if (s.targets.includes(this.me)) return this.fallback();
    const targets = s.targets.filter((t) => this.pending.includes(t));
    if (targets.length === 0) return undefined;
    const rest = this.pending.filter((v) => !s.targets.includes(v));
    const sends = targets.map((t) => this.direct(t, rest));
    return { sends, ...(rest.length === 0 ? {} : { next }) };
  }

  private fallback(): Action {
    return { sends: [...this.pending].map((to) => this.direct(to)) };
  }

  private direct(to: string, relay?: readonly string[]): Send {
    const i = this.pending.indexOf(to);
    if (i >= 0) this.pending.splice(i, 1);
    this.sentDirect.add(to);
    return relay === undefined || relay.length === 0 ? { to } : { to, relay };
  }
}
