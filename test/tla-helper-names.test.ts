// The translation's helper operators and lemmas bind names of their own
// (InType's and BoundedSubsets' parameters, the TypeOK lemmas' NEW symbols).
// TLA+ forbids shadowing: SANY refuses a module in which such a name is also
// one the program declares ("Multiply-defined symbol"). The fixture declares
// S, v, x and k, the names they once took. Runs without Java;
// test/tlc-engine.test.ts has SANY and TLC on the same fixture. (The
// quantifiers of the translation's own actions, such as Deliver's n, still
// bind plain names: docs/decisions.md.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBytes } from '../src/analysis/frontend.js';
import { translate } from '../src/tla/module.js';
import { tlaName } from '../src/tla/names.js';
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
