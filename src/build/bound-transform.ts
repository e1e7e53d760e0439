// The work-bound transformer (TypeScript compiler API), applied to every
// build: each loop iteration and each entry into a function the user wrote
// first runs `if (--__mommieWork.left < 0) __mommieWork.stop("file:line:col")`
// (build/work.ts), which throws once a step has done more than the build's
// limit. Loops and
// calls are what can run for ever in a synchronous body (recursion without a
// loop included); straight-line code between two of them is finite. What
// this does not count: work inside the runtime or a library that does not
// call back into the user's code.

import ts from 'typescript';
import { where } from './assert-transform.js';
import { WORK_GLOBAL } from './work.js';

/** The module-level name each instrumented module reads the counter through. */
const LOCAL = '__mommieWork';

export function workBoundTransformer(generated: string, shown: (sf: ts.SourceFile) => string): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sf) => {
    if (sf.fileName === generated) return sf;
    const f = context.factory;
    const path = shown(sf);
    // `--W.left < 0 && W.stop(at)`: inline, so that a counted iteration costs a decrement and a test.
    const tick = (node: ts.Node): ts.Expression => f.createLogicalAnd(
      f.createLessThan(f.createPrefixDecrement(f.createPropertyAccessExpression(f.createIdentifier(LOCAL), 'left')), f.createNumericLiteral(0)),
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(LOCAL), 'stop'), undefined, [f.createStringLiteral(where(ts.getOriginalNode(node), sf, path))]),
    );
    const counted = (node: ts.Node, body: ts.Statement): ts.Block => f.createBlock([f.createExpressionStatement(tick(node)), body], true);
    const withTick = (node: ts.Node, body: ts.Block): ts.Block => f.updateBlock(body, [f.createExpressionStatement(tick(node)), ...body.statements]);

    const visit = (original: ts.Node): ts.Node => {
      const node = ts.visitEachChild(original, visit, context);
      if (ts.isForStatement(node)) return f.updateForStatement(node, node.initializer, node.condition, node.incrementor, counted(original, node.statement));
      if (ts.isForOfStatement(node)) return f.updateForOfStatement(node, node.awaitModifier, node.initializer, node.expression, counted(original, node.statement));
      if (ts.isForInStatement(node)) return f.updateForInStatement(node, node.initializer, node.expression, counted(original, node.statement));
      if (ts.isWhileStatement(node)) return f.updateWhileStatement(node, node.expression, counted(original, node.statement));
      if (ts.isDoStatement(node)) return f.updateDoStatement(node, counted(original, node.statement), node.expression);
      if (ts.isFunctionDeclaration(node) && node.body !== undefined) {
        return f.updateFunctionDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, withTick(original, node.body));
      }
      if (ts.isFunctionExpression(node)) {
        return f.updateFunctionExpression(node, node.modifiers, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, withTick(original, node.body));
      }
      if (ts.isMethodDeclaration(node) && node.body !== undefined) {
        return f.updateMethodDeclaration(node, node.modifiers, node.asteriskToken, node.name, node.questionToken, node.typeParameters, node.parameters, node.type, withTick(original, node.body));
      }
      if (ts.isGetAccessorDeclaration(node) && node.body !== undefined) {
        return f.updateGetAccessorDeclaration(node, node.modifiers, node.name, node.parameters, node.type, withTick(original, node.body));
      }
      if (ts.isSetAccessorDeclaration(node) && node.body !== undefined) {
        return f.updateSetAccessorDeclaration(node, node.modifiers, node.name, node.parameters, withTick(original, node.body));
      }
      if (ts.isArrowFunction(node)) {
        const body = ts.isBlock(node.body) ? withTick(original, node.body) : f.createParenthesizedExpression(f.createComma(tick(original), node.body));
        return f.updateArrowFunction(node, node.modifiers, node.typeParameters, node.parameters, node.type, node.equalsGreaterThanToken, body);
      }
      return node;
    };
    const out = ts.visitNode(sf, visit) as ts.SourceFile;
    // `globalThis.__mommieWork ?? { left: Infinity }`: a module imported outside mommie runs unbounded rather than failing.
    const binding = f.createVariableStatement(undefined, f.createVariableDeclarationList([
      f.createVariableDeclaration(LOCAL, undefined, undefined, f.createBinaryExpression(
        f.createPropertyAccessExpression(f.createIdentifier('globalThis'), WORK_GLOBAL),
        ts.SyntaxKind.QuestionQuestionToken,
        f.createObjectLiteralExpression([f.createPropertyAssignment('left', f.createIdentifier('Infinity'))]),
      )),
    ], ts.NodeFlags.Const));
    return f.updateSourceFile(out, [binding, ...out.statements]);
  };
}
