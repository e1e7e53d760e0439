// The front end as one call: source text -> parse tree -> checked program.
// Each stage adds to the result; nothing reaches back.

import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceText } from '../diagnostics/source.js';
import { decodeSource, readSource } from '../input/read.js';
import { parse } from '../syntax/parser.js';
import { analyze } from './checker.js';
import type { CheckedProgram } from './program.js';

export interface FrontEndResult {
  readonly file: string;
  readonly source?: SourceText;
  /** Present when the program parsed well enough to be checked. */
  readonly program?: CheckedProgram;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

export function checkText(file: string, text: string): FrontEndResult {
  const source = new SourceText(file, text);
  const parsed = parse(file, text);
  // After a syntax error the tree lacks the broken declarations, so names
  // they declare would be reported as undeclared everywhere: a cascade that
  // hides the real mistake. Syntax errors are reported alone, all of them.
  if (hasErrors(parsed.diagnostics)) {
    return { file, source, diagnostics: sortDiagnostics(parsed.diagnostics), ok: false };
  }
  const analysed = analyze(parsed.program, (o) => source.position(o).line);
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...analysed.diagnostics]);
  const ok = !hasErrors(diagnostics);
  return { file, source, program: analysed.program, diagnostics, ok };
}

export function checkFile(path: string): FrontEndResult {
  const read = readSource(path);
  if (!read.ok) return { file: path, diagnostics: [read.diagnostic], ok: false };
  return checkText(path, read.text);
}

export function checkBytes(path: string, bytes: Uint8Array): FrontEndResult {
  const read = decodeSource(path, bytes);
  if (!read.ok) return { file: path, diagnostics: [read.diagnostic], ok: false };
  return checkText(path, read.text);
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.span?.start ?? -1) - (b.d.span?.start ?? -1) || a.i - b.i)
    .map((x) => x.d);
}
