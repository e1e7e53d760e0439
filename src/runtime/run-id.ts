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

/** The identity in `file` (`mommie run-id DEPLOY -o FILE` writes one). */
export function readRunId(file: string): RunIdResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    return { ok: false, message: `cannot read the run identity in ${file}: ${describe(e)}` };
  }
  return runIdBytes(text) === undefined ? { ok: false, message: `${file} holds no run identity (${2 * RUN_ID_BYTES} hex digits; 'mommie run-id DEPLOY -o FILE' writes one)` } : { ok: true, run: text };
}

/** Writes a fresh identity to `file`, which must not exist (another run's could be split in two). */
export function writeNewRunId(file: string): RunIdResult {
  const run = freshRunId();
  try {
    writeFileSync(file, run + '\n', { flag: 'wx', mode: 0o644 });
    return { ok: true, run };
  } catch (e) {
    const exists = (e as NodeJS.ErrnoException).code === 'EEXIST';
    return { ok: false, message: exists ? `${file} already exists: a run identity is never overwritten (remove it to start a new run)` : `cannot write ${file}: ${describe(e)}` };
  }
}

/**
 * The identity of a full start: `given` (`--run-id FILE`), else a fresh one;
 * written to `dir/run-id` (replacing an earlier run's), where nodes started
 * again alone with this trace directory find it.
 */
export function startRun(dir: string, given?: string): RunIdResult {
  const run = given ?? freshRunId();
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
