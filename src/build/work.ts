// The bound on a body program's work. A synchronous loop cannot be
// interrupted from its own thread, so `mommie build` counts instead: every
// loop iteration and every call of a function the user wrote runs
// `if (--__mommieWork.left < 0) __mommieWork.stop(place)` (build/bound-transform.ts:
// a decrement and a test inline, no call), and past the build's limit `stop`
// throws, from the loop itself. One count per process: body
// programs run one at a time, to completion, and the count is reset when
// user code is entered from mommie (a step, a call of a function of
// functions.ts, loading the modules) — not when it is re-entered from inside
// (ctx.fn from a step shares the step's count).

/** The global the instrumented modules read the counter through. */
export const WORK_GLOBAL = '__mommieWork';

/** What `mommie build` bounds a step to unless told otherwise (`--work-limit`). */
export const DEFAULT_WORK_LIMIT = 10_000_000;

/** Thrown from the program's own loop when the bound is passed. A program that catches it is stopped anyway (WorkBound.leave). */
export class WorkLimitExceeded extends Error {
  constructor(readonly at: string) {
    super(`more than the build's limit of loop iterations and calls (at ${at})`);
  }
}

/** What the instrumented modules see through WORK_GLOBAL. */
export interface WorkCounter {
  /** Iterations and calls left in this step: decremented inline by the instrumented code. */
  left: number;
  /** Called once `left` is below 0: throws. */
  stop(at: string): never;
}

export class WorkBound {
  private readonly counter: WorkCounter;
  private depth = 0;
  private exceededAt: string | undefined;

  constructor(readonly limit: number) {
    const self = this;
    this.counter = {
      left: limit,
      stop(at: string): never {
        self.exceededAt ??= at;
        // Stays below 0: every later loop iteration or call throws again.
        this.left = -1;
        throw new WorkLimitExceeded(at);
      },
    };
    (globalThis as unknown as { [WORK_GLOBAL]?: WorkCounter })[WORK_GLOBAL] = this.counter;
  }

  /** Entering user code; from mommie's side (not nested), with a fresh count. */
  enter(): void {
    if (this.depth++ === 0) {
      this.counter.left = this.limit;
      this.exceededAt = undefined;
    }
  }

  /** Leaving it: the place whose loop or call passed the bound, if one did (even if the program caught the throw). */
  leave(): string | undefined {
    this.depth--;
    return this.exceededAt;
  }
}
