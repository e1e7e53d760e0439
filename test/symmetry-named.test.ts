// SYMMETRY over a set some of whose members are named (issue 27 item 4):
// PBFT's PRIMARY is named, its backups are still interchangeable. The named
// members (by the program, the model's items, its function definitions) stay
// put and the others are permuted, in both engines; fewer than two left is
// MOM412. Models are appended to specs/buggy/PBFTUnsignedRequest.mom (PRIMARY
// = r1) in a temporary directory.

import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTlc } from '../src/tools/resolve.js';
import { decodedVerify, mommie, ROOT } from './helpers/cli.js';

const tlc = await resolveTlc();
const hasTlc = isRight(tlc);
if (!hasTlc) console.log(`SKIPPED: SYMMETRY over the backups with TLC did not run: ${isLeft(tlc) ? tlc.left.message : ''} (set TLA2TOOLS_JAR or run 'mommie tools install')`);

/** PBFTUnsignedRequest with `models` appended; its path. */
function programWith(models: string): string {
  const text = readFileSync(join(ROOT, 'specs', 'buggy', 'PBFTUnsignedRequest.mom'), 'utf8');
  const file = join(mkdtempSync(join(tmpdir(), 'mommie-sym-')), 'PBFTUnsignedRequest.mom');
  writeFileSync(file, `${text}\n${models}\n`);
  return file;
}

// r1 is PRIMARY (named by the program) and Byzantine; the model names r2 as a target.
const BACKUPS = `MODEL Backups {
  CONSTANT MaxSeq = 1
  CONSTANT MaxReq = 1
  BYZANTINE PRIMARY SENDS PrePrepare TO {r2} AUDIT * BUDGET 1
  SYMMETRY R
}`;

describe('SYMMETRY with named members', () => {
  const file = programWith(BACKUPS);

  it('permutes only the members nobody names, with the verdicts of the unreduced search', async () => {
    const reduced = decodedVerify(await mommie(['verify', file, '-m', 'Backups', '--in-process', '--json', '-q'])).models[0]!;
    const full = decodedVerify(await mommie(['verify', file, '-m', 'Backups', '--in-process', '--json', '-q', '--no-symmetry'])).models[0]!;
    expect(reduced.bounds.symmetry).toEqual(['{r3, r4}']);
    expect(reduced.properties.map((p) => [p.name, p.verdict])).toEqual(full.properties.map((p) => [p.name, p.verdict]));
    expect(reduced.properties.some((p) => p.verdict === 'violated')).toBe(true);
    expect(reduced.stats.distinct).toBeLessThan(full.stats.distinct);
  });

  it('names the permuted members in the TLA+ model', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mommie-sym-tla-'));
    const r = await mommie(['tla', file, '-m', 'Backups', '-o', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const mc = readFileSync(join(out, 'MC_PBFTUnsignedRequest_Backups.tla'), 'utf8');
    expect(mc).toContain('MC_Symmetry == Permutations({r3, r4})');
  });

  it('refuses a set left with one interchangeable member, saying who names the others', async () => {
    const bad = programWith(BACKUPS.replace('Backups', 'OneLeft').replace('TO {r2} AUDIT * BUDGET 1', 'TO {r2} AUDIT *, Commit TO {r3} BUDGET 1'));
    const r = await mommie(['verify', bad, '-m', 'OneLeft']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("MOM412: SYMMETRY R has nothing to permute: the program names r1; model OneLeft's items name r2, r3 individually");
  });

  it.skipIf(!hasTlc)('TLC with Permutations of the unnamed backups agrees state for state', async () => {
    const ours = decodedVerify(await mommie(['verify', file, '-m', 'Backups', '--in-process', '--json', '-q'])).models[0]!;
    const theirs = decodedVerify(await mommie(['verify', file, '-m', 'Backups', '--engine', 'tlc', '--json', '-q'], { timeoutMs: 600_000 })).models[0]!;
    expect(theirs.properties.map((p) => [p.name, p.verdict])).toEqual(ours.properties.map((p) => [p.name, p.verdict]));
    expect(theirs.stats.distinct).toBe(ours.stats.distinct);
  }, 600_000);
});
