// Where things are: the user's cache directory and executables on PATH.
// Every function takes the environment, platform and home directory as
// arguments (defaults: this process's), so tests can point them anywhere.

import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

export interface Host {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly home: string;
}

export function currentHost(overrides: Partial<Host> = {}): Host {
  const env = overrides.env ?? process.env;
  return {
    env,
    platform: overrides.platform ?? process.platform,
    home: overrides.home ?? (nonEmpty(env['HOME']) ?? homedir()),
  };
}

/** An environment variable's value, or undefined when unset or empty. */
export function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

/**
 * mommie's cache directory: $XDG_CACHE_HOME/mommie when XDG_CACHE_HOME is an
 * absolute path (on any platform), else ~/Library/Caches/mommie on macOS,
 * %LOCALAPPDATA%\mommie\Cache on Windows, ~/.cache/mommie elsewhere.
 */
export function cacheRoot(host: Host): string {
  const xdg = nonEmpty(host.env['XDG_CACHE_HOME']);
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'mommie');
  if (host.platform === 'darwin') return join(host.home, 'Library', 'Caches', 'mommie');
  if (host.platform === 'win32') return join(nonEmpty(host.env['LOCALAPPDATA']) ?? join(host.home, 'AppData', 'Local'), 'mommie', 'Cache');
  return join(host.home, '.cache', 'mommie');
}

/**
 * Where mommie looks for tlapm last: a TLAPS release tarball unpacked into the
 * cache (`tlapm/bin/tlapm`, with its backends under `tlapm/lib`).
 */
export function cachedTlapmPath(host: Host): string {
  return join(cacheRoot(host), 'tlapm', 'bin', exeName('tlapm', host.platform));
}

/** Where `mommie prove` keeps tlapm's fingerprints (proved obligations) for one program. */
export function proofCacheDir(host: Host, key: string): string {
  return join(cacheRoot(host), 'tlapm-fingerprints', key);
}

/** Where `mommie tools install` puts tla2tools.jar of a release. */
export function cachedJarPath(host: Host, version: string): string {
  return join(cacheRoot(host), 'tla2tools', version, 'tla2tools.jar');
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutable(path: string, platform: NodeJS.Platform): boolean {
  if (!isFile(path)) return false;
  if (platform === 'win32') return true;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executable file's name on this platform (`java.exe` on Windows). */
export function exeName(name: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${name}.exe` : name;
}

/** The first executable `name` on PATH, like `which`. */
export function which(name: string, host: Host): string | undefined {
  const path = host.env['PATH'] ?? host.env['Path'] ?? '';
  const exts = host.platform === 'win32' ? (host.env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM').split(';').filter((e) => e !== '') : [''];
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutable(candidate, host.platform)) return candidate;
    }
  }
  return undefined;
}

export function isExecutableFile(path: string, host: Host): boolean {
  return isExecutable(path, host.platform);
}
