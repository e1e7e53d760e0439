// Diagnostics as GitHub Actions workflow commands (`::error file=...,line=...::message`),
// so that a CI job running `mommie check --format github` gets its annotations
// on the right lines of the pull request. Escaping follows the runner's
// toolkit (@actions/core, command.ts): data escapes %, CR and LF; property
// values also escape ':' and ','.

import type { LocatedDiagnostic } from './format.js';

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command; GitHub knows `error`, `warning` and `notice`. */
export function githubAnnotation(d: LocatedDiagnostic): string {
  const level = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
  const props: [string, string | number | undefined][] = [
    ['file', d.file],
    ['line', d.line],
    ['col', d.column],
    ['endLine', d.endLine],
    ['endColumn', d.endColumn],
    ['title', `mommie ${d.code}`],
  ];
  const shown = props.filter((p): p is [string, string | number] => p[1] !== undefined).map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  return `::${level} ${shown.join(',')}::${escapeData(`${d.code}: ${d.message}`)}`;
}
