// Body programs must be synchronous: the semantics takes a step to be atomic,
// so what an async body does after its first `await` would be lost (or land
// in some later step), and a rejection would escape the step. The build
// refuses, at its line, every `async` function, `await`, `for await` and use
// of the global `Promise` in the body programs and their helpers, and a body
// written as a generator (calling it runs none of its body). The run refuses
// a body that returns a Promise all the same (build/adapter.ts): a value can
// reach a Promise in ways no syntax shows.

import ts from 'typescript';

export interface AsyncUse {
  readonly node: ts.Node;
  readonly what: string;
}

/** Every asynchronous construct in `sf`. `libFile` tells a declaration of the standard library. */
export function asyncUses(sf: ts.SourceFile, checker: ts.TypeChecker, libFile: (f: ts.SourceFile) => boolean): AsyncUse[] {
  const out: AsyncUse[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Async) out.push({ node, what: 'an async function' });
    else if (ts.isAwaitExpression(node)) out.push({ node, what: 'await' });
    else if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) out.push({ node, what: 'for await' });
    else if (ts.isIdentifier(node) && node.text === 'Promise' && !isDeclarationName(node)) {
      const decls = checker.getSymbolAtLocation(node)?.getDeclarations() ?? [];
      if (decls.some((d) => libFile(d.getSourceFile()))) out.push({ node, what: 'a Promise' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function isDeclarationName(node: ts.Identifier): boolean {
  const p = node.parent;
  return p !== undefined && (ts.isVariableDeclaration(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isInterfaceDeclaration(p) || ts.isTypeAliasDeclaration(p) || ts.isParameter(p)) && p.name === node;
}

/** A body program written as a generator (`*Execute(ctx) {}`, `Execute: function* () {}`). */
export function isGeneratorBody(p: ts.ObjectLiteralElementLike): boolean {
  if (ts.isMethodDeclaration(p)) return p.asteriskToken !== undefined;
  if (ts.isPropertyAssignment(p)) {
    let e: ts.Expression = p.initializer;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    return ts.isFunctionExpression(e) && e.asteriskToken !== undefined;
  }
  return false;
}
