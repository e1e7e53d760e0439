// Finding tla2tools.jar and checking that it is intact.
//
// Order: the `--tla2tools PATH` flag, else $TLA2TOOLS_JAR, else the jar that
// `mommie tools install` put in the cache (platform.ts: cachedJarPath). A
// flag or variable that names a missing file is a problem, not skipped.
//
// Integrity: the file must be a zip archive (a local-file header at the start
// and an end-of-central-directory record that fits in the file, which catches
// truncated downloads). When `<jar>.sha256` exists (install writes it), the
// jar's SHA-256 must still equal it.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as t from 'io-ts';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { cachedJarPath, isFile, nonEmpty, type Host } from './platform.js';
import { PINNED_TLA2TOOLS } from './pinned.js';
import { problem, type ToolProblem } from './problem.js';

export type JarSource = '--tla2tools' | 'TLA2TOOLS_JAR' | 'cache';

export interface JarLocation {
  readonly path: string;
  readonly source: JarSource;
}

/** A lower-case hex SHA-256 digest. */
export const sha256Codec = new t.Type<string, string, unknown>(
  'Sha256',
  (u): u is string => typeof u === 'string' && /^[0-9a-f]{64}$/.test(u),
  (u, c) => (typeof u === 'string' && /^[0-9a-fA-F]{64}$/.test(u.trim()) ? t.success(u.trim().toLowerCase()) : t.failure(u, c)),
  t.identity,
);

const REINSTALL = 'Run `mommie tools install --force` to download it again, or point TLA2TOOLS_JAR at a good tla2tools.jar.';

export function locateJar(host: Host, flag?: string): Either<ToolProblem, JarLocation> {
  if (flag !== undefined) {
    if (flag.trim() === '') return left(problem('bad-setting', '--tla2tools was given an empty path.', 'Give the path of a tla2tools.jar, or drop --tla2tools.'));
    const path = resolve(flag);
    if (isFile(path)) return right({ path, source: '--tla2tools' });
    return left(problem('jar-missing', `--tla2tools names ${path}, which does not exist.`, 'Check the path, or drop --tla2tools to use TLA2TOOLS_JAR or the installed jar.'));
  }
  const env = nonEmpty(host.env['TLA2TOOLS_JAR']);
  if (env !== undefined) {
    const path = resolve(env);
    if (isFile(path)) return right({ path, source: 'TLA2TOOLS_JAR' });
    return left(
      problem(
        'jar-missing',
        `TLA2TOOLS_JAR points to ${path}, which does not exist.`,
        'Fix TLA2TOOLS_JAR, or unset it to use the jar that `mommie tools install` puts in the cache.',
      ),
    );
  }
  const cached = cachedJarPath(host, PINNED_TLA2TOOLS.version);
  if (isFile(cached)) return right({ path: cached, source: 'cache' });
  return left(
    problem(
      'jar-not-installed',
      `TLC is not installed: there is no tla2tools.jar at ${cached} and TLA2TOOLS_JAR is not set.`,
      `Run \`mommie tools install\` to download TLA+ tools ${PINNED_TLA2TOOLS.version}, or set TLA2TOOLS_JAR to an existing tla2tools.jar.`,
    ),
  );
}

export interface JarFacts {
  readonly size: number;
  readonly sha256: string;
  /** The digest in `<jar>.sha256`, when that file exists. */
  readonly recordedSha256: string | null;
}

/** Why `bytes` is not a whole zip archive, or undefined when it is one. */
export function zipProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length < 22) return 'it is too small to be a zip archive';
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) return 'it does not start like a zip archive';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= lowest; i--) {
    if (view.getUint32(i, true) !== 0x06054b50) continue;
    const cdSize = view.getUint32(i + 12, true);
    const cdOffset = view.getUint32(i + 16, true);
    if (cdOffset + cdSize <= i) return undefined;
    return 'its table of contents points past its end (it is truncated)';
  }
  return 'it has no zip table of contents (it is truncated or damaged)';
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `<jar>.sha256`, in sha256sum's format: the digest, two spaces, the file name. */
export function recordPath(jar: string): string {
  return `${jar}.sha256`;
}

export function recordText(sha256: string): string {
  return `${sha256}  tla2tools.jar\n`;
}

/** Reads the recorded digest; Left when the record exists but is unreadable or malformed. */
export function readRecord(jar: string): Either<ToolProblem, string | null> {
  const path = recordPath(jar);
  if (!isFile(path)) return right(null);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return left(problem('jar-changed', `The hash record ${path} cannot be read (${(e as Error).message}).`, REINSTALL));
  }
  const digest = sha256Codec.decode(text.trim().split(/\s+/, 1)[0] ?? '');
  if (isLeft(digest)) return left(problem('jar-changed', `The hash record ${path} does not hold a SHA-256 digest.`, REINSTALL));
  return right(digest.right);
}

/** Size, digest and recorded digest of the jar; Left when it cannot be read or is not a whole jar. */
export function inspectJar(path: string): Either<ToolProblem, JarFacts> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return left(problem('jar-missing', `The jar ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, REINSTALL));
  }
  const zip = zipProblem(bytes);
  if (zip !== undefined) return left(problem('jar-corrupt', `The jar at ${path} is not a valid zip/jar file: ${zip}.`, REINSTALL));
  const record = readRecord(path);
  if (isLeft(record)) return record;
  return right({ size: bytes.length, sha256: sha256Of(bytes), recordedSha256: record.right });
}

/** The problem with a jar whose digest no longer matches its record, if any. */
export function changedSinceInstall(path: string, facts: JarFacts): ToolProblem | undefined {
  if (facts.recordedSha256 === null || facts.recordedSha256 === facts.sha256) return undefined;
  return problem(
    'jar-changed',
    `The jar at ${path} has changed since it was installed: its SHA-256 is ${facts.sha256}, but ${recordPath(path)} records ${facts.recordedSha256}.`,
    REINSTALL,
  );
}
