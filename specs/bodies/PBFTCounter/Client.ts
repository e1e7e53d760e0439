// The PBFT client's Accept: the answer F + 1 replicas agree on.
import type { ClientBodies } from './mommie.js';

export default {
  Accept(ctx) {
    const { rep } = ctx.binding;
    ctx.state.lastSeq = rep.seqNo;
    ctx.state.lastRes = rep.res;
    ctx.state.answered += 1;
  },
} satisfies ClientBodies;
