// `mommie prove`: the program's generated TLA+ module and the user's proof
// modules, each checked by one tlapm run.
//
// The generated module is written to a fresh work directory, never next to
// the user's files, and tlapm runs there: tlapm looks for an EXTENDed module
// in its working directory before its -I directories and the proof file's own
// directory, so a stale copy of the generated module next to the proofs can
// never shadow the real one, while lemma modules next to the proofs are still
// found. tlapm's fingerprints (the obligations it has proved) live in the
// user's cache directory, one directory per program file, so a second run
// re-proves only what changed.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import { translate } from '../tla/module.js';
import { proofCacheDir, type Host } from '../tools/platform.js';
import type { TlapmInfo } from '../tools/tlapm.js';
import type { ObligationCollector } from './collect.js';
import type { ToolboxMessage } from './messages.js';
import { moduleResult } from './module-result.js';
import { countObligations, type AssumptionCheck, type ModuleResult, type ProveResult } from './result.js';
import type { TlcTools } from '../tlc/run.js';
import { checkAssumptions, type ModelConstants } from './assumption-check.js';
import { moduleFinder, moduleScope, type ModuleFinder, type ScopedModule } from './proof-scope.js';
import { runTlapm } from './run.js';
import { withTheorems, type DisplayPath } from './theorems.js';
import { tlapmFeatures } from './tlapm-features.js';
import { typeOKProof, withAbout, type TypeOKProof } from './typeok-proof.js';

export interface ProveOptions {
  readonly program: CheckedProgram;
  readonly source: SourceText | undefined;
  /** The program file as the user named it. */
  readonly programFile: string;
  /** The proof modules as the user named them. */
  readonly proofs: readonly string[];
  readonly tlapm: TlapmInfo;
  readonly host: Host;
  readonly fresh?: boolean;
  readonly threads?: number;
  /** tlapm's --stretch: every backend timeout multiplied by this (a loaded machine needs more). */
  readonly stretch?: number;
  /** Leave out the generated proof that TypeOK is inductive. */
  readonly noTypeOK?: boolean;
  /** TLC, to try the proofs' assumptions on the models' constants; else why there is none. */
  readonly tlc: { readonly tools: TlcTools } | { readonly missing: string };
  /** Each toolbox message as it arrives, with the module's file as results name it. */
  readonly onMessage?: (file: string, m: ToolboxMessage, collector: ObligationCollector) => void;
  /** Called before each module's run. */
  readonly onModule?: (file: string, generated: boolean) => void;
  /** Called before TLC tries a module's assumptions. */
  readonly onAssumptions?: (file: string) => void;
  readonly signal?: AbortSignal;
}

export type ProveFailureCode = 'cache-unwritable' | 'workdir-unwritable';

export interface ProveFailure {
  readonly code: ProveFailureCode;
  readonly message: string;
  readonly hint: string;
}

/** One directory per program file: its name and a digest of its absolute path. */
export function cacheKey(program: CheckedProgram, programFile: string): string {
  const digest = createHash('sha256').update(resolve(programFile)).digest('hex').slice(0, 12);
  return `${program.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${digest}`;
}

export async function prove(o: ProveOptions): Promise<Either<ProveFailure, ProveResult>> {
  const started = Date.now();
  const cacheDir = proofCacheDir(o.host, cacheKey(o.program, o.programFile));
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch (e) {
    return left({ code: 'cache-unwritable', message: `tlapm's fingerprint cache ${cacheDir} cannot be created (${errorText(e)}).`, hint: 'Make the cache directory writable, or set XDG_CACHE_HOME to a directory that is.' });
  }
  let work: string;
  try {
    work = mkdtempSync(join(tmpdir(), 'mommie-prove-'));
  } catch (e) {
    return left({ code: 'workdir-unwritable', message: `No work directory could be made under ${tmpdir()} (${errorText(e)}).`, hint: 'Set TMPDIR to a writable directory.' });
  }
  // A second Ctrl-C exits at once (process.exit), skipping `finally`.
  const removeWork = (): void => rmSync(work, { recursive: true, force: true });
  process.once('exit', removeWork);
  try {
    const files = translate(o.program, o.source);
    const generatedName = `${files.moduleName}.tla`;
    const generatedText = files.files.get(generatedName)!;
    writeFileSync(join(work, generatedName), generatedText);

    // The TypeOK proof is written even with noTypeOK: proof modules may EXTEND it.
    const typeOK = typeOKProof(o.program, o.source, generatedText);
    writeFileSync(join(work, typeOK.fileName), typeOK.text);

    const targets = [
      { file: generatedName, display: generatedName, module: files.moduleName, generated: true },
      ...(o.noTypeOK === true ? [] : [{ file: typeOK.fileName, display: typeOK.fileName, module: typeOK.moduleName, generated: true }]),
      ...o.proofs.map((p) => ({ file: resolve(p), display: p, module: basename(p).replace(/\.tla$/, ''), generated: false })),
    ];
    const features = await tlapmFeatures(o.tlapm.path, o.host.env);
    const finder = moduleFinder(work, features.library, new Set(targets.map((t) => resolve(work, t.file))));
    const display = displayPaths(work, targets);
    const run: RunContext = { o, work, cacheDir, strict: features.strict, finder, display, generatedName, typeOK };
    const checked: Checked[] = [];
    for (const t of targets) {
      if (o.signal?.aborted === true) break;
      checked.push(await checkTarget(t, run));
    }
    const models = modelConstants(files.files, files.moduleName, [...o.program.models.keys()]);
    const modules: ModuleResult[] = [];
    for (const c of checked) modules.push(await withAssumptionCheck(c, run, models));
    return right({
      format: 'mommie-prove/1',
      program: o.program.name,
      file: o.programFile,
      tlapm: { path: o.tlapm.path, version: o.tlapm.version },
      cacheDir,
      modules,
      counts: countObligations(modules),
      seconds: (Date.now() - started) / 1000,
    });
  } finally {
    process.off('exit', removeWork);
    removeWork();
  }
}

interface Target {
  readonly file: string;
  readonly display: string;
  readonly module: string;
  readonly generated: boolean;
}

interface RunContext {
  readonly o: ProveOptions;
  readonly work: string;
  readonly cacheDir: string;
  readonly strict: boolean;
  readonly finder: ModuleFinder;
  readonly display: DisplayPath;
  readonly generatedName: string;
  readonly typeOK: TypeOKProof;
}

/** A module's result and the modules in its scope (null when mommie could not read it). */
interface Checked {
  readonly m: ModuleResult;
  readonly scope: readonly ScopedModule[] | null;
}

/** One tlapm run, then what tlapm does not report: omitted proofs, theorems and what each rests on. */
async function checkTarget(t: Target, r: RunContext): Promise<Checked> {
  const o = r.o;
  o.onModule?.(t.display, t.generated);
  const outcome = await runTlapm({
    tlapm: o.tlapm.path,
    file: t.file,
    displayFile: t.display,
    cwd: r.work,
    cacheDir: r.cacheDir,
    env: o.host.env,
    ...(o.fresh === true ? { fresh: true } : {}),
    ...(o.threads !== undefined ? { threads: o.threads } : {}),
    ...(o.stretch !== undefined ? { stretch: o.stretch } : {}),
    ...(r.strict ? { strict: true } : {}),
    ...(o.onMessage !== undefined ? { onMessage: (m: ToolboxMessage, c: ObligationCollector) => o.onMessage!(t.display, m, c) } : {}),
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
  });
  const path = resolve(r.work, t.file);
  const facts = r.finder.facts(path);
  const scope = facts === null ? null : moduleScope(path, facts, r.finder);
  let m = moduleResult(t.module, t.display, t.generated, outcome, { work: r.work, target: t, generated: r.generatedName });
  if (scope !== null) m = withTheorems(m, scope, outcome.incomplete, r.display);
  // Each step of the generated proof says what it is about in MOMMIE terms.
  if (t.file === r.typeOK.fileName) m = withAbout(m, r.typeOK);
  return { m, scope };
}

/** TLC on a model's constants, for a checked module whose theorems rest on an assumption. */
async function withAssumptionCheck(c: Checked, r: RunContext, models: readonly ModelConstants[]): Promise<ModuleResult> {
  const { m, scope } = c;
  const o = r.o;
  if (scope === null || m.status !== 'checked' || !m.theorems.some((th) => th.assumptions.length > 0) || o.signal?.aborted === true) return m;
  o.onAssumptions?.(m.file);
  const check: AssumptionCheck =
    'missing' in o.tlc
      ? { status: 'unchecked', model: null, falseOn: [], detail: `TLC is not available (${o.tlc.missing})` }
      : await checkAssumptions(scope, { tlc: o.tlc.tools, work: r.work, models, display: r.display, ...(o.signal !== undefined ? { signal: o.signal } : {}) });
  return { ...m, assumptionCheck: check };
}

/** Reports name a checked module as the user did, a generated one by its name, any other by its path from here. */
function displayPaths(work: string, targets: readonly { readonly file: string; readonly display: string }[]): DisplayPath {
  const byPath = new Map(targets.map((t) => [resolve(work, t.file), t.display]));
  return (path) => {
    const known = byPath.get(path);
    if (known !== undefined) return known;
    if (dirname(path) === work) return basename(path);
    const rel = relative(process.cwd(), path);
    return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };
}

/** Each model's MC module and .cfg, as the translation writes them for TLC. */
function modelConstants(files: ReadonlyMap<string, string>, moduleName: string, models: readonly string[]): ModelConstants[] {
  return models.flatMap((name) => {
    const mcModule = `MC_${moduleName}_${name}`;
    const mcText = files.get(`${mcModule}.tla`);
    const cfgText = files.get(`${mcModule}.cfg`);
    return mcText === undefined || cfgText === undefined ? [] : [{ name, mcModule, mcText, cfgText }];
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
}
