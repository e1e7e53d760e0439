// Body programs for the replicas of specs/PBCounter.mom: the primary orders
// each client's requests in id order, every replica applies them to its
// counter in order, notes the client's next id, and replies.
import { Order, R, Reply, Stamp, type ReplicaBodies } from './mommie.js';

export default {
  Assign(ctx) {
    const { c, req } = ctx.binding;
    const seqNo = ctx.state.ordered + 1;
    ctx.publish({ verifiers: R, record: Order({ m: req, seqNo }) });
    ctx.state.ordered = seqNo;
    ctx.state.toOrder = [...ctx.state.toOrder.filter((x) => x.client !== c), Stamp({ client: c, id: req.id + 1 })];
  },

  Execute(ctx) {
    const { o, req, c } = ctx.binding;
    const res = ctx.fn.apply(ctx.state.state, req.op);
    ctx.state.state = res;
    ctx.state.lastExec += 1;
    ctx.state.executed = [...ctx.state.executed.filter((x) => x.client !== c), Stamp({ client: c, id: req.id + 1 })];
    ctx.publish({ verifiers: c, record: Reply({ reqId: req.id, seqNo: o.seqNo, res }) });
  },
} satisfies ReplicaBodies;
