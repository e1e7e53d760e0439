// Whether a proof module's assumptions can hold together, tried with TLC.
//
// A proof under assumptions that contradict each other proves anything:
// `ASSUME MaxSeq \in Nat /\ MaxSeq < 0` lets tlapm prove `Spec => []FALSE`.
// tlapm cannot tell; TLC can evaluate the assumptions on the constants of a
// model of the program. Each module is tried on the program's models in turn
// until one model's constants make every assumption in its scope true (then
// they are satisfiable: that model is the witness). When every model makes one
// false, the assumptions may be contradictory, or hold only for constants no
// model has: either way the proofs resting on them say nothing about any model.
//
// TLC runs on a module of its own, `MommieAssumptions__`, which EXTENDS the
// proof module and the model's MC module (the model's constants) and has a
// behaviour with no initial state, so TLC checks the ASSUMEs (all of them, in
// every module in scope) and stops. It runs in a directory of its own under
// the work directory, holding copies of every module in scope (tlapm's library
// modules too, which TLC's jar does not have, except those TLC has itself).

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { runTlcProcess, type TlcTools } from '../tlc/run.js';
import type { ScopedModule } from './proof-scope.js';
import type { AssumptionCheck, AssumptionRefResult } from './result.js';
import type { DisplayPath } from './theorems.js';

/** Modules TLC has itself (tla2tools.jar's StandardModules): tlapm's copies of them are not given to TLC. */
const TLC_MODULES = new Set(['Bags', 'FiniteSets', 'Integers', 'Naturals', 'Randomization', 'RealTime', 'Reals', 'Sequences', 'TLC', 'TLCExt', 'Toolbox']);

const WRAPPER = 'MommieAssumptions__';

/** A model of the program as TLC needs it: its MC module (the constants' values) and the CONSTANTS part of its .cfg. */
export interface ModelConstants {
  readonly name: string;
  readonly mcModule: string;
  readonly mcText: string;
  readonly cfgText: string;
}

export interface AssumptionCheckOptions {
  readonly tlc: TlcTools;
  /** A directory the check may write in (removed by the caller). */
  readonly work: string;
  readonly models: readonly ModelConstants[];
  readonly display: DisplayPath;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** The CONSTANTS block of a generated .cfg: the `CONSTANTS` line and the indented lines under it. */
export function constantsBlock(cfg: string): string[] {
  const lines = cfg.split('\n');
  const start = lines.findIndex((l) => /^CONSTANTS?\b/.test(l));
  if (start < 0) return [];
  const out = [lines[start]!];
  for (const l of lines.slice(start + 1)) {
    if (!/^\s+\S/.test(l)) break;
    out.push(l);
  }
  return out;
}

export function wrapperModule(root: string, mcModule: string): string {
  return [
    `---- MODULE ${WRAPPER} ----`,
    '(* Written by mommie prove: TLC evaluates every ASSUME in scope on one model\'s constants, then stops (no initial state). *)',
    `EXTENDS ${root}, ${mcModule}`,
    'VARIABLE mommie_v__',
    'MommieInit__ == FALSE /\\ mommie_v__ = 0',
    "MommieNext__ == FALSE /\\ mommie_v__' = 0",
    '====',
    '',
  ].join('\n');
}

/** `line 3, col 18 to line 3, col 45 of module M` (TLC's name for an assumption) -> the assumption of the scope it lies in. */
export function assumptionAt(where: string, scope: readonly ScopedModule[], display: DisplayPath): AssumptionRefResult | null {
  const m = /line (\d+), col \d+ to line \d+, col \d+ of module ([A-Za-z0-9_]+)/.exec(where);
  if (m === null) return null;
  const line = Number(m[1]);
  const mod = scope.find((s) => s.name === m[2]);
  if (mod === undefined) return null;
  const a = mod.facts.assumptions.filter((x) => x.line <= line).at(-1);
  return a === undefined ? null : { name: a.name, module: mod.name, file: display(mod.path), line: a.line };
}

export async function checkAssumptions(scope: readonly ScopedModule[], o: AssumptionCheckOptions): Promise<AssumptionCheck> {
  const unchecked = (detail: string, falseOn: AssumptionCheck['falseOn'] = []): AssumptionCheck => ({ status: 'unchecked', model: null, falseOn, detail });
  if (o.models.length === 0) return unchecked('the program has no model whose constants could satisfy them');
  const root = scope[0]!;
  let dir: string;
  try {
    dir = mkdtempSync(join(o.work, 'assumptions-'));
    for (const m of scope) if (!(m.origin === 'library' && TLC_MODULES.has(m.name))) copyFileSync(m.path, join(dir, `${m.name}.tla`));
  } catch (e) {
    return unchecked(`the modules could not be copied for TLC (${e instanceof Error ? e.message : String(e)})`);
  }
  const falseOn: AssumptionCheck['falseOn'] = [];
  const problems: string[] = [];
  for (const model of o.models) {
    if (o.signal?.aborted === true) return unchecked('interrupted', falseOn);
    writeFileSync(join(dir, `${model.mcModule}.tla`), model.mcText);
    writeFileSync(join(dir, `${WRAPPER}.tla`), wrapperModule(root.name, model.mcModule));
    writeFileSync(join(dir, `${WRAPPER}.cfg`), [...constantsBlock(model.cfgText), 'INIT MommieInit__', 'NEXT MommieNext__', ''].join('\n'));
    const run = await runTlcProcess(o.tlc, {
      cwd: dir,
      module: WRAPPER,
      config: `${WRAPPER}.cfg`,
      metadir: join(dir, 'states'),
      timeoutMs: o.timeoutMs ?? 120_000,
      isInterrupted: () => o.signal?.aborted === true,
    });
    if (run.timedOut) {
      problems.push(`${model.name}: TLC did not finish in ${Math.round((o.timeoutMs ?? 120_000) / 1000)} s`);
      continue;
    }
    if (isLeft(run.parsed)) {
      problems.push(`${model.name}: ${run.parsed.left.message}`);
      continue;
    }
    const r = run.parsed.right;
    const found = r.findings.find((f) => f.kind === 'assumption');
    if (found?.kind === 'assumption' && !found.evaluationFailed) {
      falseOn.push({ model: model.name, assumption: assumptionAt(found.name ?? '', scope, o.display), message: found.message.split('\n')[0]!.trim() });
      continue;
    }
    if (found?.kind === 'assumption') {
      problems.push(`${model.name}: TLC could not evaluate an assumption (${found.message.replace(/\s+/g, ' ').trim().slice(0, 300)})`);
      continue;
    }
    if (r.verdict === 'success' && r.findings.length === 0) return { status: 'holds', model: model.name, falseOn, detail: null };
    if (r.verdict === 'parse-error') {
      const first = r.sany.errors[0];
      // The same modules on every model: SANY would reject them each time.
      return unchecked(`SANY (TLC's parser) rejected the modules${first !== undefined ? `: ${first.message.replace(/\s+/g, ' ').trim().slice(0, 300)}` : ''}`, falseOn);
    }
    const why = r.errors[0]?.text ?? r.verdict;
    problems.push(`${model.name}: ${why.replace(/\s+/g, ' ').trim().slice(0, 300)}`);
  }
  if (falseOn.length === o.models.length) return { status: 'fails', model: null, falseOn, detail: null };
  return unchecked(problems.join('; '), falseOn);
}
