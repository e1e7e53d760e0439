// proofs/: the pool lemmas and the primary-backup safety proof (InOrder from
// an inductive invariant, for every value of the constants) checked by tlapm
// through `mommie prove`; and TLC checking the same invariant on every model
// of specs/PrimaryBackup.mom, a sanity check that it is indeed an invariant.
// Each part is skipped with a message where its tool is absent.

import { execa } from 'execa';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { proveResultCodec } from '../src/prove/result.js';
import { runTlcProcess } from '../src/tlc/run.js';
import { currentHost } from '../src/tools/platform.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { resolveTlapm } from '../src/tools/tlapm.js';
import { CLI, ROOT } from './helpers/cli.js';

const tlapm = await resolveTlapm(currentHost());
if (isLeft(tlapm)) console.log(`SKIPPED: proofs/ with tlapm (pool lemmas, PrimaryBackup InOrder) did not run: ${tlapm.left.message}`);
const tlc = await resolveTlc();
if (isLeft(tlc)) console.log(`SKIPPED: TLC checking PrimaryBackupInOrderInv's Inv on PrimaryBackup's models did not run: ${tlc.left.message}`);

const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`Inv on PrimaryBackup's models (model, distinct states, seconds):\n${measured.join('\n')}`);
});

describe.skipIf(isLeft(tlapm))('proofs/ with tlapm', () => {
  it('the pool lemmas and InOrder are proved, every obligation, exit 0', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mommie-safety-cache-'));
    try {
      const r = await execa(process.execPath, [CLI, 'prove', 'specs/PrimaryBackup.mom', 'proofs/PoolLemmas.tla', 'proofs/PrimaryBackupInOrder.tla', '--no-typeok', '--stretch', '3', '--json', '-q'], {
        cwd: ROOT,
        reject: false,
        env: { NO_COLOR: '1', XDG_CACHE_HOME: cache },
        timeout: 280_000,
      });
      const decoded = proveResultCodec.decode(JSON.parse(String(r.stdout)));
      expect(isRight(decoded)).toBe(true);
      if (!isRight(decoded)) return;
      const res = decoded.right;
      expect(res.modules.map((m) => [m.file, m.status])).toEqual([
        ['PrimaryBackup.tla', 'checked'],
        ['proofs/PoolLemmas.tla', 'checked'],
        ['proofs/PrimaryBackupInOrder.tla', 'checked'],
      ]);
      for (const m of res.modules.slice(1)) {
        expect(m.obligations.length, m.file).toBeGreaterThan(10);
        expect(m.obligations.filter((o) => o.status !== 'proved' && o.status !== 'trivial'), m.file).toEqual([]);
      }
      // Spec => []InOrder, the last step, is temporal: LS4 proves it.
      const text = readFileSync(join(ROOT, 'proofs', 'PrimaryBackupInOrder.tla'), 'utf8').split('\n');
      const last = text.findIndex((l) => l.startsWith('THEOREM SpecInOrder')) + 2;
      expect(res.modules[2]!.obligations.some((o) => o.location.line === last && o.prover === 'ls4')).toBe(true);
      // What the README's claim rests on: a correct primary (Consts), and the pool lemmas, proved in the same run.
      const spec = res.modules[2]!.theorems.find((t) => t.name === 'SpecInOrder')!;
      expect([spec.status, spec.cites.map((c) => c.name), spec.unchecked]).toEqual(['proved', ['InitInv', 'StepInv', 'InvInOrder'], []]);
      expect(spec.assumptions.map((a) => [a.name, a.file])).toEqual([['Consts', 'proofs/PrimaryBackupInOrder.tla']]);
      const step = res.modules[2]!.theorems.find((t) => t.name === 'StepInv')!;
      expect(step.cites.filter((c) => c.module === 'PoolLemmas').map((c) => c.checked)).toEqual(['this-run', 'this-run']);
      // With TLC, Consts holds on a model's constants: the proof is not vacuous.
      if (isRight(tlc)) expect(res.modules[2]!.assumptionCheck?.status).toBe('holds');
      expect(r.exitCode).toBe(0);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 300_000);
});

describe.skipIf(isLeft(tlc))('TLC checks the inductive invariant on the example\'s models', () => {
  it('Inv holds on every model of specs/PrimaryBackup.mom', async () => {
    if (!isRight(tlc)) return;
    const dir = mkdtempSync(join(tmpdir(), 'mommie-safety-tlc-'));
    try {
      const t = await execa(process.execPath, [CLI, 'tla', 'specs/PrimaryBackup.mom', '-o', dir], { cwd: ROOT, reject: false });
      expect(t.exitCode).toBe(0);
      copyFileSync(join(ROOT, 'proofs', 'PrimaryBackupInOrderInv.tla'), join(dir, 'PrimaryBackupInOrderInv.tla'));
      const models = readdirSync(dir).filter((f) => /^MC_.*\.cfg$/.test(f)).map((f) => f.slice(0, -4));
      expect(models.length).toBe(4);
      for (const mc of models) {
        const name = `Inv_${mc}`;
        writeFileSync(join(dir, `${name}.tla`), `---- MODULE ${name} ----\nEXTENDS ${mc}, PrimaryBackupInOrderInv\n====\n`);
        // Invariants only: the liveness property makes TwoClients take minutes, and Inv is a state predicate.
        const cfg = readFileSync(join(dir, `${mc}.cfg`), 'utf8').split('\n').filter((l) => !l.startsWith('PROPERTY ')).join('\n');
        writeFileSync(join(dir, `${name}.cfg`), `${cfg}INVARIANT Inv\n`);
        const started = Date.now();
        const run = await runTlcProcess({ java: tlc.right.java, jar: tlc.right.jar }, { cwd: dir, module: name, config: `${name}.cfg`, metadir: join(dir, `meta-${mc}`), workers: 1, timeoutMs: 300_000 });
        if (isLeft(run.parsed)) throw new Error(`TLC's output could not be read: ${run.parsed.left.message}\n${run.stderr}`);
        const r = run.parsed.right;
        measured.push(`${mc}\t${r.statistics?.distinct ?? '?'}\t${((Date.now() - started) / 1000).toFixed(1)}`);
        expect(r.verdict, `${mc}: ${r.findings.map((f) => f.message).join('; ')}`).toBe('success');
        expect(r.findings).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
