// What a transition writes, in MOMMIE terms: for each role variable the
// expressions assigned to it, and the statements it publishes. A failed step
// of a generated TypeOK proof names these, so that the report points at the
// MOMMIE expression that may leave its type rather than at TLA+ text.

import type { CheckedProgram, TransitionInfo } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type * as A from '../syntax/ast.js';

export interface Write {
  /** The MOMMIE text: the assigned expression, or the published record. */
  readonly text: string;
  /** `specs/X.mom:71`, or the file alone without the source text. */
  readonly at: string;
}

export interface TransitionWrites {
  /** MOMMIE variable name -> the expressions assigned to it, in order. */
  readonly assigns: ReadonlyMap<string, readonly Write[]>;
  readonly publishes: readonly Write[];
}

export function placeOf(program: CheckedProgram, source: SourceText | undefined, span: A.Node['span']): string {
  const p = source?.position(span.start);
  return p === undefined ? program.file : `${program.file}:${p.line}`;
}

/** The source text of a node, on one line, or a fallback. */
export function textOf(source: SourceText | undefined, span: A.Node['span'], fallback: string): string {
  if (source === undefined) return fallback;
  const t = source.text.slice(span.start, span.end).replace(/\s+/g, ' ').trim();
  return t === '' ? fallback : t;
}

export function transitionWrites(program: CheckedProgram, source: SourceText | undefined, t: TransitionInfo): TransitionWrites {
  const assigns = new Map<string, Write[]>();
  const publishes: Write[] = [];
  const visit = (stmts: readonly A.Stmt[]): void => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'assign': {
          const target = program.resolution.get(s.target.id);
          if (target?.k !== 'roleVar') break;
          const list = assigns.get(target.name) ?? [];
          list.push({ text: textOf(source, s.value.span, s.target.name), at: placeOf(program, source, s.span) });
          assigns.set(target.name, list);
          break;
        }
        case 'publish':
          publishes.push({ text: `${s.recordType.name}${recordArgs(source, s)}`, at: placeOf(program, source, s.span) });
          break;
        case 'if':
          visit(s.then);
          visit(s.else);
          break;
        case 'local':
          break;
      }
    }
  };
  visit(t.decl.body);
  return { assigns, publishes };
}

/** `(client: ME, op: op)`: the record's arguments as written. */
function recordArgs(source: SourceText | undefined, s: A.Stmt & { kind: 'publish' }): string {
  if (source === undefined || s.args.length === 0) return '';
  const first = s.args[0]!;
  const last = s.args[s.args.length - 1]!;
  return `(${textOf(source, { start: first.span.start, end: last.span.end }, '…')})`;
}
