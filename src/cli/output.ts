import type { FrontEndResult } from '../analysis/frontend.js';
import { formatDiagnostic, locate, type LocatedDiagnostic } from '../diagnostics/format.js';

export interface Out {
  stdout(s: string): void;
  stderr(s: string): void;
}

export const processOut: Out = {
  stdout: (s) => void process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  stderr: (s) => void process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};

export function printDiagnostics(out: Out, r: FrontEndResult): void {
  for (const d of r.diagnostics) out.stderr(formatDiagnostic(d, r.source));
}

export function locatedDiagnostics(r: FrontEndResult): LocatedDiagnostic[] {
  return r.diagnostics.map((d) => locate(d, r.source));
}

export function summary(results: readonly FrontEndResult[]): string {
  const errors = results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const warnings = results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'warning').length, 0);
  const files = results.length;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(files, 'file')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
