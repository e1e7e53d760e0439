// The dissemination optimizers a deploy file may name, with the arguments each
// takes. settings.ts checks the arguments, dissemination.ts what a rule means
// for the program, and the runtime acts on the resolved plan
// (Deployment.disseminationFor). After the last step of a rule comes the
// fallback that is never written: unicast to every intended verifier,
// retransmitted until acknowledged.

/** `target`: QUORUM, a principal, a principal set, or a program constant naming principals. */
export type OptimizerParam = 'target' | 'count' | 'duration';

export interface OptimizerInfo {
  readonly params: readonly OptimizerParam[];
  /** Whether it is a step that is tried and escalated (and so takes an escalation timeout). */
  readonly escalates: boolean;
  readonly usage: string;
  readonly does: string;
}

export const OPTIMIZERS: Readonly<Record<string, OptimizerInfo>> = {
  OPTIMISTIC: {
    params: ['target'],
    escalates: true,
    usage: 'OPTIMISTIC(PRIMARY) or OPTIMISTIC(QUORUM)',
    does: 'send only to the target (a principal, a set, or QUORUM: just enough verifiers for the progress pattern), which relays to the other verifiers, until the escalation timeout',
  },
  BATCH: { params: ['count', 'duration'], escalates: false, usage: 'BATCH(16, 2ms)', does: 'hold statements for the same verifier until COUNT are waiting or the window passes, then send them in one frame' },
  DIGEST: { params: [], escalates: false, usage: 'DIGEST', does: 'send the digest of a referenced record instead of the record when the verifier already knows it' },
};

/** The keyword of OPTIMISTIC(QUORUM). */
export const QUORUM = 'QUORUM';

/**
 * How long an OPTIMISTIC step is tried when the deploy file writes no
 * escalation timeout. Fixed rather than the [Timeouts] default: those are the
 * protocol's own timers (a backup suspecting the primary), which an
 * escalation should beat, not match (docs/decisions.md, "Dissemination (deploy side)").
 */
export const DEFAULT_ESCALATION_MS = 200;
