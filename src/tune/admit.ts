// A candidate deploy file against the program: exactly what `mommie
// deploy-check` runs (the file parsed and checked as loadDeployment does,
// then every PUBLISH and auditor pattern compared with the mechanisms). A
// candidate with any error is not a candidate; warnings are kept.

import type { CheckedProgram } from '../analysis/program.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { checkDeploy } from '../deploy/check.js';
import { parseDeploy } from '../deploy/parse.js';
import type { CheckedDeployment } from '../deploy/resolve.js';
import { deployCheck } from '../deploy/verdict.js';

export type Admission =
  | { readonly ok: true; readonly deployment: CheckedDeployment; readonly source: SourceText; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly source: SourceText };

export function admit(file: string, text: string, program: CheckedProgram, programSource: SourceText | undefined): Admission {
  const parsed = parseDeploy(file, text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics, source: parsed.source };
  const checked = checkDeploy(parsed.syntax, program, programSource);
  const loaded = [...parsed.diagnostics, ...checked.diagnostics];
  if (checked.deployment === undefined || hasErrors(loaded)) return { ok: false, diagnostics: loaded, source: parsed.source };
  const report = deployCheck({ program, ...(programSource !== undefined ? { programSource } : {}), syntax: parsed.syntax, deployment: checked.deployment });
  const all = [...loaded, ...report.diagnostics];
  return hasErrors(all)
    ? { ok: false, diagnostics: all, source: parsed.source }
    : { ok: true, deployment: checked.deployment, source: parsed.source, warnings: all };
}
