// refinement/: every implementation module refines the abstract pool, and
// every negative control fails the way it should. TLC is found as the product
// finds it (TLA2TOOLS_JAR, then the install cache) and run through the one
// TLC driver (src/tlc/run.ts); without TLC the tests are skipped with a
// message. docs/refinement.md describes the models and gives the measured table.

import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding, TlcResult } from '../src/tlc/result.js';
import { runTlcProcess } from '../src/tlc/run.js';
import { formatSanyErrors, runSany } from '../src/tlc/sany.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { ROOT } from './helpers/cli.js';
import { MODULE_CHECKS, type ModuleCheck } from '../src/refine/modules.js';

const tlc = await resolveTlc();
const hasTlc = isRight(tlc);
if (!hasTlc) console.log(`SKIPPED: refinement module checks (TLC on refinement/*.cfg, SANY on refinement/*.tla) did not run: ${isLeft(tlc) ? tlc.left.message : ''}`);

const FOLDER = join(ROOT, 'refinement');

// What each model must give: the catalogue `mommie refine` uses (src/refine/modules.ts).
const CASES: readonly ModuleCheck[] = MODULE_CHECKS;

/** Each TLC run's figures, printed at the end for docs/refinement.md's table. */
const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`refinement models (config, distinct states, seconds, verdict):\n${measured.join('\n')}`);
});

/** The line of `Spec == Init /\ [][Next]_vars` in AbstractPool.tla: where TLC locates a violated refinement step. */
function specLine(): number {
  const lines = readFileSync(join(FOLDER, 'AbstractPool.tla'), 'utf8').split('\n');
  const i = lines.findIndex((l) => /^Spec == /.test(l));
  if (i < 0) throw new Error('AbstractPool.tla has no Spec');
  return i + 1;
}

function describeFinding(f: Finding): string {
  return `${f.kind}: ${f.message.split('\n')[0] ?? ''}`;
}

function verdictOf(r: TlcResult): string {
  if (r.verdict === 'success') return 'pass';
  return r.findings.map(describeFinding).join('; ') || r.verdict;
}

describe('refinement/ holds what the tests expect', () => {
  it('every .cfg in refinement/ has an expectation here, and every module one .cfg at least', () => {
    const files = readdirSync(FOLDER);
    expect(files.filter((f) => f.endsWith('.cfg')).sort()).toEqual(CASES.map((c) => c.config).sort());
    const modules = files.filter((f) => f.endsWith('.tla')).map((f) => f.slice(0, -4));
    for (const m of modules) if (m !== 'AbstractPool') expect(CASES.some((c) => c.module === m), m).toBe(true);
    // Every module but the abstract one instantiates it with a mapping of pool and known.
    for (const m of modules.filter((x) => x !== 'AbstractPool')) {
      const text = readFileSync(join(FOLDER, `${m}.tla`), 'utf8');
      expect(text, m).toMatch(/INSTANCE AbstractPool WITH\s+pool <- [^\n]+,\s+known <- /);
    }
  });
});

describe.skipIf(!hasTlc)('refinement modules under TLC', () => {
  // Registered even without TLC, so that the skipped tests are listed.
  const tools = () => {
    if (!isRight(tlc)) throw new Error('TLC is not available');
    return { java: tlc.right.java, jar: tlc.right.jar };
  };

  it('SANY accepts every module', async () => {
    const modules = readdirSync(FOLDER).filter((f) => f.endsWith('.tla')).sort();
    expect(modules.length).toBeGreaterThan(1);
    const r = await runSany(tools(), FOLDER, modules);
    if (isLeft(r)) throw new Error(r.left.kind === 'rejected' ? `SANY rejected:\n${formatSanyErrors(r.left.errors)}` : r.left.message);
    for (const m of modules) expect(r.right.files.some((f) => f.endsWith(`/${m}`) || f === m), m).toBe(true);
  }, 180_000);

  for (const c of CASES) {
    const what = c.expected.kind === 'pass' ? 'passes' : c.expected.kind === 'invariant' ? `fails: ${c.expected.name} violated` : c.expected.kind === 'temporal' ? `fails: ${c.expected.property} violated` : 'fails: a wire step that is no step of the abstract pool';
    it(`${c.config} (${c.module}) ${what}`, async () => {
      // TLC runs in a copy, so that nothing it writes lands in the repository.
      const dir = mkdtempSync(join(tmpdir(), 'mommie-refinement-'));
      try {
        cpSync(FOLDER, join(dir, 'refinement'), { recursive: true });
        const started = Date.now();
        const run = await runTlcProcess(tools(), { cwd: join(dir, 'refinement'), module: c.module, config: c.config, metadir: join(dir, 'meta'), workers: 1, timeoutMs: 600_000 });
        const seconds = (Date.now() - started) / 1000;
        if (isLeft(run.parsed)) throw new Error(`TLC's output could not be read: ${run.parsed.left.message}\n${run.stderr}`);
        const r = run.parsed.right;
        if (r.verdict === 'parse-error') throw new Error(`SANY rejected ${c.module}: ${formatSanyErrors(r.sany.errors)}`);
        measured.push(`${c.config}\t${r.statistics?.distinct ?? r.progress[r.progress.length - 1]?.distinct ?? '?'}\t${seconds.toFixed(1)}\t${verdictOf(r)}`);
        const e = c.expected;
        if (e.kind === 'pass') {
          expect(r.verdict, verdictOf(r)).toBe('success');
          expect(r.findings).toEqual([]);
          expect(r.statistics?.queue).toBe(0);
          return;
        }
        expect(r.verdict).toBe('violation');
        expect(r.findings).toHaveLength(1);
        const f = r.findings[0]!;
        if (e.kind === 'invariant') {
          expect(f.kind === 'invariant' ? f.name : describeFinding(f)).toBe(e.name);
        } else if (e.kind === 'refinement-step') {
          // TLC names an action property by its place: the [][Next]_vars of AbstractPool's Spec.
          expect(f.kind, describeFinding(f)).toBe('property');
          expect(f.message).toMatch(new RegExp(`line ${specLine()}, col \\d+ to line ${specLine()}, col \\d+ of module AbstractPool`));
        } else {
          expect(f.kind, describeFinding(f)).toBe('property');
          if (f.kind === 'property') {
            // Refinement (Abstract!Spec) is Init /\ [][Next]_vars, with no temporal part:
            // a temporal violation is one of the module's liveness claims, and the
            // .cfg claims exactly one, the property this control must violate.
            expect(f.temporal).toBe(true);
            const claims = readFileSync(join(FOLDER, c.config), 'utf8').split('\n').map((l) => /^PROPERTY\s+(\w+)/.exec(l.trim())?.[1]).filter((p) => p !== undefined && p !== 'Refinement');
            expect(claims).toEqual([e.property]);
            // TLC 2.19 does not name the property; newer TLCs do.
            if (f.names.length > 0) expect(f.names).toContain(e.property);
          }
        }
        // A counterexample, starting in the initial state.
        const trace = 'trace' in f ? f.trace : null;
        expect(trace?.states.length ?? 0).toBeGreaterThan(1);
        expect(trace?.states[0]?.action.kind).toBe('initial');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 660_000);
  }
});
