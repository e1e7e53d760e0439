// Finding tlapm, the TLA+ proof manager (optional: only `mommie prove` needs it).
//
// Order, as for TLC: the `--tlapm PATH` flag, else $TLAPM, else `tlapm` on
// PATH, else the tlapm unpacked in mommie's cache (platform.ts:
// cachedTlapmPath, the layout of a TLAPS release tarball unpacked there). A
// flag or variable naming something that is not an executable is a problem,
// not skipped: the user asked for that file.
//
// Its version is the first line of `tlapm --version`; which backends answer
// comes from `tlapm --config` (tlapm-config.ts), which runs each backend's
// version command itself, so it sees the PATH tlapm gives its backends.

import { resolve } from 'node:path';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { cachedTlapmPath, isExecutableFile, nonEmpty, which, type Host } from './platform.js';
import { problem, type ToolProblem } from './problem.js';
import { parseTlapmConfig, type BackendReport } from './tlapm-config.js';

export type TlapmSource = '--tlapm' | 'TLAPM' | 'PATH' | 'cache';

export interface TlapmLocation {
  readonly path: string;
  readonly source: TlapmSource;
}

export interface TlapmInfo extends TlapmLocation {
  /** null when `tlapm --version` said nothing usable. */
  readonly version: string | null;
}

export interface TlapmProbe extends TlapmInfo {
  readonly backends: BackendReport;
}

const INSTALL_HINT =
  'Install TLAPS (github.com/tlaplus/tlapm, releases or a source build) and put tlapm on PATH, set TLAPM, or pass --tlapm; only `mommie prove` needs it.';

export function locateTlapm(host: Host, flag?: string): Either<ToolProblem, TlapmLocation> {
  if (flag !== undefined) {
    if (flag.trim() === '') return left(problem('bad-setting', '--tlapm was given an empty path.', 'Give the path of the tlapm executable, or drop --tlapm.'));
    const path = resolve(flag);
    if (isExecutableFile(path, host)) return right({ path, source: '--tlapm' });
    return left(problem('tlapm-missing', `--tlapm names ${path}, which is not an executable file.`, 'Check the path, or drop --tlapm to use TLAPM, PATH or the cache.'));
  }
  const env = nonEmpty(host.env['TLAPM']);
  if (env !== undefined) {
    const path = resolve(env);
    if (isExecutableFile(path, host)) return right({ path, source: 'TLAPM' });
    return left(problem('tlapm-missing', `TLAPM points to ${path}, which is not an executable file.`, 'Fix TLAPM, or unset it to use the tlapm on PATH or in the cache.'));
  }
  const onPath = which('tlapm', host);
  if (onPath !== undefined) return right({ path: onPath, source: 'PATH' });
  const cached = cachedTlapmPath(host);
  if (isExecutableFile(cached, host)) return right({ path: cached, source: 'cache' });
  return left(problem('tlapm-missing', `tlapm (the TLA+ proof manager) is not on PATH, TLAPM is not set, and there is none at ${cached}.`, INSTALL_HINT));
}

const TIMEOUT_MS = 30_000;

async function output(path: string, args: string[], host: Host): Promise<{ text: string; ok: boolean }> {
  const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
  const r = await execa(path, args, { reject: false, timeout: TIMEOUT_MS, env: host.env, extendEnv: false, stdin: 'ignore' });
  return { text: `${String(r.stdout ?? '')}\n${String(r.stderr ?? '')}`, ok: r.exitCode === 0 };
}

/** The version line; null when tlapm printed none or failed. */
export async function tlapmVersion(path: string, host: Host): Promise<string | null> {
  const r = await output(path, ['--version'], host);
  const line = r.text.split('\n').find((l) => l.trim() !== '');
  return r.ok && line !== undefined ? line.trim().slice(0, 200) : null;
}

/** Finds tlapm and asks its version; what `mommie prove` needs before it runs. */
export async function resolveTlapm(host: Host, flag?: string): Promise<Either<ToolProblem, TlapmInfo>> {
  const loc = locateTlapm(host, flag);
  if (isLeft(loc)) return loc;
  const version = await tlapmVersion(loc.right.path, host);
  if (version === null) {
    return left(problem('tlapm-broken', `${loc.right.path} (from ${loc.right.source}) did not answer \`tlapm --version\`.`, 'Check that it is a working tlapm (run it by hand), or point TLAPM or --tlapm at another.'));
  }
  return right({ ...loc.right, version });
}

/** Finds tlapm, its version and which backends answer; what `tools doctor` reports. */
export async function probeTlapm(host: Host, flag?: string): Promise<Either<ToolProblem, TlapmProbe>> {
  const loc = locateTlapm(host, flag);
  if (isLeft(loc)) return loc;
  const [version, config] = await Promise.all([tlapmVersion(loc.right.path, host), output(loc.right.path, ['--config'], host)]);
  if (version === null) {
    return left(problem('tlapm-broken', `${loc.right.path} (from ${loc.right.source}) did not answer \`tlapm --version\`.`, 'Check that it is a working tlapm (run it by hand), or point TLAPM or --tlapm at another.'));
  }
  return right({ ...loc.right, version, backends: parseTlapmConfig(config.text) });
}
