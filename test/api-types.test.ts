// `mommie build --client` (issue 26 item 2): the client API's declarations.
// test/typed/PBCounterCalls.ts is what it writes for specs/PBCounter.mom, and
// test/typed/client-api.ts, type-checked by `tsc -p tsconfig.test.json` in
// `npm test`, uses it with an @ts-expect-error on an unknown transition, a
// missing argument, a wrong argument type, a request id given and a wrong
// answer field. This test keeps the committed declarations what the command
// writes now, and checks what they say of an input without request id.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mommie, ROOT } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mommie-client-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mommie build --client', () => {
  it('writes the declarations test/typed/ type-checks against (PBCounter), and an input without request id takes it as an argument', async () => {
    const out = join(dir, 'PBCounterCalls.ts');
    const r = await mommie(['build', 'specs/PBCounter.mom', '--client', '-o', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(ROOT, 'test', 'typed', 'PBCounterCalls.ts'), 'utf8'));
    expect(readFileSync(join(ROOT, 'test', 'typed', 'client-api.ts'), 'utf8').match(/^\s*\/\/ @ts-expect-error/gm)?.length).toBe(6);

    const never = join(dir, 'AnswerNeverCalls.ts');
    expect((await mommie(['build', 'test/fixtures/answer/AnswerNever.mom', '--client', '-o', never])).exitCode).toBe(0);
    expect(readFileSync(never, 'utf8')).toContain("readonly Call: { readonly args: { readonly id: number; }; readonly answer: number };");
  });

  it('refuses what it cannot do', async () => {
    const noOut = await mommie(['build', 'specs/PBCounter.mom', '--client']);
    expect(noOut.exitCode).toBe(1);
    expect(noOut.stderr).toContain('--client needs -o OUT.ts');
    const both = await mommie(['build', 'specs/PBCounter.mom', '--client', '--bodies', 'x', '-o', join(dir, 'x.ts')]);
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toContain('--client writes declarations only');
  });
});
