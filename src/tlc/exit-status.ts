// TLC's process exit codes (tlatools tlc2/output/EC.java, class ExitStatus),
// each with what it means for a mommie user. docs/tlc.md has the same table.

export type TlcExitKind = 'success' | 'violation' | 'failure' | 'error' | 'signal' | 'unknown';

export interface TlcExitStatus {
  readonly code: number;
  /** ExitStatus constant name, or a descriptive name for codes outside EC.java. */
  readonly name: string;
  readonly kind: TlcExitKind;
  readonly meaning: string;
}

const TABLE: readonly TlcExitStatus[] = [
  { code: 0, name: 'SUCCESS', kind: 'success', meaning: 'model checking completed and found no error' },
  { code: 1, name: 'COMMAND_LINE', kind: 'error', meaning: 'TLC rejected its command line (an unknown or malformed option)' },
  { code: 10, name: 'VIOLATION_ASSUMPTION', kind: 'violation', meaning: 'an ASSUME or POSTCONDITION is false, or could not be evaluated' },
  { code: 11, name: 'VIOLATION_DEADLOCK', kind: 'violation', meaning: 'a deadlock was reached: a state with no successor' },
  { code: 12, name: 'VIOLATION_SAFETY', kind: 'violation', meaning: 'an invariant is violated' },
  { code: 13, name: 'VIOLATION_LIVENESS', kind: 'violation', meaning: 'a temporal or action property is violated' },
  { code: 14, name: 'VIOLATION_ASSERT', kind: 'violation', meaning: 'an Assert in the spec failed' },
  { code: 75, name: 'FAILURE_SPEC_EVAL', kind: 'failure', meaning: 'evaluating the initial predicate or the next-state relation failed' },
  { code: 76, name: 'FAILURE_SAFETY_EVAL', kind: 'failure', meaning: 'evaluating an invariant failed' },
  { code: 77, name: 'FAILURE_LIVENESS_EVAL', kind: 'failure', meaning: 'evaluating a temporal property failed, or it is a tautology' },
  { code: 150, name: 'ERROR_SPEC_PARSE', kind: 'error', meaning: 'the spec did not parse or failed semantic analysis (SANY)' },
  { code: 151, name: 'ERROR_CONFIG_PARSE', kind: 'error', meaning: 'the model configuration (.cfg) is wrong or does not fit the spec' },
  { code: 152, name: 'ERROR_STATESPACE_TOO_LARGE', kind: 'error', meaning: 'the state space is too large for TLC' },
  { code: 153, name: 'ERROR_SYSTEM', kind: 'error', meaning: 'a system error (memory, disk, or the Java runtime)' },
  { code: 255, name: 'ERROR', kind: 'error', meaning: 'TLC failed with an error it does not classify (often an exception while checking)' },
];

const BY_CODE = new Map(TABLE.map((e) => [e.code, e]));

/** Every exit code TLC documents, in order. */
export const TLC_EXIT_STATUSES: readonly TlcExitStatus[] = TABLE;

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 15: 'SIGTERM' };

/**
 * What a TLC exit code means. Codes 129-254 are the shell's 128+signal (the
 * JVM exits with 128+n when killed by signal n, e.g. 137 for an out-of-memory
 * kill); anything else unknown is reported as such, never thrown.
 */
export function tlcExitStatus(code: number): TlcExitStatus {
  const known = BY_CODE.get(code);
  if (known !== undefined) return known;
  if (Number.isInteger(code) && code > 128 && code < 255) {
    const sig = code - 128;
    const name = SIGNALS[sig] ?? `signal ${sig}`;
    return { code, name, kind: 'signal', meaning: `TLC was stopped by ${name}${sig === 9 ? ' (often the system running out of memory)' : ''}` };
  }
  return { code, name: 'UNKNOWN', kind: 'unknown', meaning: `TLC exited with ${code}, a code TLC does not document` };
}
