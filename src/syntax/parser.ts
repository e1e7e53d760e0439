import { diag, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import type {
  Answer,
  Arg, BinaryOp, ByzantineSend, Decl, Expr, FieldConstraint, Forget, Ident, IssuerPattern, ModelItem,
  Param, Pattern, PrincipalsPattern, Program, Stmt, Transition, TypeExpr, VarDecl,
} from './ast.js';
import { lex } from './lexer.js';
import { describe, type Token } from './token.js';

export const MAX_NESTING = 200;
export const MAX_ERRORS = 100;

export interface ParseResult {
  readonly program: Program;
  readonly diagnostics: Diagnostic[];
}

/** Thrown inside the parser only, to unwind to the nearest recovery point. */
class Panic {
  readonly tag = 'panic';
}
/** Nesting past the limit: unwinds past statements to the enclosing member or declaration. */
class TooDeep extends Panic {}
/** Thrown when the error limit is reached: parsing stops. */
class TooManyErrors {
  readonly tag = 'too-many';
}

const DECL_START = new Set(['PRINCIPALS', 'CONSTANT', 'TYPE', 'RECORD', 'FUNCTION', 'ROLE', 'INVARIANT', 'PROPERTY', 'MODEL']);
const MEMBER_START = new Set(['VAR', 'TRANSITION', 'TIMEOUT', 'WHEN', 'FORGET']);
const MODEL_ITEM_START = new Set(['CONSTANT', 'CRASH', 'BYZANTINE', 'SYMMETRY', 'CHECK', 'FUNCTION']);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parse(file: string, text: string): ParseResult {
  return new Parser(file, text).parseProgram();
}

class Parser {
  private readonly tokens: Token[];
  private readonly diagnostics: Diagnostic[];
  private pos = 0;
  private nextId = 1;
  private depth = 0;
  private errorCount = 0;

  constructor(
    private readonly file: string,
    text: string,
  ) {
    const lexed = lex(file, text);
    this.tokens = lexed.tokens;
    // Lexical errors count toward the same limit: a large non-MOMMIE text must
    // not give a million diagnostics.
    this.diagnostics = lexed.diagnostics.slice(0, MAX_ERRORS);
    this.errorCount = lexed.diagnostics.length;
    const cut = lexed.diagnostics[MAX_ERRORS];
    if (cut !== undefined) this.diagnostics.push(diag('MOM115', file, `more than ${MAX_ERRORS} errors; stopped here`, cut.span));
  }

  // ---------- token helpers ----------

  private peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
    if (t === undefined) throw new Error('token stream always ends with eof');
    return t;
  }
  private advance(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === 'keyword' || t.kind === 'punct') && t.text === text;
  }
  private accept(text: string): Token | undefined {
    return this.is(text) ? this.advance() : undefined;
  }
  private expect(text: string, what?: string): Token {
    const t = this.accept(text);
    if (t !== undefined) return t;
    this.fail(`expected ${what ?? `'${text}'`}, found ${describe(this.peek())}`);
  }
  private expectIdent(what: string): Ident {
    const t = this.peek();
    if (t.kind === 'ident') {
      this.advance();
      return this.ident(t);
    }
    const hint = t.kind === 'keyword' ? ` (${t.text} is a reserved word)` : '';
    this.fail(`expected ${what}, found ${describe(t)}${hint}`);
  }
  private ident(t: Token): Ident {
    return { id: this.id(), span: t.span, name: t.text };
  }
  private id(): number {
    return this.nextId++;
  }
  private lastEnd(): number {
    const prev = this.tokens[this.pos - 1];
    return prev === undefined ? 0 : prev.span.end;
  }
  private from(start: number): Span {
    return { start, end: Math.max(start, this.lastEnd()) };
  }

  // ---------- diagnostics and recovery ----------

  private report(d: Diagnostic): void {
    if (d.severity === 'error') {
      this.errorCount++;
      if (this.errorCount > MAX_ERRORS) {
        this.diagnostics.push(diag('MOM115', this.file, `more than ${MAX_ERRORS} errors; stopped here`, d.span));
        throw new TooManyErrors();
      }
    }
    this.diagnostics.push(d);
  }
  private fail(message: string, span: Span = this.peek().span): never {
    this.report(diag('MOM110', this.file, message, span));
    throw new Panic();
  }
  private enter(): void {
    if (++this.depth > MAX_NESTING) {
      this.report(diag('MOM112', this.file, `nesting deeper than ${MAX_NESTING} levels`, this.peek().span));
      throw new TooDeep();
    }
  }
  private leave(): void {
    this.depth--;
  }
  /**
   * Runs a loop that builds a left-deep chain (`a + b + c`, `p.f.g`): each
   * link deepens the tree as much as a parenthesis does, so it counts toward
   * the nesting limit, and later stages may recurse over the tree safely.
   */
  private chain<T>(build: (link: () => void) => T): T {
    const saved = this.depth;
    try {
      return build(() => this.enter());
    } finally {
      this.depth = saved;
    }
  }
  /** Skips tokens until one in `stop` (not consumed) or eof; always makes progress. */
  private syncTo(stop: (t: Token) => boolean): void {
    if (this.peek().kind !== 'eof' && !stop(this.peek())) this.advance();
    while (this.peek().kind !== 'eof' && !stop(this.peek())) this.advance();
  }
  private isDeclStart(t: Token): boolean {
    return t.kind === 'keyword' && DECL_START.has(t.text);
  }

  // ---------- program ----------

  parseProgram(): ParseResult {
    const start = this.peek().span.start;
    let name: Ident = { id: this.id(), span: { start: 0, end: 0 }, name: 'Unnamed' };
    const decls: Decl[] = [];
    try {
      if (this.errorCount > MAX_ERRORS) throw new TooManyErrors();
      if (this.is('PROGRAM')) {
        this.advance();
        try {
          name = this.expectIdent('the program name');
          this.accept(';');
        } catch (e) {
          if (!(e instanceof Panic)) throw e;
          this.syncTo((t) => this.isDeclStart(t));
        }
      } else {
        this.report(diag('MOM114', this.file, 'a MOMMIE program starts with `PROGRAM Name`', this.peek().span));
      }
      while (this.peek().kind !== 'eof') {
        const t = this.peek();
        if (!this.isDeclStart(t)) {
          this.report(diag('MOM111', this.file, `a declaration cannot start with ${describe(t)}; expected PRINCIPALS, CONSTANT, TYPE, RECORD, FUNCTION, ROLE, INVARIANT, PROPERTY or MODEL`, t.span));
          this.syncTo((u) => this.isDeclStart(u));
          continue;
        }
        try {
          decls.push(this.parseDecl());
        } catch (e) {
          if (!(e instanceof Panic)) throw e;
          this.depth = 0;
          this.syncTo((u) => this.isDeclStart(u));
        }
      }
    } catch (e) {
      if (!(e instanceof TooManyErrors)) throw e;
    }
    const program: Program = { id: this.id(), span: this.from(start), file: this.file, name, decls };
    return { program, diagnostics: this.diagnostics };
  }

  private parseDecl(): Decl {
    const t = this.advance();
    const start = t.span.start;
    switch (t.text) {
      case 'PRINCIPALS': {
        const name = this.expectIdent('the name of a principal set');
        this.expect('=');
        this.expect('{');
        const members: Ident[] = [];
        if (!this.is('}')) {
          do members.push(this.expectIdent('a principal name'));
          while (this.accept(','));
        }
        this.expect('}');
        this.accept(';');
        return { id: this.id(), span: this.from(start), kind: 'principals', name, members };
      }
      case 'CONSTANT': {
        const name = this.expectIdent('the name of a constant');
        const type = this.accept(':') ? this.parseType() : undefined;
        this.expect('=');
        const value = this.parseExpr();
        this.accept(';');
        const d = { id: this.id(), span: this.from(start), kind: 'constant' as const, name, value };
        return type === undefined ? d : { ...d, type };
      }
      case 'TYPE': {
        const name = this.expectIdent('the name of a type');
        this.expect('=');
        const type = this.parseType();
        this.accept(';');
        return { id: this.id(), span: this.from(start), kind: 'type', name, type };
      }
      case 'RECORD': {
        const name = this.expectIdent('the name of a record type');
        this.expect('{');
        const fields: Param[] = [];
        if (!this.is('}')) {
          do {
            if (this.is('}')) break;
            fields.push(this.parseParam('a field name'));
          } while (this.accept(',') || this.accept(';'));
        }
        this.expect('}');
        this.accept(';');
        return { id: this.id(), span: this.from(start), kind: 'record', name, fields };
      }
      case 'FUNCTION': {
        const name = this.expectIdent('the name of a function');
        const params = this.parseParams();
        this.expect(':', "':' and the result type");
        const result = this.parseType();
        // No `=`: the program supplies the function, and models define it.
        if (!this.accept('=')) {
          this.accept(';');
          return { id: this.id(), span: this.from(start), kind: 'function', name, params, result };
        }
        const body = this.parseExpr();
        this.accept(';');
        return { id: this.id(), span: this.from(start), kind: 'function', name, params, result, body };
      }
      case 'ROLE':
        return this.parseRole(start);
      case 'INVARIANT':
      case 'PROPERTY': {
        const name = this.expectIdent(`the name of the ${t.text === 'INVARIANT' ? 'invariant' : 'property'}`);
        this.expect(':');
        const body = this.parseExpr();
        this.accept(';');
        return { id: this.id(), span: this.from(start), kind: t.text === 'INVARIANT' ? 'invariant' : 'property', name, body };
      }
      case 'MODEL':
        return this.parseModel(start);
      default:
        return this.fail(`a declaration cannot start with ${describe(t)}`, t.span);
    }
  }

  private parseParam(what: string): Param {
    const name = this.expectIdent(what);
    this.expect(':');
    const type = this.parseType();
    return { id: this.id(), span: this.from(name.span.start), name, type };
  }

  private parseParams(): Param[] {
    this.expect('(');
    const params: Param[] = [];
    if (!this.is(')')) {
      do params.push(this.parseParam('a parameter name'));
      while (this.accept(','));
    }
    this.expect(')');
    return params;
  }

  // ---------- types ----------

  private parseType(): TypeExpr {
    this.enter();
    try {
      const start = this.peek().span.start;
      if (this.accept('BOOLEAN')) return { id: this.id(), span: this.from(start), kind: 'boolType' };
      if (this.accept('INT')) return { id: this.id(), span: this.from(start), kind: 'intType' };
      if (this.accept('SET')) {
        this.expect('OF');
        const elem = this.parseType();
        if (this.accept('SIZE')) {
          this.expect('<=', "'<=' and the largest size after SIZE");
          const max = this.parseAdditive();
          return { id: this.id(), span: this.from(start), kind: 'setType', elem, max };
        }
        return { id: this.id(), span: this.from(start), kind: 'setType', elem };
      }
      if (this.accept('STATEMENT')) {
        const record = this.expectIdent('the record type of the statements');
        this.expect('AUDIT', "AUDIT and the auditors every carried statement must have (a set of principals or *)");
        const auditor = this.parsePrincipals('auditor');
        return { id: this.id(), span: this.from(start), kind: 'statementType', record, auditor };
      }
      if (this.accept('{')) {
        const values: Ident[] = [];
        do values.push(this.expectIdent('an enumeration value'));
        while (this.accept(','));
        this.expect('}');
        return { id: this.id(), span: this.from(start), kind: 'enumType', values };
      }
      const t = this.peek();
      if (t.kind === 'ident' && !this.is('..', 1)) {
        this.advance();
        return { id: this.id(), span: t.span, kind: 'namedType', name: this.ident(t) };
      }
      if (t.kind !== 'ident' && t.kind !== 'int' && !this.is('(') && !this.is('-')) {
        this.fail(`expected a type (BOOLEAN, INT, lo..hi, {A, B}, SET OF T, STATEMENT T AUDIT A or a type name), found ${describe(t)}`);
      }
      const lo = this.parseAdditive();
      this.expect('..', "'..' of a range type lo..hi");
      const hi = this.parseAdditive();
      return { id: this.id(), span: this.from(start), kind: 'rangeType', lo, hi };
    } finally {
      this.leave();
    }
  }

  // ---------- roles and transitions ----------

  private parseRole(start: number): Decl {
    const name = this.expectIdent('the name of a role');
    this.expect('AT', "AT and the principal set that runs the role");
    const at = this.parseSetLevel();
    this.expect('{');
    const vars: VarDecl[] = [];
    const transitions: Transition[] = [];
    const forgets: Forget[] = [];
    while (!this.is('}') && this.peek().kind !== 'eof' && !this.isDeclStart(this.peek())) {
      const t = this.peek();
      try {
        if (this.is('VAR')) vars.push(this.parseVar());
        else if (this.is('TRANSITION') || this.is('TIMEOUT') || this.is('WHEN') || this.is('IF')) transitions.push(this.parseTransition());
        else if (this.is('FORGET')) forgets.push(this.parseForget());
        else this.fail(`expected VAR, TRANSITION, TIMEOUT, WHEN or FORGET in role ${name.name}, found ${describe(t)}`);
      } catch (e) {
        if (!(e instanceof Panic)) throw e;
        this.depth = 0;
        this.syncTo((u) => (u.kind === 'keyword' && (MEMBER_START.has(u.text) || DECL_START.has(u.text))) || (u.kind === 'punct' && u.text === '}' && this.roleCloses()));
      }
    }
    this.expect('}', `'}' closing role ${name.name}`);
    return { id: this.id(), span: this.from(start), kind: 'role', name, at, vars, transitions, forgets };
  }

  /** A '}' closes the role only when the next token can follow a role. */
  private roleCloses(): boolean {
    const next = this.peek(1);
    return next.kind === 'eof' || this.isDeclStart(next);
  }

  private parseVar(): VarDecl {
    const start = this.expect('VAR').span.start;
    const name = this.expectIdent('a variable name');
    this.expect(':');
    const type = this.parseType();
    this.expect('=', "'=' and the initial value");
    const init = this.parseExpr();
    this.accept(';');
    return { id: this.id(), span: this.from(start), name, type, init };
  }

  /** `FORGET pattern WHEN condition` (issue 23). */
  private parseForget(): Forget {
    const start = this.expect('FORGET').span.start;
    const pattern = this.parsePattern();
    this.expect('WHEN', 'WHEN and the condition under which a matching statement may be forgotten');
    const condition = this.parseExpr();
    this.accept(';');
    return { id: this.id(), span: this.from(start), pattern, condition };
  }

  private parseTransition(): Transition {
    const start = this.peek().span.start;
    let kind: 'transition' | 'timeout' = 'transition';
    let name: Ident | undefined;
    let params: Param[] = [];
    if (this.accept('TIMEOUT')) {
      kind = 'timeout';
      name = this.expectIdent('the name of the timeout transition');
      if (this.is('(')) params = this.parseParams();
    } else if (this.accept('TRANSITION')) {
      name = this.expectIdent('the name of the transition');
      if (this.is('(')) params = this.parseParams();
    }
    const patterns: Pattern[] = [];
    if (this.accept('WHEN')) {
      patterns.push(this.parsePattern());
      while (this.accept('ANDWHEN')) patterns.push(this.parsePattern());
    }
    const guard = this.accept('IF') ? this.parseExpr() : undefined;
    if (patterns.length === 0 && guard === undefined && !this.is('@@{') && !this.is('ANSWER')) {
      this.fail(`expected WHEN, IF or the body '@@{', found ${describe(this.peek())}`);
    }
    const unless = this.accept('UNLESS') ? this.parsePattern() : undefined;
    const answer = this.is('ANSWER') ? this.parseAnswer() : undefined;
    if (!this.is('@@{')) {
      this.report(diag('MOM116', this.file, `expected the body spec '@@{ ... @@}', found ${describe(this.peek())}`, this.peek().span));
      throw new Panic();
    }
    const body = this.parseBody();
    const t: Mutable<Transition> = { id: this.id(), span: this.from(start), kind, params, patterns, body };
    if (name !== undefined) t.name = name;
    if (guard !== undefined) t.guard = guard;
    if (unless !== undefined) t.unless = unless;
    if (answer !== undefined) t.answer = answer;
    return t;
  }

  /** `ANSWER WHEN cond VALUE expr`. */
  private parseAnswer(): Answer {
    const start = this.expect('ANSWER').span.start;
    this.expect('WHEN', "WHEN and the condition after which a call is answered (ANSWER WHEN cond VALUE expr)");
    const when = this.parseExpr();
    this.expect('VALUE', "VALUE and the answer (ANSWER WHEN cond VALUE expr)");
    const value = this.parseExpr();
    return { id: this.id(), span: this.from(start), when, value };
  }

  // ---------- patterns ----------

  private parsePattern(): Pattern {
    this.enter();
    try {
      const start = this.expect('[', "'[' opening a statement pattern [issuer, verifier, auditor]").span.start;
      const issuer = this.parseIssuer();
      this.expect(',', "',' after the issuer");
      const verifier = this.parsePrincipals('verifier');
      if (!this.accept(',')) {
        const t = this.peek();
        if (t.kind === 'ident' || this.is('NOONE') || this.is('NONE') || this.is('*') || this.is('ME') || this.is('{')) {
          this.report(diag('MOM113', this.file, "missing ',' between verifier and auditor; read as if it were there", { start: t.span.start, end: t.span.start }));
        } else {
          this.fail(`expected ',' and the auditor, found ${describe(t)}`);
        }
      }
      const auditor = this.parsePrincipals('auditor');
      this.expect(']', "']' closing the pattern's principals");
      const recordType = this.expectIdent('the record type of the pattern');
      const binderTok = this.peek();
      const binder = binderTok.kind === 'ident' ? (this.advance(), this.ident(binderTok)) : undefined;
      const constraints: FieldConstraint[] = [];
      if (this.is('{') && this.is('{', 1) && this.peek().span.end === this.peek(1).span.start) {
        this.advance();
        this.advance();
        while (!this.is('}')) {
          constraints.push(this.parseConstraint());
          if (!this.accept(';') && !this.accept(',')) break;
        }
        this.expect('}', "'}}' closing the field constraints");
        this.expect('}', "'}}' closing the field constraints");
      }
      const statements = this.accept('AS') ? this.expectIdent('the name bound to the matching statements') : undefined;
      const p: Mutable<Pattern> = { id: this.id(), span: this.from(start), issuer, verifier, auditor, recordType, constraints };
      if (binder !== undefined) p.binder = binder;
      if (statements !== undefined) p.statements = statements;
      return p;
    } finally {
      this.leave();
    }
  }

  private parseIssuer(): IssuerPattern {
    const start = this.peek().span.start;
    const first = this.peek();
    const second = this.peek(1);
    const startsExpr = second.kind === 'ident' || (second.kind === 'punct' && (second.text === '{' || second.text === '(')) || (second.kind === 'keyword' && (second.text === 'CORRECT' || second.text === 'FAULTY'));
    if (first.kind === 'ident' && startsExpr) {
      this.advance();
      const binder = this.ident(first);
      const set = this.parseSetLevel();
      if (this.accept('==')) {
        const count = this.parseAdditive();
        return { id: this.id(), span: this.from(start), kind: 'single', binder, set, count };
      }
      this.expect('>=', "'== 1' (one issuer) or '>= k' (a quorum) after the issuer set");
      const threshold = this.parseAdditive();
      return { id: this.id(), span: this.from(start), kind: 'quorum', binder, set, threshold };
    }
    const expr = this.parseSetLevel();
    if (this.accept('>=')) {
      const threshold = this.parseAdditive();
      return { id: this.id(), span: this.from(start), kind: 'quorum', set: expr, threshold };
    }
    return { id: this.id(), span: this.from(start), kind: 'principal', expr };
  }

  private parsePrincipals(position: 'verifier' | 'auditor'): PrincipalsPattern {
    const t = this.peek();
    if (this.accept('*')) return { id: this.id(), span: t.span, kind: 'everyone' };
    if (this.accept('NOONE')) return { id: this.id(), span: t.span, kind: 'noone' };
    if (this.accept('NONE')) return { id: this.id(), span: t.span, kind: 'none' };
    if (t.kind === 'punct' && (t.text === ',' || t.text === ']')) {
      this.fail(`expected the ${position} (a principal, a set, *${position === 'auditor' ? ', NOONE or NONE' : ''}), found ${describe(t)}`);
    }
    const expr = this.parseSetLevel();
    return { id: this.id(), span: this.from(t.span.start), kind: 'expr', expr };
  }

  private parseConstraint(): FieldConstraint {
    const field = this.expectIdent('a field name');
    this.expect('==', "'==' in a field constraint");
    const start = field.span.start;
    if (this.accept('_')) return { id: this.id(), span: this.from(start), kind: 'univalent', field };
    if (this.is('*') && (this.is(';', 1) || this.is(',', 1) || this.is('}', 1))) {
      this.advance();
      return { id: this.id(), span: this.from(start), kind: 'multivalent', field };
    }
    const value = this.parseExpr();
    return { id: this.id(), span: this.from(start), kind: 'eq', field, value };
  }

  // ---------- body specs ----------

  private parseBody(): Stmt[] {
    this.expect('@@{');
    const stmts = this.parseStmts('@@}');
    this.expect('@@}', "'@@}' closing the body spec");
    return stmts;
  }

  private parseStmts(close: string): Stmt[] {
    const stmts: Stmt[] = [];
    while (!this.is(close) && this.peek().kind !== 'eof' && !this.isDeclStart(this.peek())) {
      try {
        stmts.push(this.parseStmt());
      } catch (e) {
        // Too deep: resuming at the next ';' would leave the rest of the nest to cascade.
        if (!(e instanceof Panic) || e instanceof TooDeep) throw e;
        // Resume after the next ';' or at the block's end.
        this.syncTo((t) => (t.kind === 'punct' && (t.text === ';' || t.text === close || t.text === '@@}')) || this.isDeclStart(t));
        this.accept(';');
      }
    }
    return stmts;
  }

  private parseStmt(): Stmt {
    this.enter();
    try {
      const start = this.peek().span.start;
      if (this.accept('PUBLISH')) return this.parsePublish(start);
      if (this.accept('IF')) return this.parseIfStmt(start);
      const t = this.peek();
      const t1 = this.peek(1);
      if (t.kind === 'ident' && this.is('<-', 1)) {
        this.advance();
        this.advance();
        const value = this.parseExpr();
        this.expect(';');
        return { id: this.id(), span: this.from(start), kind: 'assign', target: this.ident(t), value };
      }
      if ((t.kind === 'ident' && t1.kind === 'ident') || this.is('SET') || this.is('BOOLEAN') || this.is('INT')) {
        const type = this.parseType();
        const name = this.expectIdent('the name of the local');
        this.expect('<-', "'<-' and the local's value");
        const value = this.parseExpr();
        this.expect(';');
        return { id: this.id(), span: this.from(start), kind: 'local', type, name, value };
      }
      return this.fail(`expected a statement (Type name <- e;  x <- e;  IF ...;  PUBLISH ...;), found ${describe(t)}`);
    } finally {
      this.leave();
    }
  }

  private parseIfStmt(start: number): Stmt {
    const cond = this.parseExpr();
    this.expect('{', "'{' opening the IF branch");
    const then = this.parseStmts('}');
    this.expect('}');
    let otherwise: Stmt[] = [];
    if (this.accept('ELSE')) {
      const elseStart = this.peek().span.start;
      if (this.accept('IF')) {
        // An ELSE IF chain nests like blocks do: bound it, or it exhausts the stack.
        this.enter();
        try {
          otherwise = [this.parseIfStmt(elseStart)];
        } finally {
          this.leave();
        }
      } else {
        this.expect('{', "'{' or IF after ELSE");
        otherwise = this.parseStmts('}');
        this.expect('}');
      }
    }
    return { id: this.id(), span: this.from(start), kind: 'if', cond, then, else: otherwise };
  }

  private parsePublish(start: number): Stmt {
    this.expect('[', "'[' and the statement's principals [ME, verifier, auditor]");
    const issuer = this.parseSetLevel();
    this.expect(',');
    const verifier = this.parsePrincipals('verifier');
    this.expect(',', "',' and the auditor");
    const auditor = this.parsePrincipals('auditor');
    this.expect(']');
    const recordType = this.expectIdent('the record type to publish');
    const args = this.parseArgs();
    const progress = this.accept('PROGRESS') ? this.parsePattern() : undefined;
    this.expect(';');
    const s = { id: this.id(), span: this.from(start), kind: 'publish' as const, issuer, verifier, auditor, recordType, args };
    return progress === undefined ? s : { ...s, progress };
  }

  private parseArgs(): Arg[] {
    this.expect('(');
    const args: Arg[] = [];
    if (!this.is(')')) {
      do {
        const start = this.peek().span.start;
        const t = this.peek();
        if (t.kind === 'ident' && this.is(':', 1)) {
          this.advance();
          this.advance();
          const value = this.parseExpr();
          args.push({ id: this.id(), span: this.from(start), name: this.ident(t), value });
        } else {
          const value = this.parseExpr();
          args.push({ id: this.id(), span: this.from(start), value });
        }
      } while (this.accept(','));
    }
    this.expect(')', "')' closing the arguments");
    return args;
  }

  // ---------- models ----------

  private parseModel(start: number): Decl {
    const name = this.expectIdent('the name of the model');
    this.expect('{');
    const items: ModelItem[] = [];
    while (!this.is('}') && this.peek().kind !== 'eof' && !(this.isDeclStart(this.peek()) && !this.is('CONSTANT') && !this.is('FUNCTION'))) {
      try {
        items.push(this.parseModelItem());
      } catch (e) {
        if (!(e instanceof Panic)) throw e;
        this.depth = 0;
        this.syncTo((t) => (t.kind === 'keyword' && (MODEL_ITEM_START.has(t.text) || DECL_START.has(t.text))) || (t.kind === 'punct' && t.text === '}'));
      }
    }
    this.expect('}', `'}' closing model ${name.name}`);
    return { id: this.id(), span: this.from(start), kind: 'model', name, items };
  }

  private parseModelItem(): ModelItem {
    const t = this.advance();
    const start = t.span.start;
    let item: ModelItem;
    switch (t.text) {
      case 'CONSTANT': {
        const name = this.expectIdent('a constant name');
        this.expect('=');
        const value = this.parseExpr();
        item = { id: this.id(), span: this.from(start), kind: 'constant', name, value };
        break;
      }
      case 'CRASH': {
        const who = this.parseSetLevel();
        item = { id: this.id(), span: this.from(start), kind: 'crash', who };
        break;
      }
      case 'BYZANTINE': {
        const who = this.parseSetLevel();
        const sends: ByzantineSend[] = [];
        if (this.accept('SENDS')) {
          do {
            const s0 = this.peek().span.start;
            const recordType = this.expectIdent('a record type the Byzantine principal may send');
            // An optional name for the record, which a WHERE condition reads.
            const binder = this.peek().kind === 'ident' ? this.expectIdent('a name for the record') : undefined;
            this.expect('TO', "TO and the verifiers");
            const to = this.parsePrincipals('verifier');
            const audit: PrincipalsPattern = this.accept('AUDIT')
              ? this.parsePrincipals('auditor')
              : { id: this.id(), span: this.from(s0), kind: 'noone' };
            const w0 = this.peek();
            const cond = this.accept('WHERE') ? this.parseExpr() : undefined;
            if (cond !== undefined && binder === undefined) {
              return this.fail(`WHERE reads the record through a name: write ${recordType.name} x TO ... WHERE x.field == ...`, w0.span);
            }
            const send: ByzantineSend = { id: this.id(), span: this.from(s0), recordType, to, audit };
            sends.push(cond !== undefined && binder !== undefined ? { ...send, where: { binder, cond } } : send);
          } while (this.accept(','));
        }
        const budget = this.accept('BUDGET') ? this.parseAdditive() : undefined;
        const b = { id: this.id(), span: this.from(start), kind: 'byzantine' as const, who, sends };
        item = budget === undefined ? b : { ...b, budget };
        break;
      }
      case 'SYMMETRY': {
        const set = this.expectIdent('a principal set');
        item = { id: this.id(), span: this.from(start), kind: 'symmetry', set };
        break;
      }
      case 'FUNCTION': {
        const name = this.expectIdent('the name of a function the program leaves to its implementation');
        this.expect('(');
        const params: Ident[] = [];
        if (!this.is(')')) {
          do {
            params.push(this.expectIdent('a parameter name'));
            if (this.is(':')) return this.fail(`in a model, ${name.name}'s parameters are names only: their types are the declaration's`, this.peek().span);
          } while (this.accept(','));
        }
        this.expect(')');
        this.expect('=');
        const body = this.parseExpr();
        item = { id: this.id(), span: this.from(start), kind: 'function', name, params, body };
        break;
      }
      case 'CHECK': {
        const properties: Ident[] = [];
        do properties.push(this.expectIdent('an invariant or property name'));
        while (this.accept(','));
        item = { id: this.id(), span: this.from(start), kind: 'check', properties };
        break;
      }
      default:
        return this.fail(`expected CONSTANT, CRASH, BYZANTINE, SYMMETRY, CHECK or FUNCTION in a model, found ${describe(t)}`, t.span);
    }
    this.accept(';');
    return item;
  }

  // ---------- expressions ----------
  // Precedence, loosest first: ~>, IMPLIES/=>, OR, AND, NOT/[]/<>, comparison and
  // membership, '..', UNION/MINUS, INTER, + -, * / %, unary -, postfix.

  parseExpr(): Expr {
    this.enter();
    try {
      return this.parseLeadsTo();
    } finally {
      this.leave();
    }
  }

  private bin(op: BinaryOp, left: Expr, right: Expr): Expr {
    return { id: this.id(), span: { start: left.span.start, end: right.span.end }, kind: 'binary', op, left, right };
  }

  private parseLeadsTo(): Expr {
    const left = this.parseImplies();
    if (this.accept('~>')) return this.bin('~>', left, this.parseImplies());
    return left;
  }

  private parseImplies(): Expr {
    const left = this.parseOr();
    if (this.accept('IMPLIES') || this.accept('=>')) {
      this.enter();
      try {
        return this.bin('IMPLIES', left, this.parseImplies());
      } finally {
        this.leave();
      }
    }
    return left;
  }

  private parseOr(): Expr {
    return this.chain((link) => {
      let left = this.parseAnd();
      while (this.accept('OR')) {
        link();
        left = this.bin('OR', left, this.parseAnd());
      }
      return left;
    });
  }

  private parseAnd(): Expr {
    return this.chain((link) => {
      let left = this.parseNot();
      while (this.accept('AND')) {
        link();
        left = this.bin('AND', left, this.parseNot());
      }
      return left;
    });
  }

  private parseNot(): Expr {
    const t = this.peek();
    const op = this.is('NOT') ? 'NOT' : this.is('[]') ? '[]' : this.is('<>') ? '<>' : undefined;
    if (op !== undefined) {
      this.advance();
      this.enter();
      try {
        const operand = this.parseNot();
        return { id: this.id(), span: this.from(t.span.start), kind: 'unary', op, operand };
      } finally {
        this.leave();
      }
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parseRange();
    const t = this.peek();
    const ops: readonly BinaryOp[] = ['==', '!=', '<', '<=', '>', '>=', 'IN', 'NOTIN', 'SUBSETEQ'];
    const op = ops.find((o) => this.is(o));
    if (op === undefined) return left;
    this.advance();
    const right = this.parseRange();
    if (ops.some((o) => this.is(o))) {
      this.fail(`comparisons do not chain: put parentheses around '${describe(t)}'s operands`, this.peek().span);
    }
    return this.bin(op, left, right);
  }

  private parseRange(): Expr {
    const left = this.parseSetLevel();
    if (this.accept('..')) return this.bin('..', left, this.parseSetLevel());
    return left;
  }

  /** Set-valued operands: also the level used for principal positions in patterns. */
  parseSetLevel(): Expr {
    return this.chain((link) => {
      let left = this.parseInter();
      for (;;) {
        const op = this.accept('UNION') ? 'UNION' : this.accept('MINUS') ? 'MINUS' : undefined;
        if (op === undefined) return left;
        link();
        left = this.bin(op, left, this.parseInter());
      }
    });
  }

  private parseInter(): Expr {
    return this.chain((link) => {
      let left = this.parseAdditive();
      while (this.accept('INTER')) {
        link();
        left = this.bin('INTER', left, this.parseAdditive());
      }
      return left;
    });
  }

  private parseAdditive(): Expr {
    return this.chain((link) => {
      let left = this.parseMultiplicative();
      for (;;) {
        const op = this.accept('+') ? '+' : this.accept('-') ? '-' : undefined;
        if (op === undefined) return left;
        link();
        left = this.bin(op, left, this.parseMultiplicative());
      }
    });
  }

  private parseMultiplicative(): Expr {
    return this.chain((link) => {
      let left = this.parseUnary();
      for (;;) {
        // '*' right before ']' , ';' or ',' is the everyone/multivalent marker, not a product.
        let op: '*' | '/' | '%' | undefined;
        if (this.is('*') && !this.is(']', 1) && !this.is(';', 1) && !this.is(',', 1)) {
          this.advance();
          op = '*';
        } else op = this.accept('/') ? '/' : this.accept('%') ? '%' : undefined;
        if (op === undefined) return left;
        link();
        left = this.bin(op, left, this.parseUnary());
      }
    });
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.accept('-')) {
      this.enter();
      try {
        const operand = this.parseUnary();
        return { id: this.id(), span: this.from(t.span.start), kind: 'unary', op: '-', operand };
      } finally {
        this.leave();
      }
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    return this.chain((link) => {
      let e = this.parsePrimary();
      while (this.is('.') && this.peek(1).kind === 'ident') {
        link();
        this.advance();
        const field = this.ident(this.advance());
        e = { id: this.id(), span: { start: e.span.start, end: field.span.end }, kind: 'field', target: e, field };
      }
      return e;
    });
  }

  private parsePrimary(): Expr {
    this.enter();
    try {
      const t = this.peek();
      const start = t.span.start;
      switch (t.kind) {
        case 'int':
          this.advance();
          return { id: this.id(), span: t.span, kind: 'int', value: t.value ?? 0 };
        case 'ident': {
          this.advance();
          if (this.is('(')) {
            const args = this.parseArgs();
            return { id: this.id(), span: this.from(start), kind: 'call', callee: this.ident(t), args };
          }
          return { id: this.id(), span: t.span, kind: 'name', name: t.text };
        }
        case 'keyword':
          return this.parseKeywordPrimary(t);
        case 'punct':
          if (this.accept('(')) {
            const inner = this.parseExpr();
            this.expect(')', "')' closing the parenthesis");
            return inner;
          }
          if (this.is('{')) return this.parseSetExpr();
          break;
        case 'eof':
          break;
      }
      return this.fail(`expected an expression, found ${describe(t)}`);
    } finally {
      this.leave();
    }
  }

  private parseKeywordPrimary(t: Token): Expr {
    const start = t.span.start;
    switch (t.text) {
      case 'TRUE':
      case 'FALSE':
        this.advance();
        return { id: this.id(), span: t.span, kind: 'bool', value: t.text === 'TRUE' };
      case 'ME':
        this.advance();
        return { id: this.id(), span: t.span, kind: 'me' };
      case 'CORRECT':
        this.advance();
        return { id: this.id(), span: t.span, kind: 'correct' };
      case 'FAULTY':
        this.advance();
        return { id: this.id(), span: t.span, kind: 'faulty' };
      case 'IF': {
        this.advance();
        const cond = this.parseExpr();
        this.expect('THEN', 'THEN (an IF expression is IF c THEN a ELSE b)');
        const then = this.parseExpr();
        this.expect('ELSE', 'ELSE (an IF expression needs both branches)');
        const otherwise = this.parseExpr();
        return { id: this.id(), span: this.from(start), kind: 'ite', cond, then, else: otherwise };
      }
      case 'FORALL':
      case 'EXISTS': {
        this.advance();
        const binder = this.expectIdent('the bound name');
        this.expect('IN');
        const domain = this.parseSetLevel();
        this.expect(':');
        const body = this.parseExpr();
        return { id: this.id(), span: this.from(start), kind: 'quant', quantifier: t.text, binder, domain, body };
      }
      case 'KNOWN':
      case 'STATEMENTS': {
        this.advance();
        const pattern = this.parsePattern();
        return t.text === 'KNOWN'
          ? { id: this.id(), span: this.from(start), kind: 'known', pattern }
          : { id: this.id(), span: this.from(start), kind: 'known', pattern, collect: true };
      }
      default:
        return this.fail(`expected an expression, found ${describe(t)}`);
    }
  }

  /** `{}`, `{a, b}`, `{x IN S : p}` or `{e : x IN S}`. */
  private parseSetExpr(): Expr {
    const start = this.expect('{').span.start;
    if (this.accept('}')) return { id: this.id(), span: this.from(start), kind: 'setLit', elems: [] };
    const first = this.parseExpr();
    if (this.accept(':')) {
      if (first.kind === 'binary' && first.op === 'IN' && first.left.kind === 'name') {
        const predicate = this.parseExpr();
        this.expect('}', "'}' closing the set comprehension");
        const binder: Ident = { id: this.id(), span: first.left.span, name: first.left.name };
        return { id: this.id(), span: this.from(start), kind: 'setFilter', binder, domain: first.right, predicate };
      }
      const binder = this.expectIdent('the bound name of the comprehension');
      this.expect('IN');
      const domain = this.parseSetLevel();
      this.expect('}', "'}' closing the set comprehension");
      return { id: this.id(), span: this.from(start), kind: 'setMap', element: first, binder, domain };
    }
    const elems = [first];
    while (this.accept(',')) elems.push(this.parseExpr());
    this.expect('}', "'}' closing the set");
    return { id: this.id(), span: this.from(start), kind: 'setLit', elems };
  }
}
