import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';
import { COMMANDS } from '../src/cli/command-table.js';

const specs = readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.mom')).map((f) => join('specs', f));

describe('mommie check on the examples', () => {
  it('finds examples to check', () => {
    expect(specs.length).toBeGreaterThanOrEqual(3);
  });

  it('accepts every example in specs/ (exit 0)', async () => {
    const r = await mommie(['check', ...specs]);
    expect(r.stderr).toContain(`${specs.length} files checked: 0 errors`);
    expect(r.exitCode).toBe(0);
  });

  it('reports the paper\'s missing comma as warning MOM113 at its place', async () => {
    const r = await mommie(['check', 'specs/PrimaryBackup.mom']);
    expect(r.stderr).toMatch(/specs\/PrimaryBackup\.mom:\d+:\d+: warning MOM113:/);
  });

  it('gives machine-readable diagnostics with --json', async () => {
    const r = await mommie(['check', '--json', 'specs/PrimaryBackup.mom']);
    const parsed = JSON.parse(r.stdout) as { ok: boolean; files: { diagnostics: { code: string; line: number; column: number }[] }[] };
    expect(parsed.ok).toBe(true);
    const d = parsed.files[0]?.diagnostics[0];
    expect(d?.code).toBe('MOM113');
    expect(d?.line).toBeGreaterThan(0);
    expect(d?.column).toBeGreaterThan(0);
  });
});

describe('CLI usage', () => {
  it('prints help for every command', async () => {
    for (const cmd of ['check', 'parse']) {
      const r = await mommie([cmd, '--help']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(`Usage: mommie ${cmd}`);
    }
    const top = await mommie(['--help']);
    expect(top.stdout).toContain('Commands:');
  });

  it('lists each command without loading it, and each entry loads the command it names', async () => {
    const top = await mommie(['--help']);
    for (const entry of COMMANDS) {
      expect(top.stdout).toContain(`  ${entry.name}`);
      expect(top.stdout).toContain(entry.summary);
      const cmd = await entry.load();
      expect(cmd.name).toBe(entry.name);
      expect(cmd.help, entry.name).toContain(`mommie ${entry.name}`);
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('refuses an unknown command and an unknown option with exit 1 and no stack trace', async () => {
    const a = await mommie(['frobnicate']);
    expect(a.exitCode).toBe(1);
    expect(a.stderr).toContain("unknown command 'frobnicate'");
    const b = await mommie(['check', '--nope', 'specs/PrimaryBackup.mom']);
    expect(b.exitCode).toBe(1);
    expect(b.stderr).not.toMatch(/\n\s+at /);
  });
});
