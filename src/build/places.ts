// Places in the user's .ts, taken from the JavaScript stack at the moment
// something happens (a write to a role variable, a bad call of ctx.fn, a
// throw), not from a mark left somewhere earlier: what happened is where it
// happened, however the program reached it (an assignment, Object.assign, a
// helper, an element write). The build's source maps turn the compiled
// module's positions back into the .ts (build/load.ts enables them).

import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A captured stack, read only when a report needs it (capturing is cheap, formatting is not). */
export interface Place {
  readonly stack?: string;
}

/**
 * The stack of the caller of `above` (the frames of `above` and of what
 * called into it from mommie's side are left out): call it from a proxy trap
 * or a wrapper, passing that trap or wrapper.
 */
export function capturePlace(above: (...args: never[]) => unknown): Place {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, above);
  return holder;
}

const FRAME = /\(?((?:file:\/\/)?\/[^\s()]*):(\d+):(\d+)\)?$/;

/**
 * `file:line:col` of the first frame in a user's source: a `.ts` frame first
 * (a package's .js the program called is passed over), else the first frame
 * with a file. Paths are shown relative to the working directory, as the
 * build's diagnostics are.
 */
export function locationIn(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  let any: string | undefined;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (m === null) continue;
    const raw = m[1]!.replace(/\?[^/]*$/, '');
    const file = raw.startsWith('file://') ? fileURLToPath(raw) : raw;
    const at = `${isAbsolute(file) ? relative(process.cwd(), file) : file}:${m[2]}:${m[3]}`;
    if (file.endsWith('.ts')) return at;
    any ??= at;
  }
  return any;
}

export const placeAt = (p: Place | undefined): string | undefined => locationIn(p?.stack);

/** Where a thrown error was thrown, as ` at file:line:col` (empty when the stack does not say). */
export function thrownAt(e: unknown): string {
  const at = locationIn(e instanceof Error ? e.stack : undefined);
  return at === undefined ? '' : ` at ${at}`;
}
