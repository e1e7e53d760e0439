// The identity of a run (issue 22 item 2): 16 random bytes a full start
// makes, which every node of the run writes in its log header and presents
// in each session's handshake. A node of another run, an earlier one with the
// same keys included, is refused by its peers (`foreign-run`). Nodes started
// one by one with the same trace directory share the identity through the
// file `run-id` in it: the first to start makes it, the others read it.

import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_ID_BYTES } from '../transport/session.js';

export const RUN_ID_FILE = 'run-id';

export type RunIdResult = { readonly ok: true; readonly run: string } | { readonly ok: false; readonly message: string };

/** A fresh identity, as hex. */
export function freshRunId(): string {
  return randomBytes(RUN_ID_BYTES).toString('hex');
}

/** The bytes of a run identity written as hex; undefined when it is not one. */
export function runIdBytes(hex: string): Uint8Array | undefined {
  return new RegExp(`^[0-9a-f]{${2 * RUN_ID_BYTES}}$`).test(hex) ? new Uint8Array(Buffer.from(hex, 'hex')) : undefined;
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A fresh identity for a full start, written to `dir/run-id` (replacing an earlier run's). */
export function startRun(dir: string): RunIdResult {
  const run = freshRunId();
  const path = join(dir, RUN_ID_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, run + '\n');
    renameSync(tmp, path);
    return { ok: true, run };
  } catch (e) {
    return { ok: false, message: `cannot write the run identity to ${path}: ${describe(e)}` };
  }
}

/** The identity in `dir/run-id`, made there first if there is none (atomically: nodes started at once agree). */
export function sharedRunId(dir: string): RunIdResult {
  const path = join(dir, RUN_ID_FILE);
  const read = (): RunIdResult => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8').trim();
    } catch (e) {
      return { ok: false, message: `cannot read the run identity in ${path}: ${describe(e)}` };
    }
    return runIdBytes(text) === undefined ? { ok: false, message: `${path} holds no run identity (${2 * RUN_ID_BYTES} hex digits)` } : { ok: true, run: text };
  };
  const mine = read();
  if (mine.ok) return mine;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, freshRunId() + '\n');
    // link fails if another start made the file first: then its identity is the run's.
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    unlinkSync(tmp);
  } catch (e) {
    return { ok: false, message: `cannot write the run identity to ${path}: ${describe(e)}` };
  }
  return read();
}
