// Deploy files, syntax only: sections, entries, addresses, durations. No
// program is needed (`mommie keys` reads [Nodes] alone); names are resolved
// against the program by check.ts. Every problem is a coded diagnostic on the
// line that has it, and parsing goes on with the next line (entries.ts reads
// each entry).

import type { Code } from '../diagnostics/codes.js';
import { diag, hasErrors, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import { SourceText } from '../diagnostics/source.js';
import { authEntry, constantEntry, Cursor, limitEntry, FORMS, LineError, nodeEntry, nonRepEntry, optimizers, ruleHead, timeoutEntry, type Addresses } from './entries.js';
import { lexLine, stripComment } from './lexer.js';
import {
  REQUIRED_SECTIONS,
  SECTIONS,
  type AuthEntry,
  type ConstantEntry,
  type DeploySyntax,
  type DisseminationEntry,
  type LimitEntry,
  type Name,
  type NodeEntry,
  type NonRepEntry,
  type OptimizerSyntax,
  type PrincipalRef,
  type SectionName,
  type TimeoutEntry,
} from './syntax.js';

export interface DeployParseResult {
  readonly file: string;
  readonly source: SourceText;
  /** What could be read; entries with errors are left out. */
  readonly syntax: DeploySyntax;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

const MAX_ERRORS = 100;

interface MutableRule {
  publishers: readonly PrincipalRef[];
  verifiers: readonly PrincipalRef[];
  recordTypes: readonly Name[];
  optimizers: OptimizerSyntax[];
  span: Span;
}

export function parseDeploy(file: string, text: string): DeployParseResult {
  const source = new SourceText(file, text);
  const diagnostics: Diagnostic[] = [];
  const sections = new Map<SectionName, Span>();
  const nodes: NodeEntry[] = [];
  const authentication: AuthEntry[] = [];
  const nonRepudiation: NonRepEntry[] = [];
  const timeouts: TimeoutEntry[] = [];
  const constants: ConstantEntry[] = [];
  const limits: LimitEntry[] = [];
  const rules: MutableRule[] = [];
  const seen = new Map<string, Span>();
  let current: SectionName | 'unknown' | undefined;
  let tooMany = false;

  const report = (code: Code, message: string, span?: Span): void => {
    if (diagnostics.length >= MAX_ERRORS) {
      if (!tooMany) diagnostics.push(diag('MOM115', file, `more than ${MAX_ERRORS} errors; the rest of ${file} was not reported`, span));
      tooMany = true;
      return;
    }
    diagnostics.push(diag(code, file, message, span));
  };
  /** Refuses a second entry for `key`, naming the line of the first. */
  const once = (key: string, what: string, span: Span): void => {
    const first = seen.get(key);
    if (first !== undefined) throw new LineError('MOM608', `${what} is given twice (first on line ${source.position(first.start).line})`, span);
    seen.set(key, span);
  };

  if (text.trim() === '') {
    report('MOM004', `${file} is empty; a deploy file has at least a [Nodes] and an [Authentication] section`);
  }

  const addresses: Addresses = new Map();
  let strayReported = false;
  let next = 0;
  let lineNo = 0;
  for (const rawLine of text.split('\n')) {
    const start = next;
    next += rawLine.length + 1;
    lineNo++;
    if (tooMany) break;
    const code = stripComment(rawLine.replace(/\r$/, ''));
    if (code.trim() === '') continue;
    const lineSpan: Span = { start: start + code.trimEnd().length, end: start + code.trimEnd().length + 1 };
    const header = /^\s*\[([^\]]*)\]\s*$/.exec(code);
    try {
      if (header !== null) {
        const name = header[1]!.trim();
        const span = { start: start + code.indexOf('['), end: start + code.indexOf(']') + 1 };
        const found = SECTIONS.find((s) => s.toLowerCase() === name.toLowerCase());
        // Entries under an unknown header are skipped: each would be one more error about the same mistake.
        current = found ?? 'unknown';
        if (found === undefined) throw new LineError('MOM601', `unknown section [${name}]; the sections are ${SECTIONS.map((s) => `[${s}]`).join(', ')}`, span);
        if (sections.has(found)) throw new LineError('MOM602', `section [${found}] appears twice (first on line ${source.position(sections.get(found)!.start).line}); put all its entries under one header`, span);
        sections.set(found, span);
        continue;
      }
      if (current === undefined) {
        // Only the first: a file that is not a deploy file at all would otherwise get an error per line.
        if (strayReported) continue;
        strayReported = true;
        const first = code.search(/\S/);
        throw new LineError('MOM601', `an entry before any section header; a deploy file starts with a section such as [Nodes]`, { start: start + first, end: start + code.trimEnd().length });
      }
      if (current === 'unknown') continue;
      if (current === 'Nodes') {
        nodes.push(nodeEntry(code, start, lineNo, lineSpan, once, addresses));
        continue;
      }
      const lexed = lexLine(code, start);
      if (!lexed.ok) throw new LineError('MOM600', lexed.message, lexed.span);
      const cur = new Cursor(lexed.toks, lineSpan, FORMS[current]);
      const first = lexed.toks[0]!.span.start;
      const entrySpan = (): Span => ({ start: first, end: start + code.trimEnd().length });
      switch (current) {
        case 'Authentication':
          authentication.push(authEntry(cur, entrySpan()));
          break;
        case 'Non-repudiation':
          nonRepudiation.push(nonRepEntry(cur, entrySpan()));
          break;
        case 'Timeouts': {
          const e = timeoutEntry(cur, entrySpan());
          once(e.role === undefined ? 'timeout default' : `timeout ${e.role.name}.${e.transition!.name}`, e.role === undefined ? 'the default timeout' : `the timeout of ${e.role.name}.${e.transition!.name}`, entrySpan());
          timeouts.push(e);
          break;
        }
        case 'Constants': {
          const e = constantEntry(cur, entrySpan());
          once(`constant ${e.name.name}`, `constant ${e.name.name}`, e.name.span);
          constants.push(e);
          break;
        }
        case 'Limits': {
          const e = limitEntry(cur, entrySpan());
          once(`limit ${e.name.name}`, `limit ${e.name.name}`, e.name.span);
          limits.push(e);
          break;
        }
        case 'Dissemination': {
          if (cur.isPunct(':')) {
            const last = rules[rules.length - 1];
            if (last === undefined) throw new LineError('MOM600', 'a continuation line (starting with `:`) with no rule before it to continue', entrySpan());
            cur.punct(':');
            last.optimizers.push(...optimizers(cur));
            last.span = { start: last.span.start, end: entrySpan().end };
            break;
          }
          rules.push({ ...ruleHead(cur), optimizers: optimizers(cur), span: entrySpan() });
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      report(e.code, e.message, e.span);
    }
  }

  // A file with no section at all already has its MOM601 (or MOM004); missing sections would say it again.
  const noSections = sections.size === 0 && (strayReported || text.trim() === '');
  for (const s of REQUIRED_SECTIONS) {
    if (!sections.has(s) && !noSections) {
      report('MOM603', `${file} has no [${s}] section; ${s === 'Nodes' ? 'it says where each principal runs' : 'it says how each pair of principals authenticates what they send each other (it may be empty when signatures serve every statement)'}`);
    }
  }

  const syntax: DeploySyntax = { file, source, sections, nodes, authentication, nonRepudiation, timeouts, constants, dissemination: rules as readonly DisseminationEntry[], limits };
  return { file, source, syntax, diagnostics, ok: !hasErrors(diagnostics) };
}

