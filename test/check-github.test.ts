// `mommie check --format github`: one GitHub Actions annotation per
// diagnostic, at the same place --json gives, escaped as the runner's
// toolkit escapes; the text report still goes to stderr.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { githubAnnotation } from '../src/diagnostics/github.js';
import { mommie } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mommie-github-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Workflow command properties and message, unescaped. */
function parse(line: string): { level: string; props: Record<string, string>; message: string } {
  const m = /^::(\w+) ([^:]*)::(.*)$/.exec(line);
  if (m === null) throw new Error(`not a workflow command: ${line}`);
  const un = (s: string): string => s.replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
  const props = Object.fromEntries(m[2]!.split(',').map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i), un(kv.slice(i + 1))]; }));
  return { level: m[1]!, props, message: un(m[3]!) };
}

describe('check --format github', () => {
  it('annotates every diagnostic where --json places it, errors and warnings', async () => {
    const bad = join(dir, 'bad.mom');
    writeFileSync(bad, 'PROGRAM X\nROLE R ON P {\n}\n');
    const gh = await mommie(['check', '--format', 'github', bad, 'specs/PrimaryBackup.mom']);
    const js = await mommie(['check', '--json', bad, 'specs/PrimaryBackup.mom']);
    expect(gh.exitCode).toBe(1);
    expect(js.exitCode).toBe(1);
    const expected = (JSON.parse(js.stdout) as { files: { diagnostics: { file: string; line: number; column: number; code: string; severity: string; message: string }[] }[] }).files.flatMap((f) => f.diagnostics);
    const lines = gh.stdout.trim().split('\n').map(parse);
    expect(lines).toHaveLength(expected.length);
    expect(expected.some((d) => d.severity === 'error') && expected.some((d) => d.severity === 'warning')).toBe(true);
    lines.forEach((a, i) => {
      const d = expected[i]!;
      expect(a.level).toBe(d.severity);
      expect(a.props['file']).toBe(d.file);
      expect(Number(a.props['line'])).toBe(d.line);
      expect(Number(a.props['col'])).toBe(d.column);
      expect(a.message).toBe(`${d.code}: ${d.message}`);
    });
    // The person reading the log still gets the usual report.
    expect(gh.stderr).toContain(`${bad}:2:8: error MOM110`);
  });

  it('a well-formed program prints no annotation; an unknown format is refused', async () => {
    const ok = await mommie(['check', '--format', 'github', 'specs/BrachaBroadcast.mom']);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toBe('');
    const bad = await mommie(['check', '--format', 'sarif', 'specs/BrachaBroadcast.mom']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("unknown format 'sarif' (use text, json or github)");
  });

  it('escapes what would end a property or the command', () => {
    const line = githubAnnotation({ code: 'MOM999', severity: 'error', message: '50% of a, b: c\nnext', file: 'dir,x/a:b.mom', line: 3, column: 4 });
    expect(line).toBe('::error file=dir%2Cx/a%3Ab.mom,line=3,col=4,title=mommie MOM999::MOM999: 50%25 of a, b: c%0Anext');
    expect(parse(line).message).toBe('MOM999: 50% of a, b: c\nnext');
  });
});
