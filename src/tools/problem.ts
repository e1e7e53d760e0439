// A problem with the external tools (Java, tla2tools.jar, tlapm): a value,
// never an exception. `message` says what is wrong and `hint` what to do,
// each one sentence; the CLI prints them as they are.

export type ToolProblemCode =
  | 'java-missing'
  | 'java-home-invalid'
  | 'java-broken'
  | 'java-too-old'
  | 'jar-missing'
  | 'jar-not-installed'
  | 'jar-corrupt'
  | 'jar-changed'
  | 'tlc-unusable'
  | 'tlapm-missing'
  | 'tlapm-broken'
  | 'tlapm-not-pinned'
  | 'tlapm-installed'
  | 'bad-setting'
  | 'cache-unwritable'
  | 'download-failed'
  | 'download-incomplete'
  | 'hash-mismatch';

export interface ToolProblem {
  readonly code: ToolProblemCode;
  /** What is wrong, one sentence. */
  readonly message: string;
  /** What to do about it, one sentence. */
  readonly hint: string;
}

export function problem(code: ToolProblemCode, message: string, hint: string): ToolProblem {
  return { code, message, hint };
}

/** `message` and `hint` on one line each, as the CLI prints them. */
export function formatProblem(p: ToolProblem): string {
  return `${p.message}\n${p.hint}`;
}
