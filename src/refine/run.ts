// `mommie refine`: the module-level checks a deployment relies on, then the
// program composed with the deployment under each model, each by TLC in a
// fresh temporary directory (nothing is written next to the user's files).
// A composed model that passes the state or time limit is reported as too
// large, with the bounds to make smaller; it is never shrunk silently. The
// part a run leaves out (--modules-only, --composed-only) is named in the
// report as not checked.

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { translate } from '../tla/module.js';
import { composedCheck } from './composed-check.js';
import { moduleCheck } from './module-check.js';
import { deploymentUses, MODULE_CHECKS, refinementFolder } from './modules.js';
import type { RefineCheck, RefineReport } from './result.js';
import { errorCheck, type RefineOptions, type Versions } from './tlc-check.js';

export { DEFAULT_MAX_STATES, DEFAULT_TIMEOUT_MS, type RefineOptions } from './tlc-check.js';

export async function refine(opts: RefineOptions): Promise<RefineReport> {
  const started = Date.now();
  const checks: RefineCheck[] = [];
  const seen: Versions = { tlc: null };
  const work = mkdtempSync(join(tmpdir(), 'mommie-refine-'));
  try {
    if (opts.composedOnly !== true) {
      const folder = refinementFolder();
      if (folder === undefined) {
        checks.push(errorCheck('module', 'refinement/', 'the refinement/ models are not installed with mommie (the package is incomplete)'));
      } else {
        const principals = [...opts.program.principalSets.values()].flat();
        const uses = deploymentUses(opts.deployment, principals);
        const copy = join(work, 'refinement');
        cpSync(folder, copy, { recursive: true });
        for (const m of MODULE_CHECKS.filter((c) => c.appliesTo(uses))) {
          if (opts.isInterrupted?.() === true) break;
          opts.onProgress?.(`module ${m.config} ...`);
          checks.push(await moduleCheck(opts, seen, m, folder, copy, join(work, `meta-${m.config}`)));
        }
      }
    }
    if (opts.modulesOnly !== true) {
      const models = opts.models ?? [...opts.program.models.keys()];
      const tla = translate(opts.program, opts.source, { models: [...models] });
      const dir = join(work, 'composed');
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of tla.files) writeFileSync(join(dir, f), text);
      for (const model of models) {
        if (opts.isInterrupted?.() === true) break;
        opts.onProgress?.(`composed ${opts.program.name}/${model} ...`);
        checks.push(await composedCheck(opts, seen, model, dir, tla.files.get(`MC_${tla.moduleName}_${model}.cfg`) ?? '', join(work, `meta-${model}`)));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const notChecked: string[] = [];
  if (opts.composedOnly === true) notChecked.push("the module-level checks (--composed-only): whether each mechanism and optimizer the deployment uses refines the abstract pool, which the composed models take for granted for BATCH frames, DIGEST'd records and MAC vectors");
  if (opts.modulesOnly === true) notChecked.push("the composed models (--modules-only): none of the program's invariants and properties was checked under this deployment");
  return { program: opts.program.file, deploy: opts.deployment.file, tlc: seen.tlc ?? 'unknown', checks, notChecked, seconds: (Date.now() - started) / 1000 };
}
