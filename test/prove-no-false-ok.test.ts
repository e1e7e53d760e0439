// `mommie prove` on the reproductions of issue 21 (items 15 and 16), the
// command run on real files with a real tlapm (and TLC for the assumptions):
// an OMITTED step, a theorem whose proof is OMITTED, an OMITTED lemma in an
// EXTENDed module, a theorem citing a lemma this run does not check, and an
// assumption no model satisfies are never reported as proved (exit 4).
// Skipped, with a SKIPPED line, where tlapm (or TLC) is absent.

import { execa } from 'execa';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { proveResultCodec, type ProveResult } from '../src/prove/result.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { currentHost } from '../src/tools/platform.js';
import { resolveTlapm } from '../src/tools/tlapm.js';
import { CLI, ROOT } from './helpers/cli.js';

const tlapm = await resolveTlapm(currentHost());
const tlc = await resolveTlc();
const hasTlapm = isRight(tlapm);
const hasTlc = isRight(tlc);
if (!hasTlapm) console.log(`SKIPPED: mommie prove on issue 21's reproductions (OMITTED steps, unchecked lemmas, contradictory assumptions) did not run: ${isLeft(tlapm) ? tlapm.left.message : ''}`);
else if (!hasTlc) console.log(`SKIPPED: mommie prove's assumption check with TLC did not run: ${isLeft(tlc) ? tlc.left.message : ''}`);

const FIXTURES = 'test/fixtures/prove/no-false-ok';
// One fingerprint cache for the file: the same modules are proved once.
const CACHE = mkdtempSync(join(tmpdir(), 'mommie-prove-nfo-'));
afterAll(() => rmSync(CACHE, { recursive: true, force: true }));

/** The CLI on the fixtures, with PrimaryBackup's generated module and without its TypeOK proof. */
async function run(proofs: string[], json: boolean): Promise<{ exitCode: number; stdout: string }> {
  const r = await execa(process.execPath, [CLI, 'prove', 'specs/PrimaryBackup.mom', ...proofs.map((p) => `${FIXTURES}/${p}`), '--no-typeok', '--stretch', '3', ...(json ? ['--json'] : []), '-q'], {
    cwd: ROOT,
    reject: false,
    env: { NO_COLOR: '1', XDG_CACHE_HOME: CACHE },
    timeout: 240_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout) };
}

async function prove(proofs: string[]): Promise<{ exitCode: number; result: ProveResult }> {
  const r = await run(proofs, true);
  const decoded = proveResultCodec.decode(JSON.parse(r.stdout));
  if (!isRight(decoded)) throw new Error('undecodable result');
  return { exitCode: r.exitCode, result: decoded.right };
}

const human = (proofs: string[]) => run(proofs, false);

describe.skipIf(!hasTlapm)('omitted proofs (item 15)', () => {
  it('Spec => []FALSE through an OMITTED step: the step is reported omitted at its line, the theorem not proved, exit 4', async () => {
    const r = await human(['FalseByOmitted.tla']);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toMatch(/- omitted +OMITTED +test\/fixtures\/prove\/no-false-ok\/FalseByOmitted\.tla:6:13/);
    expect(r.stdout).toContain('- Bad (line 5): not proved: its proof, or a step of it, is OMITTED or missing');
    expect(r.stdout).not.toMatch(/FalseByOmitted\.tla: (\d+) of \1 obligations proved/);
  }, 300_000);

  it('THEOREM Fake == FALSE OMITTED: not "no obligations", an omitted proof; exit 4', async () => {
    const r = await prove(['FakeTheorem.tla']);
    expect(r.exitCode).toBe(4);
    const m = r.result.modules[1]!;
    expect(m.obligations.map((o) => [o.location.line, o.status, o.omission])).toEqual([[5, 'omitted', 'omitted']]);
    expect(m.theorems.map((t) => [t.name, t.status])).toEqual([['Fake', 'omitted']]);
    expect(r.result.counts.omitted).toBe(1);
  }, 300_000);

  it('an OMITTED lemma in an EXTENDed proof module the user passed: reported in that module, at its line; what cites it says so; exit 4', async () => {
    const r = await prove(['SeqLemmas.tla', 'UsesSeqLemmas.tla']);
    expect(r.exitCode).toBe(4);
    const [, lemmas, uses] = r.result.modules;
    expect(lemmas!.obligations.filter((o) => o.status === 'omitted').map((o) => [o.location.file, o.location.line])).toEqual([[`${FIXTURES}/SeqLemmas.tla`, 8]]);
    expect(lemmas!.theorems.map((t) => [t.name, t.status])).toEqual([
      ['SeqIsNat', 'proved'],
      ['SeqIsLarge', 'omitted'],
    ]);
    // tlapm proves Large from SeqIsLarge as if it were proved; mommie shows what it rests on.
    const large = uses!.theorems.find((t) => t.name === 'Large')!;
    expect(large.status).toBe('proved');
    expect(large.cites.map((c) => [c.name, c.checked, c.omitted])).toEqual([['SeqIsLarge', 'this-run', true]]);
    expect(large.unchecked).toEqual([]);
  }, 300_000);

  it('a lemma of an EXTENDed module the run does not check: the theorem citing it is not shown, exit 4', async () => {
    const r = await human(['UsesSeqLemmas.tla']);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain('rests on theorems this run did not check: SeqIsNat (test/fixtures/prove/no-false-ok/SeqLemmas.tla:5)');
    expect(r.stdout).toContain('SeqIsLarge (test/fixtures/prove/no-false-ok/SeqLemmas.tla:7), whose proof is OMITTED or missing');
    expect(r.stdout).toContain('Not shown: Natural, Large rest on theorems this run did not check.');
  }, 300_000);
});

describe.skipIf(!hasTlapm || !hasTlc)('assumptions (item 16)', () => {
  it('a contradictory ASSUME proves Spec => []FALSE; TLC finds it false on every model: the theorem lists it, exit 4', async () => {
    const r = await prove(['Contradiction.tla']);
    expect(r.exitCode).toBe(4);
    const m = r.result.modules[1]!;
    // tlapm proved every obligation.
    expect(m.obligations.every((o) => o.status === 'proved' || o.status === 'trivial')).toBe(true);
    expect(m.theorems.map((t) => [t.name, t.status, t.assumptions.map((a) => [a.name, a.line])])).toEqual([['Nothing', 'proved', [['Bad', 5]]]]);
    expect(m.assumptionCheck?.status).toBe('fails');
    expect(m.assumptionCheck?.falseOn.map((f) => [f.model, f.assumption?.name])).toEqual([
      ['AllCorrect', 'Bad'],
      ['ByzantineBackup', 'Bad'],
      ['CrashedBackup', 'Bad'],
      ['TwoClients', 'Bad'],
    ]);
  }, 300_000);

  it('an assumption a model satisfies: the theorem lists it, TLC names the model, exit 0', async () => {
    const r = await human(['Assumed.tla']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('✓ PrimaryIsReplica (line 5): proved');
    expect(r.stdout).toContain('assumes: ASSUME Consts (test/fixtures/prove/no-false-ok/Assumed.tla:4)');
    expect(r.stdout).toContain('assumptions: all hold on the constants of model AllCorrect (TLC): they are not contradictory');
    expect(r.stdout).toContain('The proved theorems hold under: ASSUME Consts (test/fixtures/prove/no-false-ok/Assumed.tla:4).');
  }, 300_000);
});
