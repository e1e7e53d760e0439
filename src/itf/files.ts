// `verify --itf DIR`: one ITF file per counterexample,
// DIR/<model>-<property>.itf.json (an evaluation error's trace:
// DIR/<model>-error.itf.json). Files of those models already in DIR are
// refused before the search starts, unless --force.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import type { VerifyResult } from '../check/result.js';
import type { SourceText } from '../diagnostics/source.js';
import { ItfWriter } from './trace.js';

const fileOf = (model: string, what: string): string => `${model}-${what.replace(/[^A-Za-z0-9_.-]/g, '_')}.itf.json`;

/** Files in `dir` that writing ITF for these models could replace. */
export function itfClashes(dir: string, models: readonly string[]): string[] {
  if (!existsSync(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((f) => f.endsWith('.itf.json') && models.some((m) => f.startsWith(`${m}-`))).sort();
}

export interface ItfWritten {
  readonly files: readonly { readonly path: string; readonly states: number }[];
  readonly problems: readonly string[];
}

export function writeItf(dir: string, program: CheckedProgram, source: SourceText | undefined, r: VerifyResult): ItfWritten {
  const writer = new ItfWriter(program, source);
  const files: { path: string; states: number }[] = [];
  const problems: string[] = [];
  const one = (model: string, what: string, trace: Parameters<ItfWriter['trace']>[1], description: string): void => {
    const t = writer.trace(model, trace, description);
    if (!t.ok) {
      problems.push(`${model} ${what}: ${t.message}`);
      return;
    }
    const path = join(dir, fileOf(model, what));
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, JSON.stringify(t.itf, null, 1) + '\n');
      files.push({ path, states: t.itf.states.length });
    } catch (e) {
      problems.push(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  for (const m of r.models) {
    for (const p of m.properties) {
      if (p.verdict === 'violated' && p.trace !== undefined) one(m.model, p.name, p.trace, `counterexample to ${p.name} (${p.kind}) in model ${m.model}, engine ${r.engine}`);
    }
    if (m.error?.trace !== undefined) one(m.model, 'error', m.error.trace, `trace to ${m.error.code} in model ${m.model}, engine ${r.engine}`);
  }
  return { files, problems };
}
