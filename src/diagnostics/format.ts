import type { Diagnostic } from './diagnostic.js';
import type { SourceText } from './source.js';

export interface LocatedDiagnostic {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export function locate(d: Diagnostic, source: SourceText | undefined): LocatedDiagnostic {
  const base = { code: d.code, severity: d.severity, message: d.message, file: d.file };
  if (d.span === undefined || source === undefined) return base;
  const s = source.position(d.span.start);
  const e = source.position(d.span.end);
  return { ...base, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

const MAX_SHOWN_LINE = 200;

/** `file:line:col: error MOMnnn: message`, then the source line and a caret span. */
export function formatDiagnostic(d: Diagnostic, source: SourceText | undefined): string {
  const l = locate(d, source);
  if (l.line === undefined || l.column === undefined || source === undefined || d.span === undefined) {
    return `${d.file}: ${d.severity} ${d.code}: ${d.message}`;
  }
  const head = `${d.file}:${l.line}:${l.column}: ${d.severity} ${d.code}: ${d.message}`;
  const raw = source.lineText(l.line);
  // Keep the caret under the right character: tabs stay tabs in the gutter copy.
  const startCol = l.column - 1;
  let shown = raw;
  let shift = 0;
  if (raw.length > MAX_SHOWN_LINE) {
    shift = Math.max(0, startCol - 40);
    shown = raw.slice(shift, shift + MAX_SHOWN_LINE);
  }
  const printable = shown.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  const endCol = l.endLine === l.line && l.endColumn !== undefined ? l.endColumn - 1 : raw.length;
  const width = Math.max(1, Math.min(endCol, shift + printable.length) - startCol);
  const pad = printable.slice(0, Math.max(0, startCol - shift)).replace(/[^\t]/g, ' ');
  const gutter = String(l.line);
  return `${head}\n ${gutter} | ${printable}\n ${' '.repeat(gutter.length)} | ${pad}${'^'.repeat(width)}`;
}
