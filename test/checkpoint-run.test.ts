// A checkpoint carries the run identity (issue 22 item 2, docs/security.md):
// it is in the sealed body, so its digest covers it, and a node or replay
// expecting another run refuses the checkpoint, naming both.

import { describe, expect, it } from 'vitest';
import { CHECKPOINT_VERSION, parseCheckpoint, sealCheckpoint, type CheckpointBody } from '../src/trace/checkpoint.js';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);

function body(run: string | undefined): CheckpointBody {
  return {
    k: 'checkpoint', version: CHECKPOINT_VERSION, node: 'r1', program: 'P', constants: {}, ...(run === undefined ? {} : { run }),
    seq: 1, n: 10, vc: { r1: 10 }, prev: '0'.repeat(64), prevN: 0, history: '0'.repeat(64),
    state: { vars: [], known: [], handled: [], setAside: [], droppable: [], issued: [] },
    resume: { inputs: 0, inFlight: [], published: [] },
  };
}

describe('checkpoints and the run identity', () => {
  it('a checkpoint of one run is accepted for that run and refused for another, naming both', () => {
    const text = JSON.stringify(sealCheckpoint(body(RUN_A)));
    expect(parseCheckpoint('r1.ckpt-1.json', text, { node: 'r1', run: RUN_A }).ok).toBe(true);
    const other = parseCheckpoint('r1.ckpt-1.json', text, { node: 'r1', run: RUN_B });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.message).toBe(`checkpoint r1.ckpt-1.json is refused: it is a checkpoint of run ${RUN_A}, not of run ${RUN_B}`);
  });

  it('the run identity is under the digest: a checkpoint moved to another run by its text is refused as altered', () => {
    const text = JSON.stringify(sealCheckpoint(body(RUN_A))).replace(RUN_A, RUN_B);
    const r = parseCheckpoint('r1.ckpt-1.json', text, { node: 'r1', run: RUN_B });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/does not match its contents/);
  });
});
