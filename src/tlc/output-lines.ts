// How TLC's -tool output reads line by line: the patterns of its messages'
// first lines (progress, statistics, findings, trace headers, variables),
// numbers in the JVM's locale, locations, and the parts of a message the
// parser (output.ts) keeps.

import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { trimTrailingBlank, type TlcMessage } from './framing.js';
import type { Location, StepAction, TraceVariable } from './result.js';
import { tlaValueOrRaw } from './values.js';

/** A line longer than this is cut into pieces (a runaway line is not TLC's). */
export const MAX_LINE = 1 << 24;


// Numbers as TLC formats them: DecimalFormat("###,###") in the JVM's locale,
// so the grouping separator may be ',', '.', an apostrophe or a (narrow) no-break space.
const NUM = "(\\d[\\d,.'\\u00a0\\u202f]*)";
const NUM_OR_NA = `(\\d[\\d,.'\\u00a0\\u202f]*|N/A)`;
const STAMP = '(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})';

export const RE = {
  progress: new RegExp(
    `^Progress\\(${NUM}\\) at ${STAMP}: ${NUM} states generated(?: \\(${NUM} s/min\\))?, ${NUM_OR_NA} distinct states found(?: \\(${NUM} ds/min\\))?, ${NUM_OR_NA} states left on queue`,
  ),
  stats: new RegExp(`^${NUM} states generated, ${NUM} distinct states found(?:, ${NUM_OR_NA} states left on queue)?`),
  depth: /^The depth of the complete state graph search is (\d+)/,
  init1: new RegExp(`^Finished computing initial states: ${NUM} distinct states? generated`),
  init2: new RegExp(`^Finished computing initial states: ${NUM} states? generated, with ${NUM} of them distinct`),
  finished: /^Finished in (\d+)ms at/,
  calculated: /calculated \(optimistic\):\s+val = (\S+)/,
  actual: /based on the actual fingerprints:\s+val = (\S+)/,
  invariant: /^Invariant (.+?) is violated( by the initial state)?[.:]/,
  property: /^Property (.+?) is violated by the initial state:/,
  actionProperty: /^Action property (.+?) is violated\./,
  temporal: /^Temporal propert(?:y|ies) (.+?) (?:was|were) violated/,
  assumption: /^Assumption (.+?) is false\./,
  assumptionEval: /^Evaluating assumption (.+?) failed\./,
  postcondition: /^(?:Evaluating p|P)ostcondition (.+?) at .+? (?:is false|failed)\./,
  stateHeader: /^(\d+): (.*)$/,
  backTo: /^(\d+): Back to state(?:: (.*))?$/,
  stuttering: /^(\d+):\s*Stuttering/,
  actionHeader: /^<(.*) line (\d+), col (\d+) to line (\d+), col (\d+) of module ([A-Za-z0-9_]+)>$/,
  locTlc: /line (\d+), col (\d+) to line (\d+), col (\d+) of module ([A-Za-z0-9_]+)/g,
  locNested: /Line (\d+), column (\d+) to line (\d+), column (\d+) in ([A-Za-z0-9_]+)/g,
  variable: /^\/\\ (\S+) = (.*)$/,
  soleVariable: /^(\S+) = (.*)$/,
} as const;

export function num(s: string | undefined): number | null {
  if (s === undefined || s === 'N/A') return null;
  const n = Number(s.replace(/\D/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

export function locations(text: string, re: RegExp): Location[] {
  const out: Location[] = [];
  const g = new RegExp(re.source, 'g');
  for (let m = g.exec(text); m !== null; m = g.exec(text)) {
    out.push({ module: m[5]!, startLine: Number(m[1]), startColumn: Number(m[2]), endLine: Number(m[3]), endColumn: Number(m[4]) });
  }
  return out;
}

export function parseStepAction(header: string): StepAction {
  const h = header.trim();
  if (h === '<Initial predicate>') return { kind: 'initial' };
  const m = RE.actionHeader.exec(h);
  if (m !== null) {
    return {
      kind: 'action',
      name: m[1]!,
      location: { module: m[6]!, startLine: Number(m[2]), startColumn: Number(m[3]), endLine: Number(m[4]), endColumn: Number(m[5]) },
      raw: h,
    };
  }
  if (/^<[^<>]+>$/.test(h)) return { kind: 'action', name: h.slice(1, -1), location: null, raw: h };
  return { kind: 'other', raw: h };
}

/** The `/\ x = v` assignments of a state; one variable may be printed as `x = v`. */
export function parseVariables(lines: readonly string[]): Either<string, TraceVariable[]> {
  const vars: { name: string; lines: string[] }[] = [];
  for (const line of trimTrailingBlank(lines)) {
    const m = RE.variable.exec(line) ?? (vars.length === 0 ? RE.soleVariable.exec(line) : null);
    if (m !== null) {
      vars.push({ name: m[1]!, lines: [m[2]!] });
      continue;
    }
    const last = vars[vars.length - 1];
    if (last === undefined) return left(`a state's variables should start with '/\\ name = value', not '${line.slice(0, 80)}'`);
    last.lines.push(line);
  }
  return right(
    vars.map((v) => {
      const text = v.lines.join('\n');
      return { name: v.name, text, value: tlaValueOrRaw(text) };
    }),
  );
}

export function messageText(m: TlcMessage): string {
  return trimTrailingBlank(m.lines).join('\n');
}

/** The part of a "TLC threw an unexpected exception" message that says what went wrong. */
export function exceptionDetail(text: string): string {
  if (!text.startsWith('TLC threw an unexpected exception')) return text;
  const i = text.indexOf('\n: ');
  return i >= 0 ? text.slice(i + 3).trim() : text;
}

export function allCodes(m: TlcMessage): number[] {
  return [m.code, ...m.children.flatMap(allCodes)];
}
