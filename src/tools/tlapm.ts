// Finding tlapm, the TLA+ proof manager (optional: only proofs need it).
// Order: $TLAPM (a path), else `tlapm` on PATH. Its version is the first
// line of `tlapm --version`.

import { execa } from 'execa';
import { resolve } from 'node:path';
import { isExecutableFile, nonEmpty, which, type Host } from './platform.js';
import { problem, type ToolProblem } from './problem.js';

export interface TlapmInfo {
  readonly path: string;
  readonly source: 'TLAPM' | 'PATH';
  /** null when `tlapm --version` said nothing usable. */
  readonly version: string | null;
}

export type TlapmResult = { readonly found: true; readonly info: TlapmInfo } | { readonly found: false; readonly problem: ToolProblem };

export async function probeTlapm(host: Host): Promise<TlapmResult> {
  const env = nonEmpty(host.env['TLAPM']);
  let path: string | undefined;
  let source: TlapmInfo['source'] = 'PATH';
  if (env !== undefined) {
    path = resolve(env);
    source = 'TLAPM';
    if (!isExecutableFile(path, host)) {
      return { found: false, problem: problem('tlapm-missing', `TLAPM points to ${path}, which is not an executable file.`, 'Fix TLAPM or unset it to use the tlapm on PATH.') };
    }
  } else {
    path = which('tlapm', host);
  }
  if (path === undefined) {
    return {
      found: false,
      problem: problem('tlapm-missing', 'tlapm (the TLA+ proof manager) is not on PATH and TLAPM is not set.', 'It is optional: install TLAPS and put tlapm on PATH, or set TLAPM, only if you want to check proofs.'),
    };
  }
  const r = await execa(path, ['--version'], { reject: false, timeout: 20_000, env: host.env, extendEnv: false, stdin: 'ignore' });
  const line = `${String(r.stdout ?? '')}\n${String(r.stderr ?? '')}`.split('\n').find((l) => l.trim() !== '');
  const version = r.exitCode === 0 && line !== undefined ? line.trim().slice(0, 200) : null;
  return { found: true, info: { path, source, version } };
}
