// The dissemination optimizers a deploy file may name, with the arguments each
// takes. Parsed and checked now; the dissemination stage acts on them. After
// the last optimizer of a rule comes the fallback that is never written:
// unicast to every intended verifier, retransmitted until acknowledged.

/** `target`: QUORUM, a principal, a principal set, or a program constant naming principals. */
export type OptimizerParam = 'target' | 'count' | 'duration';

export interface OptimizerInfo {
  readonly params: readonly OptimizerParam[];
  readonly usage: string;
  readonly does: string;
}

export const OPTIMIZERS: Readonly<Record<string, OptimizerInfo>> = {
  OPTIMISTIC: {
    params: ['target'],
    usage: 'OPTIMISTIC(PRIMARY) or OPTIMISTIC(QUORUM)',
    does: 'send only to the target (a principal, a set, or QUORUM: just enough verifiers for the progress pattern) until the escalation timeout',
  },
  BATCH: { params: ['count', 'duration'], usage: 'BATCH(16, 2ms)', does: 'hold statements for the same verifier until COUNT are waiting or the window passes, then send them in one frame' },
  DIGEST: { params: [], usage: 'DIGEST', does: 'send the digest of a referenced record instead of the record when the verifier already knows it' },
};

/** The keyword of OPTIMISTIC(QUORUM). */
export const QUORUM = 'QUORUM';
