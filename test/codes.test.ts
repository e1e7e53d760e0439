import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../src/diagnostics/codes.js';
import { ROOT } from './helpers/cli.js';

describe('the diagnostic code table', () => {
  it('is documented in docs/language.md exactly as src/diagnostics/codes.ts defines it', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'language.md'), 'utf8');
    const start = doc.indexOf('<!-- diagnostics-table:start -->');
    const end = doc.indexOf('<!-- diagnostics-table:end -->');
    expect(start).toBeGreaterThan(0);
    const rows = [...doc.slice(start, end).matchAll(/^\| (MOM\d{3}) \| (error|warning) \| (.+) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    const table = Object.entries(CODES).map(([code, info]) => [code, info.severity, info.meaning]);
    expect(rows).toEqual(table);
  });
});
