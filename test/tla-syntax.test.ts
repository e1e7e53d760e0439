// An always-on syntax check of the generated TLA+: every model of every
// program in specs/ and specs/buggy/ is translated in-process and each .tla
// file is parsed with the tree-sitter TLA+ grammar (WebAssembly, no Java), so
// malformed output fails here even where CI has no SANY or TLC. The .cfg files
// are not TLA+; a small line-based check covers them, and their names are
// checked against the definitions and constants of the modules they configure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { checkBytes } from '../src/analysis/frontend.js';
import { translate } from '../src/tla/module.js';
import { ROOT } from './helpers/cli.js';

const require = createRequire(import.meta.url);
const GRAMMAR_WASM = join(dirname(require.resolve('@tlaplus/tree-sitter-tlaplus/package.json')), 'tree-sitter-tlaplus.wasm');

/**
 * Programs to translate: `specs/*.mom`, `specs/buggy/*.mom` and the programs
 * with functions left to the implementation, relative to ROOT.
 */
const SPEC_DIRS = ['specs', join('specs', 'buggy'), join('test', 'fixtures', 'functions')];
const programs = SPEC_DIRS.flatMap((d) =>
  readdirSync(join(ROOT, d))
    .filter((f) => f.endsWith('.mom'))
    .sort()
    .map((f) => join(d, f)),
);

interface Translated {
  readonly spec: string;
  /** File name -> text, as `mommie tla` would write them; undefined when the front end failed. */
  readonly files?: ReadonlyMap<string, string>;
  readonly error?: string;
}

// Translated at collection time so that every generated file gets its own test.
const translated: Translated[] = programs.map((spec) => {
  // Read from ROOT but named as the CLI names it (`mommie tla specs/X.mom`),
  // so the generated text is the same as the CLI's.
  const fe = checkBytes(spec, readFileSync(join(ROOT, spec)));
  if (!fe.ok || fe.program === undefined) {
    return { spec, error: fe.diagnostics.map((d) => d.message).join('\n') || 'front end failed' };
  }
  try {
    return { spec, files: translate(fe.program, fe.source).files };
  } catch (e) {
    return { spec, error: `translate threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
  }
});

let parser: Parser;

beforeAll(async () => {
  await Parser.init();
  const language = await Language.load(GRAMMAR_WASM);
  parser = new Parser();
  parser.setLanguage(language);
});

afterAll(() => {
  parser?.delete();
});

interface Problem {
  readonly row: number;
  readonly column: number;
  readonly what: string;
}

/**
 * ERROR and MISSING nodes, in source order. Error recovery can wrap a large
 * part of the module (even all of it) in one ERROR node; the ERROR and
 * MISSING nodes inside it point closer to the fault, so an ERROR node is
 * reported itself only when nothing inside it is.
 */
function problemsIn(root: Node): Problem[] {
  const found: Problem[] = [];
  const walk = (n: Node): void => {
    if (n.isMissing) {
      found.push({ row: n.startPosition.row, column: n.startPosition.column, what: `missing ${JSON.stringify(n.type)}` });
      return;
    }
    if (!n.hasError) return; // nothing wrong here or below
    const before = found.length;
    for (const c of n.children) walk(c);
    if (n.isError && found.length === before) {
      found.push({ row: n.startPosition.row, column: n.startPosition.column, what: `syntax error (ERROR node spanning ${JSON.stringify(clip(n.text, 60))})` });
    }
  };
  walk(root);
  return found;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}

/** Parses TLA+ text; returns a readable report, empty when the tree is clean. */
function tlaSyntaxReport(fileName: string, text: string): string[] {
  const tree = parser.parse(text);
  if (tree === null) return [`${fileName}: tree-sitter returned no tree`];
  try {
    const lines = text.split('\n');
    return problemsIn(tree.rootNode)
      .slice(0, 20)
      .map((p) => {
        const src = lines[p.row] ?? '';
        return `${fileName}:${p.row + 1}:${p.column + 1}: ${p.what}\n    ${src}\n    ${' '.repeat(p.column)}^`;
      });
  } finally {
    tree.delete();
  }
}

/** Top-level names of a module: operator definitions and declared constants. */
function declaredNames(text: string): { definitions: Set<string>; constants: Set<string> } {
  const definitions = new Set<string>();
  const constants = new Set<string>();
  const tree = parser.parse(text);
  if (tree === null) return { definitions, constants };
  try {
    for (const mod of tree.rootNode.namedChildren) {
      if (mod.type !== 'module') continue;
      for (const unit of mod.namedChildren) {
        if (unit.type === 'operator_definition' || unit.type === 'function_definition') {
          const name = unit.childForFieldName('name');
          if (name !== null) definitions.add(name.text);
        } else if (unit.type === 'constant_declaration') {
          for (const c of unit.namedChildren) {
            if (c.type === 'identifier') constants.add(c.text);
            // An operator constant, `execute(_)`: a function a model defines.
            if (c.type === 'operator_declaration') {
              const name = c.childForFieldName('name');
              if (name !== null) constants.add(name.text);
            }
          }
        }
      }
    }
  } finally {
    tree.delete();
  }
  return { definitions, constants };
}

const CFG_IDENT = '[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*';

/**
 * The .cfg files as mommie writes them: a comment line, then keyword lines
 * (SPECIFICATION, CONSTANTS with indented `c = v` / `c <- Def` lines,
 * INVARIANT, PROPERTY, SYMMETRY, CHECK_DEADLOCK). Names must exist in the
 * modules: definitions for SPECIFICATION/INVARIANT/PROPERTY/SYMMETRY and for
 * `<-` substitutions, declared constants on the left of CONSTANTS lines, and
 * every declared constant must get a value.
 */
function cfgReport(fileName: string, text: string, names: { definitions: Set<string>; constants: Set<string> }): string[] {
  const out: string[] = [];
  const assigned = new Set<string>();
  let inConstants = false;
  let spec = 0;
  let deadlock = 0;
  const keywordLine = new RegExp(`^(SPECIFICATION|INVARIANT|PROPERTY|SYMMETRY) (${CFG_IDENT})$`);
  const constantLine = new RegExp(`^\\s+(${CFG_IDENT}) (=|<-) (${CFG_IDENT})$`);
  text.split('\n').forEach((line, i) => {
    const at = `${fileName}:${i + 1}`;
    if (line.trim() === '' || line.startsWith('\\*')) return;
    const c = constantLine.exec(line);
    if (c !== null) {
      const [, lhs, op, rhs] = c as unknown as [string, string, string, string];
      if (!inConstants) out.push(`${at}: constant line outside CONSTANTS: ${line}`);
      if (!names.constants.has(lhs)) out.push(`${at}: ${lhs} is not a declared constant: ${line}`);
      if (op === '<-' && !names.definitions.has(rhs)) out.push(`${at}: ${rhs} is not defined: ${line}`);
      if (op === '=' && rhs !== lhs && !names.definitions.has(rhs)) out.push(`${at}: model value ${rhs} differs from ${lhs}: ${line}`);
      assigned.add(lhs);
      return;
    }
    inConstants = false;
    if (line === 'CONSTANTS') {
      inConstants = true;
      return;
    }
    const k = keywordLine.exec(line);
    if (k !== null) {
      const [, keyword, name] = k as unknown as [string, string, string];
      if (keyword === 'SPECIFICATION') spec++;
      if (!names.definitions.has(name)) out.push(`${at}: ${keyword} ${name}: ${name} is not defined`);
      return;
    }
    if (/^CHECK_DEADLOCK (TRUE|FALSE)$/.test(line)) {
      deadlock++;
      return;
    }
    out.push(`${at}: not a TLC configuration line: ${JSON.stringify(line)}`);
  });
  if (spec !== 1) out.push(`${fileName}: ${spec} SPECIFICATION lines, expected 1`);
  if (deadlock > 1) out.push(`${fileName}: ${deadlock} CHECK_DEADLOCK lines`);
  for (const c of names.constants) if (!assigned.has(c)) out.push(`${fileName}: constant ${c} gets no value`);
  return out;
}

describe('tree-sitter TLA+ grammar (negative and positive controls)', () => {
  it('loads the grammar from the installed package', () => {
    expect(GRAMMAR_WASM).toMatch(/tree-sitter-tlaplus\.wasm$/);
    expect(parser).toBeDefined();
  });

  it('accepts a well-formed module', () => {
    const ok = '---- MODULE Fine ----\nEXTENDS Naturals\nVARIABLE x\nInit == x = 0\nNext == x\' = x + 1\nSpec == Init /\\ [][Next]_x\n====\n';
    expect(tlaSyntaxReport('Fine.tla', ok)).toEqual([]);
  });

  it('reports an unfinished expression as an ERROR with its place', () => {
    const broken = '---- MODULE Broken ----\nEXTENDS Naturals\nx == (1 +\n====\n';
    const report = tlaSyntaxReport('Broken.tla', broken);
    expect(report.length).toBeGreaterThan(0);
    expect(report.join('\n')).toMatch(/^Broken\.tla:\d+:\d+: (syntax error|missing)/);
    expect(report.join('\n')).toContain('x == (1 +');
  });

  it('reports an unbalanced bracket', () => {
    const broken = '---- MODULE Unbalanced ----\nS == {1, 2\nT == 3\n====\n';
    expect(tlaSyntaxReport('Unbalanced.tla', broken).length).toBeGreaterThan(0);
  });

  it('reports a missing module end', () => {
    const broken = '---- MODULE NoEnd ----\nx == 1\n';
    expect(tlaSyntaxReport('NoEnd.tla', broken).length).toBeGreaterThan(0);
  });

  it('the .cfg check rejects an unknown keyword and an undefined name', () => {
    const names = { definitions: new Set(['Spec', 'Inv']), constants: new Set(['N']) };
    expect(cfgReport('ok.cfg', 'SPECIFICATION Spec\nCONSTANTS\n  N = N\nINVARIANT Inv\nCHECK_DEADLOCK FALSE\n', names)).toEqual([]);
    expect(cfgReport('bad.cfg', 'SPECIFICATION Spec\nINVARIANTS Inv\n', names).join('\n')).toMatch(/not a TLC configuration line[\s\S]*constant N gets no value/);
    expect(cfgReport('bad.cfg', 'SPECIFICATION Spec\nCONSTANTS\n  N <- MC_N\nPROPERTY Live\n', names).join('\n')).toMatch(/MC_N is not defined[\s\S]*Live is not defined/);
  });
});

describe('generated TLA+ parses without errors', () => {
  it('finds the example programs', () => {
    expect(programs.filter((p) => !p.includes('buggy')).length).toBeGreaterThanOrEqual(3);
    expect(programs.filter((p) => p.includes('buggy')).length).toBeGreaterThanOrEqual(1);
  });

  for (const t of translated) {
    describe(t.spec, () => {
      if (t.files === undefined) {
        it('passes the front end and translates', () => {
          expect.fail(`${t.spec} did not translate:\n${t.error}`);
        });
        return;
      }
      const files = t.files;
      const tlaFiles = [...files.keys()].filter((f) => f.endsWith('.tla'));
      const cfgFiles = [...files.keys()].filter((f) => f.endsWith('.cfg'));

      it('has a main module and one MC module and .cfg per model', () => {
        expect(tlaFiles.filter((f) => !f.startsWith('MC_'))).toHaveLength(1);
        expect(tlaFiles.filter((f) => f.startsWith('MC_')).length).toBeGreaterThanOrEqual(1);
        expect(cfgFiles.map((f) => f.replace(/\.cfg$/, '.tla')).sort()).toEqual(tlaFiles.filter((f) => f.startsWith('MC_')).sort());
      });

      for (const name of tlaFiles) {
        it(`${name} has no ERROR or MISSING nodes`, () => {
          const report = tlaSyntaxReport(name, files.get(name)!);
          expect(report, `tree-sitter found syntax errors in ${name} (from ${t.spec}):\n${report.join('\n')}`).toEqual([]);
        });
      }

      for (const name of cfgFiles) {
        it(`${name} is a well-formed TLC configuration`, () => {
          const main = [...files.keys()].find((f) => f.endsWith('.tla') && !f.startsWith('MC_'))!;
          const mc = name.replace(/\.cfg$/, '.tla');
          const a = declaredNames(files.get(main)!);
          const b = declaredNames(files.get(mc) ?? '');
          const names = { definitions: new Set([...a.definitions, ...b.definitions]), constants: new Set([...a.constants, ...b.constants]) };
          const report = cfgReport(name, files.get(name)!, names);
          expect(report, `${name} (from ${t.spec}):\n${report.join('\n')}`).toEqual([]);
        });
      }
    });
  }
});
