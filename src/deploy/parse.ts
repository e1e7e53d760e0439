// Deploy files, syntax only: sections, entries, addresses, durations. No
// program is needed (`mommie keys` reads [Nodes] alone); names are resolved
// against the program by check.ts. Every problem is a coded diagnostic on the
// line that has it, and parsing goes on with the next line.

import type { Code } from '../diagnostics/codes.js';
import { diag, hasErrors, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import { SourceText } from '../diagnostics/source.js';
import type { Endpoint } from './deployment.js';
import { lexLine, MAX_DURATION_MS, stripComment, type Tok } from './lexer.js';
import { MECHANISM_KINDS, MECHANISMS } from './mechanisms.js';
import {
  REQUIRED_SECTIONS,
  SECTIONS,
  type AuthEntry,
  type ConstantEntry,
  type DeploySyntax,
  type DisseminationEntry,
  type MechanismSyntax,
  type Name,
  type NodeEntry,
  type NonRepEntry,
  type OptimizerArgSyntax,
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

/** A problem with one line; thrown inside this module only, caught per line. */
class LineError {
  constructor(
    readonly code: Code,
    readonly message: string,
    readonly span: Span,
  ) {}
}

class Cursor {
  private i = 0;
  constructor(
    private readonly toks: readonly Tok[],
    private readonly lineEnd: Span,
    private readonly what: string,
  ) {}

  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  isPunct(p: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === p;
  }
  next(expected: string): Tok {
    const t = this.toks[this.i];
    if (t === undefined) throw this.error(expected);
    this.i++;
    return t;
  }
  punct(p: string): Span {
    const t = this.peek();
    if (t === undefined || t.kind !== 'punct' || t.text !== p) throw this.error(`'${p}'`);
    this.i++;
    return t.span;
  }
  ident(expected: string): Name {
    const t = this.peek();
    if (t === undefined || t.kind !== 'ident') throw this.error(expected);
    this.i++;
    return { name: t.text, span: t.span };
  }
  end(): void {
    if (!this.atEnd()) throw this.error('the end of the line');
  }
  error(expected: string): LineError {
    const t = this.peek();
    const found = t === undefined ? 'the end of the line' : `'${tokText(t)}'`;
    return new LineError('MOM600', `expected ${expected}, found ${found} (${this.what})`, t?.span ?? this.lineEnd);
  }
}

function tokText(t: Tok): string {
  return t.text;
}

const FORMS: Readonly<Record<SectionName, string>> = {
  Nodes: 'a [Nodes] entry reads `r1 = 127.0.0.1:7101`',
  Authentication: 'an [Authentication] entry reads `C <-> R : HMAC`',
  'Non-repudiation': 'a [Non-repudiation] entry reads `C -> * : ED25519`',
  Timeouts: 'a [Timeouts] entry reads `Replica.SuspectPrimary = 500ms` or `default = 1s`',
  Constants: 'a [Constants] entry reads `MaxSeq = 1000`',
  Dissemination: 'a [Dissemination] rule reads `C -> R [Request] : OPTIMISTIC(PRIMARY) 50ms; BATCH(16, 2ms);`',
};

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
        case 'Authentication': {
          const left = refs(cur);
          cur.punct('<->');
          const right = refs(cur);
          cur.punct(':');
          const mechanism = mechanismSyntax(cur, 'Authentication');
          cur.end();
          authentication.push({ left, right, mechanism, span: entrySpan() });
          break;
        }
        case 'Non-repudiation': {
          const issuers = refs(cur);
          cur.punct('->');
          const auditors = refs(cur);
          cur.punct(':');
          const mechanism = mechanismSyntax(cur, 'Non-repudiation');
          cur.end();
          nonRepudiation.push({ issuers, auditors, mechanism, span: entrySpan() });
          break;
        }
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
        case 'Dissemination': {
          if (cur.isPunct(':')) {
            const last = rules[rules.length - 1];
            if (last === undefined) throw new LineError('MOM600', 'a continuation line (starting with `:`) with no rule before it to continue', entrySpan());
            cur.punct(':');
            last.optimizers.push(...optimizers(cur));
            last.span = { start: last.span.start, end: entrySpan().end };
            break;
          }
          const publishers = refs(cur);
          cur.punct('->');
          const verifiers = refs(cur);
          const recordTypes: Name[] = [];
          if (cur.isPunct('[')) {
            cur.punct('[');
            recordTypes.push(cur.ident('a record type'));
            while (cur.isPunct(',')) {
              cur.punct(',');
              recordTypes.push(cur.ident('a record type'));
            }
            cur.punct(']');
          }
          cur.punct(':');
          rules.push({ publishers, verifiers, recordTypes, optimizers: optimizers(cur), span: entrySpan() });
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

  const syntax: DeploySyntax = { file, source, sections, nodes, authentication, nonRepudiation, timeouts, constants, dissemination: rules as readonly DisseminationEntry[] };
  return { file, source, syntax, diagnostics, ok: !hasErrors(diagnostics) };
}

/** Where each address is taken, by whom and on which line. */
type Addresses = Map<string, { readonly name: string; readonly line: number }>;

function nodeEntry(code: string, start: number, line: number, lineSpan: Span, once: (key: string, what: string, span: Span) => void, addresses: Addresses): NodeEntry {
  const m = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*)=(\s*)(\S+)\s*$/.exec(code);
  if (m === null) {
    const first = code.search(/\S/);
    throw new LineError('MOM600', `expected \`principal = host:port\` (${FORMS.Nodes})`, { start: start + first, end: lineSpan.start });
  }
  const nameStart = start + m[1]!.length;
  const name: Name = { name: m[2]!, span: { start: nameStart, end: nameStart + m[2]!.length } };
  const addrStart = nameStart + m[2]!.length + m[3]!.length + 1 + m[4]!.length;
  const addressSpan: Span = { start: addrStart, end: addrStart + m[5]!.length };
  const endpoint = address(m[5]!, addressSpan);
  once(`node ${name.name}`, `node ${name.name}`, name.span);
  const key = `${endpoint.host.toLowerCase()}:${endpoint.port}`;
  const first = addresses.get(key);
  if (first !== undefined) {
    throw new LineError('MOM605', `${name.name} is at ${m[5]!}, where ${first.name} already is (line ${first.line}); two nodes on one address would receive each other's frames`, addressSpan);
  }
  addresses.set(key, { name: name.name, line });
  return { name, endpoint, addressSpan, span: { start: nameStart, end: addressSpan.end } };
}

function address(text: string, span: Span): Endpoint {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]+)$/.exec(text);
  if (m === null) {
    throw new LineError('MOM604', `'${text}' is not host:port (e.g. 127.0.0.1:7101, [::1]:7101, node1.example.org:7101)`, span);
  }
  const port = Number(m[2]);
  if (m[2]!.length > 5 || port < 1 || port > 65535) {
    throw new LineError('MOM604', `port ${m[2]} is out of range; a port is 1 to 65535`, span);
  }
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}

function refs(cur: Cursor): PrincipalRef[] {
  const out: PrincipalRef[] = [ref(cur)];
  while (cur.isPunct(',')) {
    cur.punct(',');
    out.push(ref(cur));
  }
  return out;
}

function ref(cur: Cursor): PrincipalRef {
  if (cur.isPunct('*')) return { kind: 'everyone', span: cur.punct('*') };
  const n = cur.ident('a principal, a principal set or *');
  return { kind: 'name', name: n.name, span: n.span };
}

function mechanismSyntax(cur: Cursor, section: 'Authentication' | 'Non-repudiation'): MechanismSyntax {
  const n = cur.ident('a mechanism');
  const kind = MECHANISM_KINDS.find((k) => k.toLowerCase() === n.name.toLowerCase());
  const allowed = MECHANISM_KINDS.filter((k) => MECHANISMS[k].sections.includes(section));
  if (kind === undefined) throw new LineError('MOM607', `unknown mechanism ${n.name}; [${section}] takes ${allowed.join(', ')}`, n.span);
  if (!MECHANISMS[kind].sections.includes(section)) {
    const why = section === 'Non-repudiation' ? `${kind} is repudiable (the verifier cannot show it to anyone), so it belongs in [Authentication]` : `${kind} gives auditability, so it belongs in [Non-repudiation]`;
    throw new LineError('MOM607', `${why}; [${section}] takes ${allowed.join(', ')}`, n.span);
  }
  if (kind !== 'TTP') return { kind, span: n.span };
  cur.punct('(');
  const ttp = cur.ident('the principal of the trusted third party');
  const close = cur.punct(')');
  return { kind, ttp, span: { start: n.span.start, end: close.end } };
}

function duration(t: Tok | undefined, span: Span): number {
  if (t === undefined || t.kind !== 'duration') {
    const hint = t?.kind === 'int' ? `; give a unit: ${t.text}ms or ${t.text}s` : '';
    throw new LineError('MOM613', `expected a duration such as 500ms or 2s${hint}`, t?.span ?? span);
  }
  if (t.ms <= 0) throw new LineError('MOM613', `a duration of ${t.text} would fire at once; give a positive duration`, t.span);
  if (t.ms > MAX_DURATION_MS) throw new LineError('MOM613', `${t.text} is longer than a timer can wait (${MAX_DURATION_MS}ms, about 24.8 days)`, t.span);
  return t.ms;
}

function timeoutEntry(cur: Cursor, span: Span): TimeoutEntry {
  const first = cur.ident('Role.Transition or default');
  if (first.name === 'default' && cur.isPunct('=')) {
    cur.punct('=');
    const ms = duration(cur.next('a duration'), span);
    cur.end();
    return { ms, span };
  }
  cur.punct('.');
  const transition = cur.ident('the name of a TIMEOUT transition');
  cur.punct('=');
  const ms = duration(cur.next('a duration'), span);
  cur.end();
  return { role: first, transition, ms, span };
}

function constantEntry(cur: Cursor, span: Span): ConstantEntry {
  const name = cur.ident('the name of a constant');
  cur.punct('=');
  let value: ConstantEntry['value'];
  if (cur.isPunct('-')) {
    const minus = cur.punct('-');
    const t = cur.next('an integer');
    if (t.kind !== 'int') throw new LineError('MOM600', `expected an integer after '-', found '${tokText(t)}'`, t.span);
    value = { kind: 'int', value: -t.value, span: { start: minus.start, end: t.span.end } };
  } else {
    const t = cur.next('an integer, TRUE, FALSE or a principal');
    if (t.kind === 'int') value = { kind: 'int', value: t.value, span: t.span };
    else if (t.kind === 'ident' && (t.text === 'TRUE' || t.text === 'FALSE')) value = { kind: 'bool', value: t.text === 'TRUE', span: t.span };
    else if (t.kind === 'ident') value = { kind: 'name', name: t.text, span: t.span };
    else throw new LineError('MOM600', `expected an integer, TRUE, FALSE or a principal, found '${tokText(t)}' (${FORMS.Constants})`, t.span);
  }
  cur.end();
  return { name, value, span };
}

function optimizers(cur: Cursor): OptimizerSyntax[] {
  const out: OptimizerSyntax[] = [];
  for (;;) {
    out.push(optimizer(cur));
    if (cur.atEnd()) break;
    cur.punct(';');
    if (cur.atEnd()) break;
  }
  return out;
}

function optimizer(cur: Cursor): OptimizerSyntax {
  const name = cur.ident('an optimizer (OPTIMISTIC, BATCH, DIGEST)');
  const args: OptimizerArgSyntax[] = [];
  let end = name.span.end;
  if (cur.isPunct('(')) {
    cur.punct('(');
    if (!cur.isPunct(')')) {
      args.push(optimizerArg(cur));
      while (cur.isPunct(',')) {
        cur.punct(',');
        args.push(optimizerArg(cur));
      }
    }
    end = cur.punct(')').end;
  }
  const t = cur.peek();
  if (t !== undefined && (t.kind === 'duration' || t.kind === 'int')) {
    cur.next('a duration');
    const escalationMs = duration(t, t.span);
    return { name, args, escalationMs, span: { start: name.span.start, end: t.span.end } };
  }
  return { name, args, span: { start: name.span.start, end } };
}

function optimizerArg(cur: Cursor): OptimizerArgSyntax {
  const t = cur.next('an argument: a name, a number or a duration');
  switch (t.kind) {
    case 'ident':
      return { kind: 'name', name: t.text, span: t.span };
    case 'int':
      return { kind: 'int', value: t.value, span: t.span };
    case 'duration':
      return { kind: 'duration', ms: duration(t, t.span), span: t.span };
    case 'punct':
      throw new LineError('MOM600', `expected an argument: a name, a number or a duration, found '${t.text}'`, t.span);
  }
}

