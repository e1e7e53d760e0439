// `mommie tools install tlapm --from FILE-or-URL --sha256 HEX`: puts a TLAPS
// release tarball into the cache, where tlapm is looked for last
// (platform.ts: cachedTlapmPath, `<cache>/tlapm/bin/tlapm`).
//
// Unlike tla2tools.jar, mommie ships no pin for tlapm: its current build is
// a rolling pre-release whose files are replaced in place, so no digest
// stays true (docs/decisions.md). The user pins instead: the digest is
// required, and the tarball is refused unless it matches. The tarball is
// fetched (or copied) to a temporary file in the cache, checked, unpacked
// with the system's `tar` into a temporary directory beside the target,
// checked again (a tlapm/bin/tlapm that answers --version), and only then
// renamed into place; every failure removes what it made. What was
// installed is recorded in `<cache>/tlapm/.mommie-install.json`.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as t from 'io-ts';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { describeNetworkError } from './install.js';
import { sha256Codec } from './jar.js';
import { cachedTlapmPath, nonEmpty, type Host } from './platform.js';
import { problem, type ToolProblem } from './problem.js';
import { tlapmVersion } from './tlapm.js';

export interface TlapmInstallOptions {
  /** A path to a tarball, or an http(s) URL (else MOMMIE_TLAPM_URL). */
  readonly from?: string;
  /** The SHA-256 the tarball must have (else MOMMIE_TLAPM_SHA256). */
  readonly sha256?: string;
  readonly force?: boolean;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface TlapmInstalled {
  readonly kind: 'installed' | 'already-installed';
  readonly path: string;
  readonly from: string;
  readonly sha256: string;
  readonly version: string;
}

const RecordCodec = t.type({ from: t.string, sha256: t.string, version: t.string });

/** A TLAPS tarball is some tens of MiB; more than this is not one. */
const MAX_TARBALL = 1024 * 1024 * 1024;

const NOT_PINNED_HINT =
  'Download a TLAPS tarball (e.g. tlapm-1.6.0-pre-x86_64-linux-gnu.tar.gz from https://github.com/tlaplus/tlapm/releases), note its SHA-256, and run `mommie tools install tlapm --from FILE-or-URL --sha256 HEX`.';

const unwritable = (what: string, e: unknown): ToolProblem =>
  problem('cache-unwritable', `Cannot write ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Make the cache directory writable, or set XDG_CACHE_HOME to a directory you can write.');

export async function installTlapm(host: Host, options: TlapmInstallOptions = {}): Promise<Either<ToolProblem, TlapmInstalled>> {
  const log = options.log ?? (() => {});
  const asked = nonEmpty(options.from) ?? nonEmpty(host.env['MOMMIE_TLAPM_URL']);
  // A local tarball is recorded by its absolute path, which still says where it came from later.
  const from = asked === undefined || /^https?:\/\//i.test(asked) ? asked : resolve(asked.replace(/^file:\/\//i, ''));
  if (from === undefined) {
    return left(problem('tlapm-not-pinned', 'mommie pins no tlapm release: tlapm publishes its current build as a rolling pre-release whose files are replaced, so no digest stays true.', NOT_PINNED_HINT));
  }
  const given = nonEmpty(options.sha256) ?? nonEmpty(host.env['MOMMIE_TLAPM_SHA256']);
  if (given === undefined) return left(problem('bad-setting', `No SHA-256 for ${from}: mommie installs a tlapm tarball only with the digest you pinned.`, 'Pass --sha256 HEX (or set MOMMIE_TLAPM_SHA256), the digest of the tarball you mean to install.'));
  const digest = sha256Codec.decode(given.toLowerCase());
  if (isLeft(digest)) return left(problem('bad-setting', `'${given}' is not a SHA-256 digest (64 hex digits).`, 'Pass the tarball\'s SHA-256, as `sha256sum FILE` prints it.'));
  const expected = digest.right;

  const exe = cachedTlapmPath(host);
  const target = dirname(dirname(exe));
  const recordFile = join(target, '.mommie-install.json');
  if (existsSync(target) && options.force !== true) {
    const record = readRecord(recordFile);
    if (record !== undefined && record.sha256 === expected) return right({ kind: 'already-installed', path: exe, from: record.from, sha256: record.sha256, version: record.version });
    return left(
      problem(
        'tlapm-installed',
        record === undefined ? `There is already a tlapm at ${target}, not installed by mommie.` : `There is already a tlapm at ${target}, from ${record.from} (sha256 ${record.sha256}).`,
        'Run `mommie tools install tlapm --force ...` to replace it.',
      ),
    );
  }

  const cache = dirname(target);
  try {
    mkdirSync(cache, { recursive: true });
  } catch (e) {
    return left(unwritable(cache, e));
  }
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const tarball = join(cache, `.tlapm.${tag}.tar.gz.part`);
  const unpacked = join(cache, `.tlapm.${tag}.unpacked`);
  try {
    const got = await fetchTo(from, tarball, options.timeoutMs ?? 600_000, log);
    if (isLeft(got)) return got;
    if (got.right !== expected) {
      return left(problem('hash-mismatch', `${from} has SHA-256 ${got.right}, not the ${expected} you pinned; nothing was installed.`, 'Check that it is the tarball you meant, and pin its digest again if it is.'));
    }
    log(`unpacking ${from}`);
    try {
      mkdirSync(unpacked);
    } catch (e) {
      return left(unwritable(unpacked, e));
    }
    const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
    const tar = await execa('tar', ['-xzf', tarball, '-C', unpacked], { reject: false, timeout: options.timeoutMs ?? 600_000 });
    if (tar.exitCode !== 0) {
      const why = tar.failed && tar.exitCode === undefined ? 'tar could not run (is it installed?)' : String(tar.stderr).trim().split('\n').slice(-1)[0] ?? '';
      return left(problem('tlapm-broken', `${from} did not unpack as a gzipped tarball: ${why}.`, 'Pass a TLAPS release tarball (.tar.gz) such as tlapm-1.6.0-pre-x86_64-linux-gnu.tar.gz.'));
    }
    const inner = join(unpacked, 'tlapm');
    const innerExe = join(inner, 'bin', 'tlapm');
    if (!existsSync(innerExe)) return left(problem('tlapm-broken', `${from} has no tlapm/bin/tlapm: it is not a TLAPS release tarball.`, 'Pass a TLAPS release tarball, which unpacks to tlapm/bin/tlapm and tlapm/lib.'));
    const version = await tlapmVersion(innerExe, host);
    if (version === null) return left(problem('tlapm-broken', `The tlapm in ${from} did not answer \`tlapm --version\` on this machine.`, 'Check that the tarball is built for this operating system and processor.'));
    try {
      writeFileSync(join(inner, '.mommie-install.json'), `${JSON.stringify({ from, sha256: expected, version }, null, 2)}\n`);
      if (existsSync(target)) rmSync(target, { recursive: true, force: true });
      renameSync(inner, target);
    } catch (e) {
      return left(unwritable(target, e));
    }
    return right({ kind: 'installed', path: exe, from, sha256: expected, version });
  } finally {
    rmSync(tarball, { force: true });
    rmSync(unpacked, { recursive: true, force: true });
  }
}

function readRecord(file: string): t.TypeOf<typeof RecordCodec> | undefined {
  try {
    const d = RecordCodec.decode(JSON.parse(readFileSync(file, 'utf8')));
    return isLeft(d) ? undefined : d.right;
  } catch {
    return undefined;
  }
}

/** Copies a local file or downloads a URL to `to`; its SHA-256. */
async function fetchTo(from: string, to: string, timeoutMs: number, log: (line: string) => void): Promise<Either<ToolProblem, string>> {
  const hash = createHash('sha256');
  let handle;
  try {
    handle = await open(to, 'wx');
  } catch (e) {
    return left(unwritable(to, e));
  }
  let received = 0;
  try {
    let chunks: AsyncIterable<Uint8Array>;
    if (/^https?:\/\//i.test(from)) {
      log(`downloading ${from}`);
      let response: Response;
      try {
        response = await fetch(from, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
      } catch (e) {
        return left(problem('download-failed', `Downloading ${from} failed: ${describeNetworkError(e)}.`, 'Check your network connection and try again, or download the tarball yourself and pass its path.'));
      }
      if (!response.ok || response.body === null) {
        await response.body?.cancel().catch(() => {});
        return left(problem('download-failed', `Downloading ${from} failed: the server answered ${response.status}.`, 'Check the URL, or download the tarball yourself and pass its path.'));
      }
      chunks = response.body;
    } else {
      if (!existsSync(from)) return left(problem('bad-setting', `There is no file ${from}.`, 'Pass the path of a downloaded TLAPS tarball, or an http(s) URL.'));
      chunks = createReadStream(from);
    }
    for await (const chunk of chunks) {
      const b = Buffer.from(chunk);
      received += b.length;
      if (received > MAX_TARBALL) return left(problem('download-failed', `${from} is larger than ${MAX_TARBALL} bytes, far more than a TLAPS tarball.`, 'Check the URL or file.'));
      hash.update(b);
      await handle.write(b);
    }
  } catch (e) {
    return left(problem('download-incomplete', `Reading ${from} broke off after ${received} bytes: ${describeNetworkError(e)}; nothing was installed.`, 'Try again.'));
  } finally {
    await handle.close();
  }
  return right(hash.digest('hex'));
}
