// `mommie build`: the body programs in DIR compiled against declarations
// generated from the checked program, into an ordinary ES module build with
// source maps. One module per role (`Replica.ts`), default-exporting a body
// program per transition it implements; `functions.ts` supplies the
// functions the program leaves open; any other .ts in DIR is a helper.
// Every build is synchronous (build/synchronous.ts) and counts its loops and
// calls (build/bound-transform.ts); an --assert build also marks publishes.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { CheckedProgram } from '../analysis/program.js';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceText } from '../diagnostics/source.js';
import { assertTransformer, where } from './assert-transform.js';
import { workBoundTransformer } from './bound-transform.js';
import { bodiesType, FUNCTIONS_MODULE, generateDeclarations, GENERATED_MODULE } from './declarations.js';
import { MANIFEST_FILE, MANIFEST_VERSION, sha256, type BuildManifest } from './manifest.js';
import { asyncUses, isGeneratorBody } from './synchronous.js';
import { DEFAULT_WORK_LIMIT } from './work.js';

export interface BuildRequest {
  readonly program: CheckedProgram;
  readonly programText: string;
  readonly bodiesDir: string;
  readonly outDir: string;
  readonly assert: boolean;
  /** Loop iterations and calls a step may make (default DEFAULT_WORK_LIMIT). */
  readonly workLimit?: number;
}

/** A diagnostic with the text it points into, ready for formatDiagnostic. */
export interface SourcedDiagnostic {
  readonly diagnostic: Diagnostic;
  readonly source?: SourceText;
}

export type BuildResult = { readonly ok: true; readonly manifest: BuildManifest; readonly modules: number } | { readonly ok: false; readonly diagnostics: readonly SourcedDiagnostic[] };

const CHECK_FILE = '__mommie_check__.ts';

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  // ES modules with bundler resolution: `./mommie.js` finds mommie.ts, and
  // the output is ESM whatever package.json DIR sits under.
  module: ts.ModuleKind.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  strict: true,
  noUncheckedIndexedAccess: true,
  sourceMap: true,
  noEmitOnError: true,
  skipLibCheck: true,
  types: [],
};

export function buildBodies(req: BuildRequest): BuildResult {
  const { program } = req;
  const dir = resolve(req.bodiesDir);
  const shownDir = req.bodiesDir.replace(/\/+$/, '');
  const shown = (abs: string): string => join(shownDir, relative(dir, abs));
  if (!existsSync(dir)) return { ok: false, diagnostics: [{ diagnostic: diag('MOM001', req.bodiesDir, 'no such directory of body programs') }] };
  const generated = join(dir, GENERATED_MODULE);
  writeFileSync(generated, generateDeclarations(program));
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== CHECK_FILE).map((f) => join(dir, f));
  const roleFiles = [...program.roles.keys()].filter((r) => files.includes(join(dir, `${r}.ts`)));
  const functionsFile = join(dir, `${FUNCTIONS_MODULE}.ts`);
  const hasFunctions = files.includes(functionsFile);

  // Whether each module's default export is what its role takes, checked by
  // assignment in a file of our own (errors there are reported at the module).
  const check = join(dir, CHECK_FILE);
  const checkLines = [`import type { ${[...roleFiles.map(bodiesType), ...(hasFunctions ? ['Functions'] : [])].join(', ') || 'Principal'} } from './mommie.js';`];
  for (const r of roleFiles) checkLines.push(`import ${r}_ from './${r}.js';`, `export const ${r}__: ${bodiesType(r)} = ${r}_;`);
  if (hasFunctions) checkLines.push(`import functions_ from './${FUNCTIONS_MODULE}.js';`, 'export const functions__: Functions = functions_;');
  const checkText = checkLines.join('\n') + '\n';

  const host = ts.createCompilerHost({ ...OPTIONS, outDir: resolve(req.outDir), rootDir: dir });
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => (resolve(name) === check ? ts.createSourceFile(name, checkText, lang) : getSourceFile(name, lang, onError, create));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === check || fileExists(name);
  const tsProgram = ts.createProgram({ rootNames: [...files, check], options: { ...OPTIONS, outDir: resolve(req.outDir), rootDir: dir }, host });

  const problems: SourcedDiagnostic[] = [];
  const sources = new Map<string, SourceText>();
  const sourceOf = (abs: string): SourceText | undefined => {
    if (!sources.has(abs) && existsSync(abs)) sources.set(abs, new SourceText(shown(abs), readFileSync(abs, 'utf8')));
    return sources.get(abs);
  };
  for (const d of ts.getPreEmitDiagnostics(tsProgram)) {
    const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`;
    if (d.file === undefined || d.start === undefined) {
      problems.push({ diagnostic: diag('MOM700', shownDir, message) });
      continue;
    }
    const abs = resolve(d.file.fileName);
    if (abs === check) {
      // Which role: the line's import names it.
      const line = d.file.getLineAndCharacterOfPosition(d.start).line;
      const name = /export const (\w+?)__/.exec(checkText.split('\n')[line] ?? '')?.[1] ?? '';
      const target = join(dir, `${name === 'functions' ? FUNCTIONS_MODULE : name}.ts`);
      problems.push({ diagnostic: diag('MOM701', shown(target), `the default export is not a ${name === 'functions' ? 'Functions' : bodiesType(name)} (write \`export default { ... } satisfies ${name === 'functions' ? 'Functions' : bodiesType(name)}\`): ${message}`, defaultExportSpan(tsProgram.getSourceFile(target))), ...withSource(sourceOf(target)) });
      continue;
    }
    problems.push({ diagnostic: diag('MOM700', shown(abs), message, { start: d.start, end: d.start + (d.length ?? 1) }), ...withSource(sourceOf(abs)) });
  }

  const isLib = (f: ts.SourceFile): boolean => tsProgram.isSourceFileDefaultLibrary(f);
  for (const abs of files) {
    const sf = tsProgram.getSourceFile(abs);
    if (sf === undefined) continue;
    for (const u of asyncUses(sf, tsProgram.getTypeChecker(), isLib)) {
      problems.push({ diagnostic: diag('MOM705', shown(abs), `${u.what} in a body program: body programs and their helpers are synchronous (the step they take is atomic; what an async body did after an await would be lost)`, { start: u.node.getStart(sf), end: u.node.getEnd() }), ...withSource(sourceOf(abs)) });
    }
  }

  const roles: BuildManifest['roles'] = {};
  for (const r of roleFiles) {
    const abs = join(dir, `${r}.ts`);
    const sf = tsProgram.getSourceFile(abs);
    const obj = sf === undefined ? undefined : defaultExportObject(sf);
    if (sf === undefined || obj === undefined) {
      problems.push({ diagnostic: diag('MOM701', shown(abs), `${r}.ts must default-export an object literal of body programs (\`export default { Transition(ctx) { ... } } satisfies ${bodiesType(r)}\`)`) });
      continue;
    }
    const names = new Set(program.roles.get(r)!.transitions.map((t) => t.name));
    const transitions: BuildManifest['roles'][string]['transitions'] = {};
    for (const p of obj.properties) {
      const key = ts.isSpreadAssignment(p) ? undefined : p.name;
      const name = key !== undefined && (ts.isIdentifier(key) || ts.isStringLiteral(key)) ? key.text : undefined;
      if (name === undefined || !names.has(name)) {
        // Said better than TypeScript's excess-property error at the same place: drop that one.
        const same = problems.findIndex((q) => q.diagnostic.file === shown(abs) && q.diagnostic.span?.start === p.getStart(sf) && q.diagnostic.code === 'MOM700');
        if (same >= 0) problems.splice(same, 1);
        problems.push({ diagnostic: diag('MOM701', shown(abs), `role ${r} has no transition ${name ?? p.getText(sf)} (it has ${[...names].join(', ')})`, { start: p.getStart(sf), end: p.getEnd() }), ...withSource(sourceOf(abs)) });
        continue;
      }
      if (isGeneratorBody(p)) {
        problems.push({ diagnostic: diag('MOM705', shown(abs), `the body program of ${r}.${name} is a generator: calling it would run none of its body (write a plain method)`, { start: p.getStart(sf), end: p.getEnd() }), ...withSource(sourceOf(abs)) });
        continue;
      }
      transitions[name] = { at: where(p, sf, shown(abs)) };
    }
    roles[r] = { module: `${r}.js`, source: shown(abs), transitions };
  }
  problems.sort((a, b) => a.diagnostic.file.localeCompare(b.diagnostic.file) || (a.diagnostic.span?.start ?? 0) - (b.diagnostic.span?.start ?? 0));
  if (problems.length > 0) return { ok: false, diagnostics: problems };

  mkdirSync(req.outDir, { recursive: true });
  const generatedName = tsProgram.getSourceFile(generated)!.fileName;
  const shownOf = (sf: ts.SourceFile): string => shown(resolve(sf.fileName));
  // The assert marks first: they need the checker, which knows the untransformed tree.
  const transformers: ts.CustomTransformers = {
    before: [...(req.assert ? [assertTransformer(tsProgram.getTypeChecker(), generatedName, shownOf)] : []), workBoundTransformer(generatedName, shownOf)],
  };
  let modules = 0;
  const emitted = tsProgram.emit(undefined, (name, text) => {
    if (basename(name).startsWith(CHECK_FILE.replace(/\.ts$/, ''))) return;
    if (name.endsWith('.js')) modules++;
    writeFileSync(name, text);
  }, undefined, false, transformers);
  for (const d of emitted.diagnostics) problems.push({ diagnostic: diag('MOM700', shownDir, ts.flattenDiagnosticMessageText(d.messageText, '\n')) });
  if (problems.length > 0) return { ok: false, diagnostics: problems };
  writeFileSync(join(req.outDir, 'package.json'), JSON.stringify({ type: 'module', private: true }, null, 2) + '\n');
  const manifest: BuildManifest = {
    version: MANIFEST_VERSION, program: resolve(program.file), programSha256: sha256(req.programText), assert: req.assert, roles,
    functions: hasFunctions ? `${FUNCTIONS_MODULE}.js` : null, workLimit: req.workLimit ?? DEFAULT_WORK_LIMIT,
  };
  writeFileSync(join(req.outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return { ok: true, manifest, modules };
}

const withSource = (s: SourceText | undefined): { source?: SourceText } => (s === undefined ? {} : { source: s });

function defaultExportObject(sf: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  for (const st of sf.statements) {
    if (!ts.isExportAssignment(st) || st.isExportEquals === true) continue;
    let e: ts.Expression = st.expression;
    while (ts.isSatisfiesExpression(e) || ts.isAsExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
    return ts.isObjectLiteralExpression(e) ? e : undefined;
  }
  return undefined;
}

function defaultExportSpan(sf: ts.SourceFile | undefined): { start: number; end: number } | undefined {
  const st = sf?.statements.find((s) => ts.isExportAssignment(s));
  return st === undefined || sf === undefined ? undefined : { start: st.getStart(sf), end: st.getStart(sf) + 'export default'.length };
}
