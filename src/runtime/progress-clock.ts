// How long an optimizer step waits for progress before it escalates, learnt
// from how long progress takes on this node. The deploy file's duration
// (`OPTIMISTIC(PRIMARY) 200ms`) is the least it waits: a node whose own
// requests take longer to make progress — many in flight queue behind each
// other, or a slow network — waits what it measures (the smoothed delay plus
// four deviations, as TCP's retransmission timer does, RFC 6298), up to
// MAX_STRETCH times the deploy file's. Without this, a loaded system
// escalated every step: the escalated copies added load, which lengthened
// the wait further, and a backup that received a request before its order
// suspected a correct primary.
//
// Timing is free in the semantics (dissemination only delays, and the
// refinement check holds for any timing), so adapting it changes no verdict.

/** The learnt wait never exceeds this multiple of the configured one, so a crashed target still costs a bounded delay. */
export const MAX_STRETCH = 8;

export class ProgressClock {
  private srtt: number | undefined;
  private rttvar = 0;
  /** Samples taken. */
  samples = 0;

  /** Progress came this long after the statement left. */
  sample(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    this.samples++;
    if (this.srtt === undefined) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
    this.srtt = 0.875 * this.srtt + 0.125 * ms;
  }

  /** How long to wait for progress, given the deploy file's duration. */
  waitFor(configuredMs: number): number {
    if (this.srtt === undefined) return configuredMs;
    return Math.min(Math.max(configuredMs, this.srtt + 4 * this.rttvar), configuredMs * MAX_STRETCH);
  }
}
