// `mommie tools install`: downloads tla2tools.jar of the pinned TLA+ release
// (pinned.ts) into the cache (platform.ts: cachedJarPath).
//
// The download goes to a temporary file in the same directory, is checked
// (whole length, SHA-256 equal to the pinned digest, a whole zip archive),
// and only then renamed over the target, so a half-written jar never exists
// under the real name; the temporary file is removed on every failure. The
// digest is recorded next to the jar (`tla2tools.jar.sha256`), and every later
// use refuses the jar if it no longer matches (jar.ts).
//
// Settings (environment): MOMMIE_TLA2TOOLS_URL replaces the base URL (a
// mirror laid out as <base>/v<version>/tla2tools.jar; tests use a local
// server); MOMMIE_TLA2TOOLS_SHA256 replaces the expected digest, for a mirror
// that serves a different build on purpose.

import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { changedSinceInstall, inspectJar, recordPath, recordText, sha256Codec, zipProblem } from './jar.js';
import { PINNED_TLA2TOOLS, releaseUrl } from './pinned.js';
import { cachedJarPath, isFile, nonEmpty, type Host } from './platform.js';
import { problem, type ToolProblem } from './problem.js';

export interface InstallOptions {
  readonly force?: boolean;
  /** Gives up after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Told what is happening, one line at a time. */
  readonly log?: (line: string) => void;
}

export interface Installed {
  readonly kind: 'installed' | 'already-installed';
  readonly path: string;
  readonly url: string;
  readonly sha256: string;
  readonly size: number;
  readonly version: string;
}

interface Source {
  readonly url: string;
  readonly sha256: string;
}

/** The URL and digest to install, from the pinned release and the settings. */
export function installSource(host: Host): Either<ToolProblem, Source> {
  const base = nonEmpty(host.env['MOMMIE_TLA2TOOLS_URL']) ?? PINNED_TLA2TOOLS.baseUrl;
  let parsed: URL;
  try {
    parsed = new URL(releaseUrl(base, PINNED_TLA2TOOLS.version));
  } catch {
    return left(problem('bad-setting', `MOMMIE_TLA2TOOLS_URL is not a URL: '${base}'.`, 'Set it to an http(s) URL such as https://github.com/tlaplus/tlaplus/releases/download, or unset it.'));
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return left(problem('bad-setting', `MOMMIE_TLA2TOOLS_URL must be an http or https URL, not '${base}'.`, 'Set it to an http(s) URL, or unset it.'));
  }
  const override = nonEmpty(host.env['MOMMIE_TLA2TOOLS_SHA256']);
  let sha256 = PINNED_TLA2TOOLS.sha256;
  if (override !== undefined) {
    const d = sha256Codec.decode(override);
    if (isLeft(d)) return left(problem('bad-setting', 'MOMMIE_TLA2TOOLS_SHA256 is not a SHA-256 digest (64 hex digits).', 'Fix it, or unset it to use the pinned digest.'));
    sha256 = d.right;
  }
  return right({ url: parsed.href, sha256 });
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name was not found',
  EAI_AGAIN: 'the host name could not be looked up',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the server closed the connection',
  UND_ERR_CONNECT_TIMEOUT: 'connecting took too long',
  UND_ERR_HEADERS_TIMEOUT: 'the server did not answer in time',
  UND_ERR_BODY_TIMEOUT: 'the server stopped sending',
};

/** A network error in a few words, with its code. */
export function describeNetworkError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'it took too long';
  const cause = (e as Error & { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : e;
  const code = (inner as NodeJS.ErrnoException).code;
  if (code !== undefined) return `${NETWORK_ERRORS[code] ?? inner.message} (${code})`;
  return inner.message;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files of installs whose process is gone (killed by Ctrl-C, say). */
function removeStaleParts(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.tla2tools\.jar\.(\d+)\.[0-9a-f]+\.part$/.exec(name);
    if (m !== null && !alive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
}

/** tla2tools.jar is a few MiB; a server sending far more is not serving it. */
const MAX_DOWNLOAD = 256 * 1024 * 1024;

const DOWNLOAD_HINT = 'Check your network connection and try again, or download tla2tools.jar yourself and set TLA2TOOLS_JAR to it.';

export async function installTla2tools(host: Host, options: InstallOptions = {}): Promise<Either<ToolProblem, Installed>> {
  const log = options.log ?? (() => {});
  const source = installSource(host);
  if (isLeft(source)) return source;
  const { url, sha256: expected } = source.right;
  const target = cachedJarPath(host, PINNED_TLA2TOOLS.version);
  const base = { path: target, url, version: PINNED_TLA2TOOLS.version };

  if (isFile(target) && options.force !== true) {
    const facts = inspectJar(target);
    if (isLeft(facts)) return left({ ...facts.left, hint: 'Run `mommie tools install --force` to download it again.' });
    const changed = changedSinceInstall(target, facts.right);
    if (changed !== undefined) return left({ ...changed, hint: 'Run `mommie tools install --force` to download it again.' });
    if (facts.right.recordedSha256 === null) {
      if (facts.right.sha256 !== expected) {
        return left(
          problem(
            'jar-changed',
            `There is already a jar at ${target}, but its SHA-256 is ${facts.right.sha256}, not the ${expected} of TLA+ tools ${PINNED_TLA2TOOLS.version}.`,
            'Run `mommie tools install --force` to replace it.',
          ),
        );
      }
      try {
        writeFileSync(recordPath(target), recordText(facts.right.sha256));
      } catch (e) {
        return left(problem('cache-unwritable', `Cannot write ${recordPath(target)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Make the cache directory writable, or set XDG_CACHE_HOME to a directory you can write.'));
      }
    }
    return right({ ...base, kind: 'already-installed', sha256: facts.right.sha256, size: facts.right.size });
  }

  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    return left(problem('cache-unwritable', `Cannot create the cache directory ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Make it writable, or set XDG_CACHE_HOME to a directory you can write.'));
  }
  removeStaleParts(dir);
  const tmp = join(dir, `.tla2tools.jar.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  try {
    log(`downloading ${url}`);
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs ?? 600_000) });
    } catch (e) {
      return left(problem('download-failed', `Downloading ${url} failed: ${describeNetworkError(e)}.`, DOWNLOAD_HINT));
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => {});
      return left(problem('download-failed', `Downloading ${url} failed: the server answered ${response.status} ${response.statusText}.`.replace(/ \./, '.'), DOWNLOAD_HINT));
    }
    const lengthHeader = response.headers.get('content-length');
    const expectedLength = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let received = 0;
    let handle: FileHandle;
    try {
      handle = await open(tmp, 'wx');
    } catch (e) {
      return left(problem('cache-unwritable', `Cannot write ${tmp} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Make the cache directory writable, or set XDG_CACHE_HOME to a directory you can write.'));
    }
    try {
      for await (const chunk of response.body) {
        const b = Buffer.from(chunk as Uint8Array);
        hash.update(b);
        chunks.push(b);
        received += b.length;
        if (received > MAX_DOWNLOAD) throw new Error(`more than ${MAX_DOWNLOAD} bytes, far more than tla2tools.jar`);
        await handle.write(b);
      }
    } catch (e) {
      return left(
        problem(
          'download-incomplete',
          `The download of ${url} broke off after ${received} bytes${expectedLength === undefined ? '' : ` of ${expectedLength}`}: ${describeNetworkError(e)}; nothing was installed.`,
          DOWNLOAD_HINT,
        ),
      );
    } finally {
      await handle.close();
    }
    if (expectedLength !== undefined && received !== expectedLength) {
      return left(problem('download-incomplete', `The download of ${url} stopped after ${received} of ${expectedLength} bytes; nothing was installed.`, DOWNLOAD_HINT));
    }
    const digest = hash.digest('hex');
    if (digest !== expected) {
      return left(
        problem(
          'hash-mismatch',
          `The file downloaded from ${url} has SHA-256 ${digest}, but TLA+ tools ${PINNED_TLA2TOOLS.version} has ${expected}; it was not installed.`,
          'Try again later (the download may have been damaged); if your mirror serves another build on purpose, set MOMMIE_TLA2TOOLS_SHA256 to its digest.',
        ),
      );
    }
    const zip = zipProblem(Buffer.concat(chunks));
    if (zip !== undefined) {
      return left(problem('jar-corrupt', `The file downloaded from ${url} is not a valid zip/jar file: ${zip}; it was not installed.`, DOWNLOAD_HINT));
    }
    try {
      renameSync(tmp, target);
      writeFileSync(recordPath(target), recordText(digest));
    } catch (e) {
      return left(problem('cache-unwritable', `Cannot install ${target} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Make the cache directory writable, or set XDG_CACHE_HOME to a directory you can write.'));
    }
    return right({ ...base, kind: 'installed', sha256: digest, size: received });
  } finally {
    rmSync(tmp, { force: true });
  }
}
