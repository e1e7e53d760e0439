import { CODES, type Code, type Severity } from './codes.js';

/** A half-open range of UTF-16 offsets into one source file. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  /** Absent only for whole-file problems (missing file, not UTF-8). */
  readonly span?: Span;
}

export function diag(code: Code, file: string, message: string, span?: Span): Diagnostic {
  const d: Diagnostic = { code, severity: CODES[code].severity, message, file };
  return span === undefined ? d : { ...d, span };
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

export function spanOf(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
