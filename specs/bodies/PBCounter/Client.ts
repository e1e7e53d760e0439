// The client's Accept as a body program: the answer a quorum of replicas gave.
import type { ClientBodies } from './mommie.js';

export default {
  Accept(ctx) {
    const { rep } = ctx.binding;
    ctx.state.lastSeq = rep.seqNo;
    ctx.state.lastRes = rep.res;
    ctx.state.answered += 1;
  },
} satisfies ClientBodies;
