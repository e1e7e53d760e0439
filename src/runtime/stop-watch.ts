// What a TCP run says about a node that stopped while the workload ran (a
// process killed, or crashed): when, how many requests had completed, which
// transitions fired for the first time in the run after it (with where and
// when: for PBFT with its primary killed, the view change), and how the
// completions went on: the first one after the stop, and the longest pause
// that followed with the completion that ended it (for PBFT, the first
// request answered in the new view: requests committed before the kill
// complete at once, then nothing completes until a new primary orders).
// Times are milliseconds of real time from the workload's start, as the
// supervisor saw the messages (a completion or a first firing is told as soon
// as the node's step ends).

export interface StopReport {
  readonly node: string;
  /** Milliseconds from the workload's start. */
  readonly atMs: number;
  /** How the process ended: a signal name or `exit code N`. */
  readonly how: string;
  readonly completedBefore: number;
  /** Transitions that no node had fired before the stop, in the order they first fired after it: the node and the delay. */
  readonly firsts: readonly { readonly transition: string; readonly node: string; readonly afterMs: number }[];
  /** Completions after the stop (until the next stop, if any): how many, the first one's delay. */
  readonly completedAfter: number;
  readonly firstCompletionAfterMs?: number;
  /** The longest interval without a completion from the stop on (the stop itself to the first counts), and the delay of the completion that ended it. */
  readonly pause?: { readonly ms: number; readonly endedAfterMs: number };
}

interface Stop {
  readonly node: string;
  readonly atMs: number;
  readonly how: string;
  readonly completedBefore: number;
  /** Transitions fired (anywhere) before the stop. */
  readonly before: ReadonlySet<string>;
}

export class StopWatch {
  private readonly stops: Stop[] = [];
  private readonly seen = new Set<string>();
  /** Completion times, in arrival order (each completion of a batch at the batch's time). */
  private readonly completions: number[] = [];
  private readonly firstFires: { transition: string; node: string; atMs: number }[] = [];
  private readonly fired = new Set<string>();

  get hasStops(): boolean {
    return this.stops.length > 0;
  }

  stopped(node: string, atMs: number, how: string): void {
    if (this.seen.has(node)) return;
    this.seen.add(node);
    this.stops.push({ node, atMs, how, completedBefore: this.completions.length, before: new Set(this.fired) });
  }

  completed(atMs: number, count: number): void {
    for (let i = 0; i < count; i++) this.completions.push(atMs);
  }

  firstFire(node: string, transition: string, atMs: number): void {
    this.fired.add(transition);
    this.firstFires.push({ transition, node, atMs });
  }

  report(): StopReport[] {
    return this.stops.map((s, i) => {
      const until = this.stops[i + 1]?.atMs ?? Infinity;
      const firsts: { transition: string; node: string; afterMs: number }[] = [];
      for (const f of this.firstFires) {
        if (f.atMs < s.atMs || s.before.has(f.transition) || firsts.some((x) => x.transition === f.transition)) continue;
        firsts.push({ transition: f.transition, node: f.node, afterMs: f.atMs - s.atMs });
      }
      const after = this.completions.slice(s.completedBefore).filter((t) => t < until);
      let pause: { ms: number; endedAfterMs: number } | undefined;
      let prev = s.atMs;
      for (const t of after) {
        if (pause === undefined || t - prev > pause.ms) pause = { ms: t - prev, endedAfterMs: t - s.atMs };
        prev = t;
      }
      return {
        node: s.node, atMs: s.atMs, how: s.how, completedBefore: s.completedBefore, firsts, completedAfter: after.length,
        ...(after.length > 0 ? { firstCompletionAfterMs: after[0]! - s.atMs } : {}),
        ...(pause !== undefined ? { pause } : {}),
      };
    });
  }
}

export function formatStop(s: StopReport): string[] {
  const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const lines = [`${s.node} stopped (${s.how}) at ${secs(s.atMs)}, after ${s.completedBefore} completions`];
  if (s.firsts.length > 0) lines.push(`  then fired for the first time: ${s.firsts.map((f) => `${f.transition} at ${f.node} +${secs(f.afterMs)}`).join(', ')}`);
  if (s.completedAfter === 0) lines.push('  no request completed after it');
  else {
    const p = s.pause;
    lines.push(`  ${s.completedAfter} completed after it, the first +${secs(s.firstCompletionAfterMs ?? 0)}${p === undefined ? '' : `; the longest pause ${secs(p.ms)}, ended by a completion +${secs(p.endedAfterMs)} after the stop`}`);
  }
  return lines;
}
