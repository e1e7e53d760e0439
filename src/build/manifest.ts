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

/** Builds of an earlier layout (version 1: loops not counted) are refused, with a word to rebuild. */
export const MANIFEST_VERSION = 2;

const Manifest = t.type({
  version: t.literal(MANIFEST_VERSION),
  program: t.string,
  /** SHA-256 of the program's text: a run refuses a build of another program. */
  programSha256: t.string,
  /** Whether the body programs were instrumented (--assert). */
  assert: t.boolean,
  roles: t.record(t.string, RoleModule),
  /** The compiled module supplying functions the program leaves open, if any. */
  functions: t.union([t.string, t.null]),
  /** Loop iterations and calls a step may make (build/work.ts). */
  workLimit: t.number,
});

export type BuildManifest = t.TypeOf<typeof Manifest>;

export function decodeManifest(json: unknown): BuildManifest | undefined {
  const r = Manifest.decode(json);
  return isRight(r) ? r.right : undefined;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
