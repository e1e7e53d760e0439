// One tlapm run's outcome as a module result: whether tlapm checked the
// module, rejected it (parse or semantic errors, which tlapm reports as
// located warnings before it stops) or failed, with problems named by the
// user's file names rather than tlapm's.

import { isAbsolute, resolve } from 'node:path';
import type { ModuleResult, ModuleStatus, ProveProblem } from './result.js';
import type { TlapmOutcome } from './run.js';

/** tlapm --strict's exit statuses about the proofs: 10 an obligation failed, 11 a proof is missing or omitted, 12 an empty target. */
const STRICT_VERDICTS = new Set([10, 11, 12]);

export interface Names {
  readonly work: string;
  readonly target: { readonly file: string; readonly display: string };
  readonly generated: string;
}

/** tlapm names files as given or relative to its working directory; results use the user's names. */
function displayPath(tlapmFile: string, n: Names): string {
  const abs = isAbsolute(tlapmFile) ? tlapmFile : resolve(n.work, tlapmFile);
  if (abs === resolve(n.work, n.target.file)) return n.target.display;
  if (abs === resolve(n.work, n.generated)) return n.generated;
  return tlapmFile;
}

export function moduleResult(module: string, file: string, generated: boolean, r: TlapmOutcome, n: Names): ModuleResult {
  const problems: ProveProblem[] = r.problems.map((p) => (p.location === null ? p : { ...p, location: { ...p.location, file: displayPath(p.location.file, n) } }));
  let status: ModuleStatus;
  if (r.interrupted) status = 'interrupted';
  else if (r.spawnError !== null) {
    status = 'crashed';
    problems.push({ severity: 'error', message: `tlapm could not be started: ${r.spawnError}`, location: null });
  } else if (r.malformed.length > 0) {
    status = 'crashed';
    for (const m of r.malformed) problems.push({ severity: 'error', message: `tlapm wrote a ${m} (mommie does not know this tlapm's output)`, location: null });
  } else if (r.exitCode === 0 || (r.strict && r.exitCode !== null && STRICT_VERDICTS.has(r.exitCode))) status = 'checked';
  else if (problems.some((p) => p.location !== null)) {
    // tlapm reports parse and semantic errors as located warnings and stops: they are errors.
    status = 'rejected';
    for (let i = 0; i < problems.length; i++) if (problems[i]!.location !== null) problems[i] = { ...problems[i]!, severity: 'error' };
  } else {
    status = 'crashed';
    const why = r.tail.find((l) => /ending abnormally/.test(l)) ?? r.tail.filter((l) => !/^\s*(Raised at|Called from)/.test(l)).slice(-3).join(' ');
    problems.push({ severity: 'error', message: `tlapm stopped (${r.signal !== null ? `signal ${r.signal}` : `exit status ${r.exitCode ?? '?'}`})${why ? `: ${why.trim()}` : ''}`, location: null });
  }
  return { module, file, generated, status, expected: r.expected, obligations: r.obligations, problems, exitCode: r.exitCode, seconds: Math.round(r.seconds * 1000) / 1000, theorems: [], assumptionCheck: null };
}
