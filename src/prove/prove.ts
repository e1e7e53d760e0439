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
import { basename, join, resolve } from 'node:path';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import { translate } from '../tla/module.js';
import { proofCacheDir, type Host } from '../tools/platform.js';
import type { TlapmInfo } from '../tools/tlapm.js';
import type { ObligationCollector } from './collect.js';
import type { ToolboxMessage } from './messages.js';
import { moduleResult } from './module-result.js';
import { countObligations, type ModuleResult, type ProveResult } from './result.js';
import { runTlapm } from './run.js';
import { typeOKProof, withAbout } from './typeok-proof.js';

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
  /** Each toolbox message as it arrives, with the module's file as results name it. */
  readonly onMessage?: (file: string, m: ToolboxMessage, collector: ObligationCollector) => void;
  /** Called before each module's run. */
  readonly onModule?: (file: string, generated: boolean) => void;
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
    const files = translate(o.program, o.source, { models: [] });
    const generatedName = `${files.moduleName}.tla`;
    const generatedText = files.files.get(generatedName)!;
    writeFileSync(join(work, generatedName), generatedText);

    // The TypeOK proof is written even with noTypeOK: proof modules may EXTEND it.
    const typeOK = typeOKProof(o.program, o.source, generatedText);
    writeFileSync(join(work, typeOK.fileName), typeOK.text);

    const modules: ModuleResult[] = [];
    const targets = [
      { file: generatedName, display: generatedName, module: files.moduleName, generated: true },
      ...(o.noTypeOK === true ? [] : [{ file: typeOK.fileName, display: typeOK.fileName, module: typeOK.moduleName, generated: true }]),
      ...o.proofs.map((p) => ({ file: resolve(p), display: p, module: basename(p).replace(/\.tla$/, ''), generated: false })),
    ];
    for (const t of targets) {
      if (o.signal?.aborted === true) break;
      o.onModule?.(t.display, t.generated);
      const outcome = await runTlapm({
        tlapm: o.tlapm.path,
        file: t.file,
        displayFile: t.display,
        cwd: work,
        cacheDir,
        env: o.host.env,
        ...(o.fresh === true ? { fresh: true } : {}),
        ...(o.threads !== undefined ? { threads: o.threads } : {}),
        ...(o.stretch !== undefined ? { stretch: o.stretch } : {}),
        ...(o.onMessage !== undefined ? { onMessage: (m: ToolboxMessage, c: ObligationCollector) => o.onMessage!(t.display, m, c) } : {}),
        ...(o.signal !== undefined ? { signal: o.signal } : {}),
      });
      const names = { work, target: t, generated: generatedName };
      const m = moduleResult(t.module, t.display, t.generated, outcome, names);
      // Each step of the generated proof says what it is about in MOMMIE terms.
      modules.push(t.file === typeOK.fileName ? withAbout(m, typeOK) : m);
    }
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

function errorText(e: unknown): string {
  return e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
}
