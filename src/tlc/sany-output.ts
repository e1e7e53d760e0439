// Reads SANY's report: the raw lines TLC prints between "Starting SANY..."
// (message 2220) and "SANY finished." (2219), or what `tla2sany.SANY` prints
// on its own. It knows the report's sections:
//
//   Parsing file /path/M.tla            files read
//   Lexical error at line 3, column 7.  ...
//   ***Parse Error***                   a syntax error; "at line L, column C"
//   Residual stack trace follows:       (skipped)
//   Fatal errors while parsing ...      followed by a summary (used only as a fallback)
//   Semantic errors: / *** Errors: N    blocks of "line a, col b to line c, col d of module M" + message
//   *** Warnings: N                     the same, as warnings
//   *** Abort messages: N               "Unknown location" + message
//
// Lines it does not recognise are kept in `output` by the caller; nothing here throws.

import type { SanyError } from './result.js';

export interface SanyReport {
  readonly files: string[];
  readonly errors: SanyError[];
}

type Section = 'none' | 'parse' | 'errors' | 'warnings' | 'abort' | 'stack' | 'summary';

interface Pending {
  kind: SanyError['kind'];
  severity: SanyError['severity'];
  module: string | null;
  location: SanyError['location'];
  lines: string[];
}

const RANGE = /^\s*line (\d+), col (\d+) to line (\d+), col (\d+) of module ([A-Za-z0-9_]+)\s*$/;
const AT = /\bat line (\d+), col(?:umn)? (\d+)/;
const LEXICAL = /^\s*Lexical error at line (\d+), column (\d+)\.\s*(.*)$/;

export function moduleOfPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.tla$/, '');
}

export function parseSanyReport(lines: readonly string[]): SanyReport {
  const files: string[] = [];
  const errors: SanyError[] = [];
  const summary: string[] = [];
  let section: Section = 'none';
  let afterFatal = false;
  let module: string | null = null;
  let cur: Pending | null = null;

  const flush = (): void => {
    if (cur === null) return;
    const message = cur.lines.map((l) => l.trim()).filter((l) => l !== '').join('\n');
    if (message !== '' || cur.location !== null) {
      errors.push({ kind: cur.kind, severity: cur.severity, message: message || 'SANY reported an error here', module: cur.module, location: cur.location });
    }
    cur = null;
  };

  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (line.startsWith('Parsing file ')) {
      const path = line.slice('Parsing file '.length).replace(/ \(.*\)$/, '');
      files.push(path);
      module = moduleOfPath(path);
      continue;
    }
    if (line.startsWith('Semantic processing of module ')) {
      flush();
      module = line.slice('Semantic processing of module '.length).trim();
      continue;
    }
    if (line.startsWith('Linting of module ')) continue;
    const lex = LEXICAL.exec(line);
    if (lex !== null) {
      flush();
      const ln = Number(lex[1]);
      const col = Number(lex[2]);
      errors.push({ kind: 'lexical', severity: 'error', message: (lex[3] ?? '').trim() || 'lexical error', module, location: { line: ln, column: col, endLine: null, endColumn: null } });
      continue;
    }
    if (line.startsWith('***Parse Error***')) {
      flush();
      section = 'parse';
      cur = { kind: 'parse', severity: 'error', module, location: null, lines: [] };
      continue;
    }
    if (line.startsWith('Residual stack trace follows:')) {
      flush();
      section = 'stack';
      continue;
    }
    if (line.startsWith('Fatal errors while parsing TLA+ spec')) {
      flush();
      afterFatal = true;
      section = 'summary';
      continue;
    }
    if (line.startsWith('Semantic errors:')) {
      flush();
      section = 'errors';
      continue;
    }
    if (/^\*\*\* Errors: \d+/.test(line)) {
      flush();
      section = afterFatal ? 'summary' : 'errors';
      continue;
    }
    if (/^\*\*\* Warnings: \d+/.test(line)) {
      flush();
      section = 'warnings';
      continue;
    }
    if (/^\*\*\* Abort messages: \d+/.test(line)) {
      flush();
      section = 'abort';
      continue;
    }
    switch (section) {
      case 'parse': {
        if (cur === null) break;
        cur.lines.push(line);
        const at = AT.exec(line);
        if (at !== null && cur.location === null) {
          cur.location = { line: Number(at[1]), column: Number(at[2]), endLine: null, endColumn: null };
        }
        break;
      }
      case 'errors':
      case 'warnings':
      case 'abort': {
        const severity = section === 'warnings' ? 'warning' : 'error';
        const kind = section === 'abort' ? 'other' : 'semantic';
        const r = RANGE.exec(line);
        if (r !== null) {
          flush();
          cur = {
            kind,
            severity,
            module: r[5]!,
            location: { line: Number(r[1]), column: Number(r[2]), endLine: Number(r[3]), endColumn: Number(r[4]) },
            lines: [],
          };
          break;
        }
        if (line.trim() === '' || line.trim() === 'Unknown location') break;
        if (cur === null) cur = { kind, severity, module, location: null, lines: [] };
        cur.lines.push(line);
        break;
      }
      case 'summary':
        if (line.trim() !== '') summary.push(line.trim());
        break;
      case 'stack':
      case 'none':
        break;
    }
  }
  flush();
  if (!errors.some((e) => e.severity === 'error') && summary.length > 0) {
    errors.push({ kind: 'other', severity: 'error', message: [...new Set(summary)].join('\n'), module, location: null });
  }
  return { files, errors };
}
