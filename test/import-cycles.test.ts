// The brief's rule "no import cycles" as a test: the run-time (non-type)
// relative imports of src/ form no cycle. A type-only import vanishes at run
// time and does not count; a cycle of passes that recurse into each other goes
// through an interface instead (src/analysis/context.ts's Recursion).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Each file's run-time imports of other files of src/. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(/^(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s+'(\.[^']+)'/gm)) {
      if (m[1] !== undefined) continue;
      // `import { type A, type B } from` is type-only too.
      const names = m[2]!.replace(/[{}]/g, ' ').split(',').map((x) => x.trim()).filter((x) => x !== '');
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
      deps.push(resolve(dirname(f), m[3]!.replace(/\.js$/, '.ts')));
    }
    g.set(resolve(f), deps);
  }
  return g;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc);
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('src/ has no import cycles', () => {
  it('the run-time imports between its files form no cycle', () => {
    const src = join(ROOT, 'src');
    const found = cycles(importGraph(sources(src))).map((c) => c.map((f) => relative(src, f)).sort());
    expect(found).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g).map((c) => c.sort())).toEqual([['a', 'b', 'c']]);
  });
});
