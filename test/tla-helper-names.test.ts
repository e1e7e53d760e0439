// The translation's helper operators and lemmas bind names of their own
// (InType's and BoundedSubsets' parameters, the TypeOK lemmas' NEW symbols).
// TLA+ forbids shadowing: SANY refuses a module in which such a name is also
// one the program declares ("Multiply-defined symbol"). The fixture declares
// S, v, x and k, the names they once took. Runs without Java;
// test/tlc-engine.test.ts has SANY and TLC on the same fixture. The second
// fixture, BinderNames, declares the names the translation's actions once
// bound (Deliver's n and s, the composed module's v, m, pend, ...), user
// binders named like its constants, and a parameter named like another role's
// variable (MOMMIE scopes them apart): the main, MC and composed modules bind none of the program's
// module-level names (test/tlc-engine.test.ts runs TLC on all three, and on
// the trace-validation module of a run).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBytes, checkFile } from '../src/analysis/frontend.js';
import { loadDeployment } from '../src/deploy/load.js';
import { compose } from '../src/refine/compose.js';
import { translate } from '../src/tla/module.js';
import { moduleLevelNames, tlaName } from '../src/tla/names.js';
import { ROOT } from './helpers/cli.js';

const FIXTURE = join('test', 'fixtures', 'tla', 'HelperNames.mom');

/** Names bound by the helpers in `text`: operator parameters, ASSUME NEW, InType's CHOOSE, the MC module's singleton sets. */
function boundNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^\s*(?:LOCAL\s+)?[A-Za-z_]\w*\(([^()]*)\)\s*==/gm)) {
    for (const p of m[1]!.split(',')) names.add(p.trim());
  }
  for (const m of text.matchAll(/\bNEW\s+(?:CONSTANT\s+)?([A-Za-z_]\w*)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/^InType\(.*CHOOSE\s+([A-Za-z_]\w*)/gm)) names.add(m[1]!);
  // The MC module's Byzantine verifier sets, {{v} : v \in S}.
  for (const m of text.matchAll(/\{\{([A-Za-z_]\w*)\} : \1 \\in/g)) names.add(m[1]!);
  return names;
}

/**
 * Every name `text` binds: boundNames', and the names bound by quantifiers,
 * set builders and maps, function constructors, CHOOSE, and LET definitions
 * (an indented `name ==`; top-level definitions start in column 0).
 */
function allBoundNames(text: string): Set<string> {
  const names = boundNames(text);
  for (const m of text.matchAll(/(?:\\[EA]|CHOOSE|\{|\[|:|,)\s*([A-Za-z_]\w*)\s+\\in\b/g)) names.add(m[1]!);
  for (const m of text.matchAll(/^[ \t]+(?:LET\s+)?([A-Za-z_]\w*)\s*==/gm)) names.add(m[1]!);
  for (const m of text.matchAll(/\bLET\s+([A-Za-z_]\w*)\s*==/g)) names.add(m[1]!);
  return names;
}

describe('helper operators of the TLA+ translation', () => {
  it('bind no name the program declares', () => {
    const fe = checkBytes(FIXTURE, readFileSync(join(ROOT, FIXTURE)));
    expect(fe.ok).toBe(true);
    const program = fe.program!;
    const names = [...program.principalSets.keys(), ...program.constants.keys()];
    expect(names.sort()).toEqual(['Q', 'R', 'S', 'k', 'v', 'x']);
    const declared = new Set(names.map(tlaName));
    const files = translate(program, fe.source).files;
    const main = files.get('HelperNames.tla')!;
    // Both helpers are in this module (a certificate field brings BoundedSubsets).
    expect(main).toMatch(/^InType\(/m);
    expect(main).toMatch(/^BoundedSubsets\(/m);
    for (const [name, text] of files) {
      if (!name.endsWith('.tla')) continue;
      const clashes = [...boundNames(text)].filter((n) => declared.has(n));
      expect(clashes, `${name} binds names the program declares`).toEqual([]);
    }
  });
});

describe("the translation's own binders", () => {
  const program = 'test/fixtures/tla/BinderNames.mom';

  it('bind no name the program declares: main, MC and composed modules', () => {
    const fe = checkFile(join(ROOT, program));
    expect(fe.ok, fe.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    const p = fe.program!;
    const declared = moduleLevelNames(p);
    // The fixture declares the names the actions once bound, and its own binders take some of them.
    for (const n of ['n', 's', 'b', 'e', 'x', 'q', 'v', 'm', 'k', 'st', 'snd', 'rec', 'vs', 'pend', 'need', 'T', 'c', 'r', 'state']) expect(declared, n).toContain(n);
    const tla = translate(p, fe.source);
    const d = loadDeployment(join(ROOT, 'test/fixtures/tla/BinderNames.deploy'), p, fe.source);
    expect(d.deployment, 'the deploy file loads').toBeDefined();
    const texts = new Map(tla.files);
    for (const model of ['AllCorrect', 'ByzantineBackup']) {
      const c = compose({ program: p, deployment: d.deployment!, model, modelConfig: tla.files.get(`MC_${tla.moduleName}_${model}.cfg`)! });
      texts.set(`${c.moduleName}.tla`, c.module);
    }
    expect([...texts.keys()].filter((n) => n.endsWith('.tla')).length).toBe(5);
    for (const [name, text] of texts) {
      if (!name.endsWith('.tla')) continue;
      const clashes = [...allBoundNames(text)].filter((n) => declared.has(n));
      expect(clashes, `${name} binds names the program declares`).toEqual([]);
    }
    // Submit's parameter `state`, named like the replicas' variable, is bound under a fresh name.
    const main = tla.files.get('BinderNames.tla')!;
    expect(main).toMatch(/^Client_Submit\(self__\) ==\n(?:.*\n)*?.*\\E state__\d+ \\in/m);
  });
});
