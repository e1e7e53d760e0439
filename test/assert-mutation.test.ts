// A mutation test of the primary-backup body programs under --assert:
// operators and constants changed, statements deleted, one mutant at a time.
// Each mutant is rejected by tsc (the generated types), killed by an
// assertion (MOM702), or survives; the test prints the tally and requires
// every mutant that compiles to be killed. Runs the built CLI (dist/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';

const PROGRAM = join(ROOT, 'specs', 'PrimaryBackup.mom');
const DEPLOY = join(ROOT, 'specs', 'PrimaryBackup.deploy');
const BODIES = join(ROOT, 'specs', 'bodies', 'PrimaryBackup');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mommie-mutants-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Every mutant of Replica.ts: each `+ 1`/`+= 1` changed, each statement of a body deleted, the verifiers changed. */
function mutants(text: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const n = i + 1;
    if (/^ {4}\S/.test(line) && !line.trimStart().startsWith('//')) out.push({ name: `delete line ${n}`, text: lines.filter((_, k) => k !== i).join('\n') });
    if (line.includes('+ 1')) {
      for (const to of ['- 1', '+ 0', '+ 2']) out.push({ name: `line ${n}: + 1 -> ${to}`, text: lines.map((l, k) => (k === i ? l.replace('+ 1', to) : l)).join('\n') });
    }
    if (line.includes('+= 1')) {
      for (const to of ['-= 1', '+= 0', '+= 2']) out.push({ name: `line ${n}: += 1 -> ${to}`, text: lines.map((l, k) => (k === i ? l.replace('+= 1', to) : l)).join('\n') });
    }
    if (line.includes("'r4'")) out.push({ name: `line ${n}: verifier r4 -> r3`, text: lines.map((l, k) => (k === i ? l.replace("'r4'", "'r3'") : l)).join('\n') });
    if (line.includes('verifiers: c,')) out.push({ name: `line ${n}: verifier c -> me`, text: lines.map((l, k) => (k === i ? l.replace('verifiers: c,', 'verifiers: ctx.me,') : l)).join('\n') });
  });
  return out;
}

describe('mutants of the primary-backup body programs', () => {
  it('every mutant that compiles is killed by an assertion', async () => {
    const original = readFileSync(join(BODIES, 'Replica.ts'), 'utf8');
    const all = mutants(original);
    const tally = { rejected: [] as string[], killed: [] as string[], survived: [] as string[] };
    for (const [i, m] of all.entries()) {
      const dir = `m${i}`;
      cpSync(BODIES, join(tmp, dir), { recursive: true });
      writeFileSync(join(tmp, dir, 'Replica.ts'), m.text);
      const b = await mommie(['build', PROGRAM, '--bodies', dir, '-o', `out-${dir}`, '--assert'], { cwd: tmp });
      if (b.exitCode !== 0) {
        tally.rejected.push(m.name);
        continue;
      }
      const r = await mommie(['run', PROGRAM, '--deploy', DEPLOY, '--network', 'sim', '--requests', '2', '--stall', '5000', '--build', `out-${dir}`, '--assertions', 'stop'], { cwd: tmp });
      (r.stderr.includes('error MOM702') ? tally.killed : tally.survived).push(m.name);
    }
    const compiled = tally.killed.length + tally.survived.length;
    console.log(`mutants: ${all.length}; rejected by tsc ${tally.rejected.length} (${tally.rejected.join('; ')}); of ${compiled} that compile, killed ${tally.killed.length}, survived ${tally.survived.length}${tally.survived.length > 0 ? ` (${tally.survived.join('; ')})` : ''}`);
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(tally.survived).toEqual([]);
  }, 600_000);
});
