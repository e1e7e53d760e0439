// What `mommie build` leaves in OUT besides the compiled modules, and what
// `mommie run --build OUT` reads back (decoded with io-ts: a build directory
// is input like any other).

import { createHash } from 'node:crypto';
import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

export const MANIFEST_FILE = 'mommie-build.json';

const Transition = t.type({
  /** Where the body program's method starts in the user's .ts (file:line:col). */
  at: t.string,
});

const RoleModule = t.type({
  /** The compiled module, relative to the build directory. */
  module: t.string,
  /** The user's source, as the build was given it. */
  source: t.string,
  transitions: t.record(t.string, Transition),
});

const Manifest = t.type({
  version: t.literal(1),
  program: t.string,
  /** SHA-256 of the program's text: a run refuses a build of another program. */
  programSha256: t.string,
  /** Whether the body programs were instrumented (--assert). */
  assert: t.boolean,
  roles: t.record(t.string, RoleModule),
  /** The compiled module supplying functions the program leaves open, if any. */
  functions: t.union([t.string, t.null]),
});

export type BuildManifest = t.TypeOf<typeof Manifest>;

export function decodeManifest(json: unknown): BuildManifest | undefined {
  const r = Manifest.decode(json);
  return isRight(r) ? r.right : undefined;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The global an instrumented body program marks its places through
 * (build/assert-transform.ts); the runtime installs it (build/load.ts).
 */
export const AT_GLOBAL = '__mommieAt';
