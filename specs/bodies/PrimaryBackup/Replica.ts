// Body programs for the replicas of specs/PrimaryBackup.mom, written by hand
// against the declarations `mommie build` generates (mommie.ts). Built with
// --assert, every step is compared with the transition's body spec.
import { Order, Reply, type ReplicaBodies } from './mommie.js';

export default {
  // Step 2: the primary orders the request with the next sequence number.
  Assign(ctx) {
    const { req } = ctx.binding;
    ctx.publish({ verifiers: ['r1', 'r2', 'r3', 'r4'], record: Order({ m: req, seqNo: ctx.state.nextSeqNo }) });
    ctx.state.nextSeqNo = ctx.state.nextSeqNo + 1;
  },

  // Step 3: execute in order and reply to the client.
  Execute(ctx) {
    const { req, c } = ctx.binding;
    const res = ctx.fn.execute(req);
    ctx.publish({ verifiers: c, record: Reply({ req, res }) });
    ctx.state.executeSeqNo += 1;
  },
} satisfies ReplicaBodies;
