// The base deploy file, split into what the tuner keeps ([Nodes], [Timeouts],
// [Constants]) and what it chooses ([Authentication], [Non-repudiation],
// [Dissemination]). The kept part is checked on its own, against a copy of
// the file with the chosen sections' entries blanked out (same offsets, so
// every diagnostic points at the base file's own line and column): an error
// there is the base file's, not a candidate's.

import type { CheckedProgram } from '../analysis/program.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { checkDeploy } from '../deploy/check.js';
import { stripComment } from '../deploy/lexer.js';
import { parseDeploy } from '../deploy/parse.js';
import type { CheckedDeployment } from '../deploy/resolve.js';
import { SECTIONS, type DeploySyntax, type SectionName } from '../deploy/syntax.js';

export const KEPT: readonly SectionName[] = ['Nodes', 'Timeouts', 'Constants'];
export const CHOSEN: readonly SectionName[] = ['Authentication', 'Non-repudiation', 'Dissemination'];

interface Section {
  readonly name: SectionName;
  /** Offset of the header line's first character. */
  readonly start: number;
  /** Offset just after the header line. */
  readonly bodyStart: number;
  /** Offset of the next header line (or the end of the text). */
  readonly end: number;
}

export interface Base {
  readonly file: string;
  readonly text: string;
  readonly source: SourceText;
  readonly syntax: DeploySyntax;
  /** The kept sections checked with the chosen ones empty: program principals, timeouts, constants. */
  readonly skeleton: CheckedDeployment;
  /** The kept sections as written, header included (trailing comments that introduce the next section left out), without trusted third parties' nodes. */
  readonly kept: ReadonlyMap<SectionName, string>;
  /** Nodes of the base that are trusted third parties: generated candidates leave them out. */
  readonly ttps: readonly string[];
}

export type BaseResult = { readonly ok: true; readonly base: Base } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly source?: SourceText };

/** The sections of a deploy file that parsed: header lines are found as the parser finds them. */
function sections(text: string): Section[] {
  const found: { name: SectionName; start: number; bodyStart: number }[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    const header = /^\s*\[([^\]]*)\]\s*$/.exec(stripComment(line.replace(/\r$/, '')));
    const name = header === null ? undefined : SECTIONS.find((s) => s.toLowerCase() === header[1]!.trim().toLowerCase());
    if (name !== undefined) found.push({ name, start, bodyStart: Math.min(offset, text.length) });
  }
  return found.map((s, i) => ({ ...s, end: found[i + 1]?.start ?? text.length }));
}

/** Blanks `text` between `from` and `to`, keeping line breaks (so offsets and lines stay). */
function blank(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(from, to).replace(/[^\n]/g, ' ') + text.slice(to);
}

/** The line of `text` holding `offset`: its start and the offset after its line break. */
function lineAround(text: string, offset: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  return { start, end: nl < 0 ? text.length : nl + 1 };
}

/** Drops trailing blank and comment-only lines: they introduce the next section. */
function trimTrailingComments(chunk: string): string {
  const lines = chunk.split('\n');
  while (lines.length > 0 && stripComment(lines[lines.length - 1]!).trim() === '') lines.pop();
  return lines.join('\n');
}

export function readBase(file: string, text: string, program: CheckedProgram, programSource: SourceText | undefined): BaseResult {
  const parsed = parseDeploy(file, text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics, source: parsed.source };
  const syntax = parsed.syntax;
  const principals = new Set([...program.principalSets.values()].flat());
  const ttps = [...new Set(syntax.nonRepudiation.flatMap((e) => (e.mechanism.ttp === undefined ? [] : [e.mechanism.ttp.name])))].filter((t) => !principals.has(t));
  const ttpLines = syntax.nodes.filter((n) => ttps.includes(n.name.name)).map((n) => lineAround(text, n.name.span.start));

  let skeletonText = text;
  const secs = sections(text);
  for (const s of secs) if (CHOSEN.includes(s.name)) skeletonText = blank(skeletonText, s.bodyStart, s.end);
  for (const l of ttpLines) skeletonText = blank(skeletonText, l.start, l.end);
  // A missing [Authentication] is the tuner's to write, not the base's error; appended, it moves no offset.
  if (!secs.some((s) => s.name === 'Authentication')) skeletonText += '\n[Authentication]\n';
  const skeletonParsed = parseDeploy(file, skeletonText);
  const checked = skeletonParsed.ok ? checkDeploy(skeletonParsed.syntax, program, programSource) : undefined;
  const diagnostics = [...skeletonParsed.diagnostics, ...(checked?.diagnostics ?? [])];
  if (checked?.deployment === undefined || hasErrors(diagnostics)) return { ok: false, diagnostics, source: parsed.source };

  const kept = new Map<SectionName, string>();
  for (const s of secs.filter((x) => KEPT.includes(x.name))) {
    let chunk = text.slice(s.start, s.end);
    // Lines of trusted third parties, from the end so that earlier offsets stay right.
    for (const l of [...ttpLines].reverse()) {
      if (l.start >= s.start && l.end <= s.end) chunk = chunk.slice(0, l.start - s.start) + chunk.slice(l.end - s.start);
    }
    kept.set(s.name, trimTrailingComments(chunk));
  }
  return {
    ok: true,
    base: { file, text, source: parsed.source, syntax, skeleton: checked.deployment, kept, ttps },
  };
}
