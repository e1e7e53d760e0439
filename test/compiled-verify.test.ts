// `mommie verify` on the compiled core (the default) against `--reference`
// (the interpreter), on every model of every program under specs/ (the buggy
// ones included): the same status, distinct and generated counts, verdicts and
// coverage. The searches stop at 3,000 distinct states so the test stays lean;
// within that bound both explore the same states in the same order.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mommie } from './helpers/cli.js';

const PROGRAMS = readdirSync('specs', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mom')).sort().map((f) => `specs/${f}`);

interface Verified {
  readonly models: readonly { readonly model: string; readonly status: string; readonly properties: unknown; readonly stats: { readonly distinct: number; readonly generated: number }; readonly coverage?: unknown }[];
}

const summary = (r: Verified): unknown => r.models.map((m) => ({ model: m.model, status: m.status, properties: m.properties, distinct: m.stats.distinct, generated: m.stats.generated, coverage: m.coverage }));

describe('verify: compiled core and --reference agree', () => {
  for (const file of PROGRAMS) {
    it(file, async () => {
      const run = async (extra: readonly string[]): Promise<{ code: number | undefined; verified: Verified }> => {
        const r = await mommie(['verify', file, '--engine', 'builtin', '--json', '--in-process', '--max-states', '3000', '--quiet', ...extra], { timeoutMs: 120_000 });
        return { code: r.exitCode, verified: JSON.parse(r.stdout) as Verified };
      };
      const compiled = await run([]);
      const reference = await run(['--reference']);
      expect(compiled.verified.models.length).toBeGreaterThan(0);
      expect(summary(compiled.verified)).toEqual(summary(reference.verified));
      expect(compiled.code).toBe(reference.code);
    }, 240_000);
  }
});
