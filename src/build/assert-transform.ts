// The `--assert` transformer (TypeScript compiler API, run before TypeScript's
// own): it hands each call of a generated context's `publish` the call's
// place in the user's .ts as one more argument, so that a violation names the
// program's line as well as the spec's. The comparison itself happens at run
// time (build/adapter.ts). Writes to role variables need no mark: the step's
// state object finds each write's place from the stack when it happens
// (build/context.ts), whatever form the write takes.
//
// A publish is found by type, not by name: a call that resolves to a generated
// context's `publish`, however the program reaches it (ctx.publish, a
// destructured `publish`, a helper taking the context).

import ts from 'typescript';

/** `file:line:col` of a node in the user's source (1-based, as mommie's diagnostics). */
export function where(node: ts.Node, sf: ts.SourceFile, shownPath: string): string {
  const p = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${shownPath}:${p.line + 1}:${p.character + 1}`;
}

export function assertTransformer(checker: ts.TypeChecker, generated: string, shown: (sf: ts.SourceFile) => string): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sf) => {
    if (sf.fileName === generated) return sf;
    const f = context.factory;
    const path = shown(sf);
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isCallExpression(node)) {
        const decl = checker.getResolvedSignature(node)?.getDeclaration();
        if (decl !== undefined && decl.getSourceFile().fileName === generated && ts.isMethodSignature(decl) && decl.name.getText() === 'publish') {
          const args = node.arguments.map((a) => ts.visitNode(a, visit) as ts.Expression);
          return f.updateCallExpression(node, ts.visitNode(node.expression, visit) as ts.Expression, node.typeArguments, [...args, f.createStringLiteral(where(node, sf, path))]);
        }
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(sf, visit) as ts.SourceFile;
  };
}
