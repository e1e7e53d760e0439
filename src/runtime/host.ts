// Time for a node: a clock and timers. Real processes use the event loop's;
// the simulated network supplies virtual ones, so a seed replays exactly.

export interface TimerHandle {
  cancel(): void;
}

export interface Host {
  /** Milliseconds since some fixed origin. */
  now(): number;
  setTimer(ms: number, f: () => void): TimerHandle;
}

export const realHost: Host = {
  now: () => performance.now(),
  setTimer(ms, f) {
    const t = setTimeout(f, ms);
    // Timers never keep a finished process alive by themselves.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
