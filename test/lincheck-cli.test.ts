// `mommie lincheck` as a user runs it: real files, the built CLI, exit codes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mommie } from './helpers/cli.js';

const F = 'test/fixtures/lincheck';

describe('mommie lincheck', () => {
  it('a linearizable history: exit 0, with its figures', async () => {
    const r = await mommie(['lincheck', `${F}/linearizable.json`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('history: 6 operations (1 with an unknown outcome) from 4 clients over 1 key');
    expect(r.stdout).toContain('verdict: linearizable');
  });

  it('a stale read: exit 2, and the operations that show it, with clients, times, calls and results', async () => {
    const r = await mommie(['lincheck', `${F}/stale-read.json`]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('verdict: NOT linearizable (key "x")');
    expect(r.stdout).toContain("3 operations that cannot be linearized even if the key's other writes (of 3) take effect at any time, or never; without any one of them they can");
    expect(r.stdout).toContain('c1 op 1: [0, 10] put("x", 1) -> ok');
    expect(r.stdout).toContain('c1 op 3: [20, 30] put("x", 2) -> ok');
    expect(r.stdout).toContain('c2 op 5: [40, 50] get("x") -> 1');
    expect(r.stdout).not.toContain('op 4');
  });

  it('--json gives the verdict and the witness in the history format', async () => {
    const r = await mommie(['lincheck', `${F}/stale-read.json`, '--json']);
    expect(r.exitCode).toBe(2);
    const j = JSON.parse(r.stdout) as { verdict: string; key: string; witness: { operations: { id: string }[] } };
    expect(j.verdict).toBe('not-linearizable');
    expect(j.witness.operations.map((o) => o.id).sort()).toEqual(['1', '3', '5']);
  });

  it('bad input: exit 1 with a message naming the operation and field; a missing file; a bad --timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lincheck-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'mommie-history', version: 1, model: 'kv', operations: [{ id: 1, client: 'c1', call: { op: 'get', key: 'x' }, invoke: 'soon' }] }));
    const r1 = await mommie(['lincheck', bad]);
    expect(r1.exitCode).toBe(1);
    expect(r1.stderr).toMatch(/operation 1: 'invoke' is "soon"/);
    const r2 = await mommie(['lincheck', join(dir, 'absent.json')]);
    expect(r2.exitCode).toBe(1);
    expect(r2.stderr).toContain('cannot read');
    writeFileSync(join(dir, 'trunc.json'), '{"format": "mommie-history", "vers');
    expect((await mommie(['lincheck', join(dir, 'trunc.json')])).exitCode).toBe(1);
    const r3 = await mommie(['lincheck', `${F}/linearizable.json`, '--timeout', 'never']);
    expect(r3.exitCode).toBe(1);
    expect(r3.stderr).toContain('--timeout takes');
  });
});
