// Body programs for the replicas of specs/PBCounter.mom: the primary orders
// requests, every replica applies them to its counter in order and replies.
import { Order, R, Reply, type ReplicaBodies } from './mommie.js';

export default {
  Assign(ctx) {
    const seqNo = ctx.state.ordered + 1;
    ctx.publish({ verifiers: R, record: Order({ m: ctx.binding.req, seqNo }) });
    ctx.state.ordered = seqNo;
  },

  Execute(ctx) {
    const { o, req, c } = ctx.binding;
    const res = ctx.fn.apply(ctx.state.state, req.op);
    ctx.state.state = res;
    ctx.state.lastExec += 1;
    ctx.publish({ verifiers: c, record: Reply({ reqId: req.id, seqNo: o.seqNo, res }) });
  },
} satisfies ReplicaBodies;
