// The `--assert` transformer (TypeScript compiler API, run before TypeScript's
// own): it marks each place a body program writes a role variable or
// publishes with that place's location in the user's .ts, so that a
// violation names the program's line as well as the spec's. The comparison
// itself happens at run time (build/adapter.ts); the marks cost one call per
// write and one argument per publish.
//
// The places are found by type, not by name: a write is an assignment to a
// property of an object whose type is a generated `<Role>State`, a publish a
// call that resolves to a generated context's `publish`, however the program
// reaches them (ctx.state.x, a destructured `state`, a helper taking the state).

import ts from 'typescript';
import { AT_GLOBAL } from './manifest.js';

/** `file:line:col` of a node in the user's source (1-based, as mommie's diagnostics). */
export function where(node: ts.Node, sf: ts.SourceFile, shownPath: string): string {
  const p = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${shownPath}:${p.line + 1}:${p.character + 1}`;
}

function declaredIn(decls: readonly ts.Declaration[] | undefined, generated: string): boolean {
  return decls?.some((d) => d.getSourceFile().fileName === generated) ?? false;
}

export function assertTransformer(checker: ts.TypeChecker, generated: string, shown: (sf: ts.SourceFile) => string): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sf) => {
    if (sf.fileName === generated) return sf;
    const f = context.factory;
    const path = shown(sf);
    const isStateProperty = (e: ts.Expression): e is ts.PropertyAccessExpression => {
      if (!ts.isPropertyAccessExpression(e)) return false;
      const sym = checker.getTypeAtLocation(e.expression).getSymbol();
      return sym !== undefined && /State$/.test(sym.getName()) && declaredIn(sym.getDeclarations(), generated);
    };
    const at = (node: ts.Node, value: ts.Expression): ts.Expression =>
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier('globalThis'), AT_GLOBAL), undefined, [f.createStringLiteral(where(node, sf, path)), value]);
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment && isStateProperty(node.left)) {
        // The value is evaluated before the mark is set, so writes inside it keep their own marks.
        return f.updateBinaryExpression(node, ts.visitNode(node.left, visit) as ts.Expression, node.operatorToken, at(node, ts.visitNode(node.right, visit) as ts.Expression));
      }
      if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) && isStateProperty(node.operand)) {
        const op = node.operator === ts.SyntaxKind.PlusPlusToken ? ts.SyntaxKind.PlusEqualsToken : ts.SyntaxKind.MinusEqualsToken;
        const assign = f.createBinaryExpression(node.operand, op, at(node, f.createNumericLiteral(1)));
        if (ts.isPrefixUnaryExpression(node)) return f.createParenthesizedExpression(assign);
        // x++ is the old value.
        const back = node.operator === ts.SyntaxKind.PlusPlusToken ? ts.SyntaxKind.MinusToken : ts.SyntaxKind.PlusToken;
        return f.createParenthesizedExpression(f.createBinaryExpression(f.createParenthesizedExpression(assign), back, f.createNumericLiteral(1)));
      }
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
