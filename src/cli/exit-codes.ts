// Exit codes of every mommie command (docs/cli.md lists them).
export const EXIT = {
  /** Well formed; every checked property holds. */
  OK: 0,
  /** Bad input: an ill-formed program, a bad option or configuration, a missing file. */
  BAD_INPUT: 1,
  /** A property is violated (verify). */
  VIOLATION: 2,
  /** The tool itself failed (a bug in mommie, or an external tool that crashed). */
  INTERNAL: 3,
  /** A limit (states, depth, time) stopped the search before every verdict was known. */
  INCOMPLETE: 4,
  /** Interrupted by the user (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

/** The exit code of a run's verdict, the same on both networks (docs/runtime.md, "Exit codes"). */
export function exitForRun(outcome: import('../runtime/verdict.js').RunOutcome): number {
  switch (outcome) {
    case 'ok':
      return EXIT.OK;
    case 'finding':
      return EXIT.VIOLATION;
    case 'failed':
      return EXIT.INTERNAL;
    case 'unfinished':
      return EXIT.INCOMPLETE;
    case 'interrupted':
      return EXIT.INTERRUPTED;
  }
}
