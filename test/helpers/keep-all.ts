// An example without its FORGET members (issue 23): the same program whose
// nodes keep everything. Forgetting is checked unobservable, so the two have
// the same behaviours; tests of search modes that a program that forgets
// does not use (parallel workers, partial-order reduction, TLC's liveness
// timing) take this copy as their subject.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ROOT } from './cli.js';

/** Writes `file` (relative to the repository) minus its FORGET members to a new temporary directory; returns the copy's path. */
export function keepAllCopy(file: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  // A member is a line `  FORGET ...` and the more-indented lines that continue it.
  const stripped = text.replace(/\n {2}FORGET [^\n]*(\n {4,}[^\n]*)*/g, '');
  if (stripped === text) throw new Error(`${file} has no FORGET member`);
  const copy = join(mkdtempSync(join(tmpdir(), 'mommie-keep-all-')), basename(file));
  writeFileSync(copy, stripped);
  return copy;
}
