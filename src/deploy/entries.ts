// The entries of each deploy-file section, one line at a time: a small
// recursive-descent reader over the line's tokens. A problem is thrown as a
// LineError, which parse.ts turns into a diagnostic before going on with the
// next line.

import type { Code } from '../diagnostics/codes.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { Endpoint } from './deployment.js';
import { MAX_DURATION_MS, type Tok } from './lexer.js';
import { MECHANISM_KINDS, MECHANISMS } from './mechanisms.js';
import type {
  AuthEntry,
  ConstantEntry,
  LimitEntry,
  MechanismSyntax,
  Name,
  NodeEntry,
  NonRepEntry,
  OptimizerArgSyntax,
  OptimizerSyntax,
  PrincipalRef,
  SectionName,
  TimeoutEntry,
} from './syntax.js';

/** A problem with one line; caught by parseDeploy, which reports it and reads on. */
export class LineError {
  constructor(
    readonly code: Code,
    readonly message: string,
    readonly span: Span,
  ) {}
}

/** The tokens of one line, read left to right; `what` says what the line should look like, for messages. */
export class Cursor {
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
    const found = t === undefined ? 'the end of the line' : `'${t.text}'`;
    return new LineError('MOM600', `expected ${expected}, found ${found} (${this.what})`, t?.span ?? this.lineEnd);
  }
}

export const FORMS: Readonly<Record<SectionName, string>> = {
  Nodes: 'a [Nodes] entry reads `r1 = 127.0.0.1:7101`',
  Authentication: 'an [Authentication] entry reads `C <-> R : HMAC`',
  'Non-repudiation': 'a [Non-repudiation] entry reads `C -> * : ED25519`',
  Timeouts: 'a [Timeouts] entry reads `Replica.SuspectPrimary = 500ms`, `Replica.SuspectPrimary = 2s DOUBLING(v)` or `default = 1s`',
  Constants: 'a [Constants] entry reads `MaxSeq = 1000`',
  Dissemination: 'a [Dissemination] rule reads `C -> R [Request] : OPTIMISTIC(PRIMARY) 50ms; BATCH(16, 2ms);`',
  Limits: 'a [Limits] entry reads `MaxUnackedPerPeer = 1024` or `HandshakeTimeout = 3s`',
};

/** `left <-> right : MECH` */
export function authEntry(cur: Cursor, span: Span): AuthEntry {
  const left = refs(cur);
  cur.punct('<->');
  const right = refs(cur);
  cur.punct(':');
  const mechanism = mechanismSyntax(cur, 'Authentication');
  cur.end();
  return { left, right, mechanism, span };
}

/** `issuers -> auditors : MECH` */
export function nonRepEntry(cur: Cursor, span: Span): NonRepEntry {
  const issuers = refs(cur);
  cur.punct('->');
  const auditors = refs(cur);
  cur.punct(':');
  const mechanism = mechanismSyntax(cur, 'Non-repudiation');
  cur.end();
  return { issuers, auditors, mechanism, span };
}

/** `publishers -> verifiers [Type, ...] :`, the part of a rule before its optimizers. */
export function ruleHead(cur: Cursor): { publishers: PrincipalRef[]; verifiers: PrincipalRef[]; recordTypes: Name[] } {
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
  return { publishers, verifiers, recordTypes };
}

/** Where each address is taken, by whom and on which line. */
export type Addresses = Map<string, { readonly name: string; readonly line: number }>;

export function nodeEntry(code: string, start: number, line: number, lineSpan: Span, once: (key: string, what: string, span: Span) => void, addresses: Addresses): NodeEntry {
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

export function timeoutEntry(cur: Cursor, span: Span): TimeoutEntry {
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
  if (cur.atEnd()) return { role: first, transition, ms, span };
  const kw = cur.ident('DOUBLING(parameter) or the end of the line');
  if (kw.name !== 'DOUBLING') throw new LineError('MOM600', `expected DOUBLING(parameter) or the end of the line, found '${kw.name}' (${FORMS.Timeouts})`, kw.span);
  cur.punct('(');
  const doubling = cur.ident('the TIMEOUT parameter that counts consecutive timeouts, such as v in SuspectPrimary(v, n)');
  cur.punct(')');
  cur.end();
  return { role: first, transition, ms, doubling, span };
}

export function limitEntry(cur: Cursor, span: Span): LimitEntry {
  const name = cur.ident('the name of a limit');
  cur.punct('=');
  const t = cur.next('a count or a duration');
  if (t.kind !== 'int' && t.kind !== 'duration') throw new LineError('MOM600', `expected a count or a duration, found '${t.text}' (${FORMS.Limits})`, t.span);
  cur.end();
  return { name, value: t.kind === 'int' ? { kind: 'int', value: t.value, span: t.span } : { kind: 'duration', ms: t.ms, span: t.span }, span };
}

export function constantEntry(cur: Cursor, span: Span): ConstantEntry {
  const name = cur.ident('the name of a constant');
  cur.punct('=');
  let value: ConstantEntry['value'];
  if (cur.isPunct('-')) {
    const minus = cur.punct('-');
    const t = cur.next('an integer');
    if (t.kind !== 'int') throw new LineError('MOM600', `expected an integer after '-', found '${t.text}'`, t.span);
    value = { kind: 'int', value: -t.value, span: { start: minus.start, end: t.span.end } };
  } else {
    const t = cur.next('an integer, TRUE, FALSE or a principal');
    if (t.kind === 'int') value = { kind: 'int', value: t.value, span: t.span };
    else if (t.kind === 'ident' && (t.text === 'TRUE' || t.text === 'FALSE')) value = { kind: 'bool', value: t.text === 'TRUE', span: t.span };
    else if (t.kind === 'ident') value = { kind: 'name', name: t.text, span: t.span };
    else throw new LineError('MOM600', `expected an integer, TRUE, FALSE or a principal, found '${t.text}' (${FORMS.Constants})`, t.span);
  }
  cur.end();
  return { name, value, span };
}

export function optimizers(cur: Cursor): OptimizerSyntax[] {
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
  if (cur.isPunct('-')) {
    const minus = cur.punct('-');
    const t = cur.peek();
    const span = t === undefined ? minus : { start: minus.start, end: t.span.end };
    throw new LineError('MOM613', `an escalation timeout of -${t?.text ?? ''} is negative; give a positive duration such as 50ms (how long ${name.name} is tried before the next step)`, span);
  }
  const t = cur.peek();
  if (t !== undefined && (t.kind === 'duration' || t.kind === 'int')) {
    cur.next('a duration');
    if (t.kind === 'duration' && t.ms <= 0) {
      throw new LineError('MOM613', `an escalation timeout of ${t.text} would escalate at once, so ${name.name} would never be tried; give a positive duration such as 50ms`, t.span);
    }
    const escalationMs = duration(t, t.span);
    return { name, args, escalationMs, span: { start: name.span.start, end: t.span.end } };
  }
  return { name, args, span: { start: name.span.start, end } };
}

/**
 * One argument. Zero and negative numbers and durations are read here and
 * refused by the check of the optimizer (settings.ts), which knows what the
 * argument is for and can say so.
 */
function optimizerArg(cur: Cursor): OptimizerArgSyntax {
  const minus = cur.isPunct('-') ? cur.punct('-') : undefined;
  const t = cur.next('an argument: a name, a number or a duration');
  const span = minus === undefined ? t.span : { start: minus.start, end: t.span.end };
  const sign = minus === undefined ? 1 : -1;
  switch (t.kind) {
    case 'ident':
      if (minus !== undefined) break;
      return { kind: 'name', name: t.text, span };
    case 'int':
      return { kind: 'int', value: sign * t.value, span };
    case 'duration':
      if (t.ms > MAX_DURATION_MS) throw new LineError('MOM613', `${t.text} is longer than a timer can wait (${MAX_DURATION_MS}ms, about 24.8 days)`, t.span);
      return { kind: 'duration', ms: sign * t.ms, span };
    case 'punct':
      break;
  }
  throw new LineError('MOM600', `expected an argument: a name, a number or a duration, found '${minus === undefined ? '' : '-'}${t.text}'`, span);
}

