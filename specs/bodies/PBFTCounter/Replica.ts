// The PBFT replicas' Execute (specs/PBFTCounter.mom) as a body program: a
// committed request is applied to the counter once per client stamp, and
// answered; the other steps of the protocol run their body specs.
import { Reply, Stamp, type ReplicaBodies } from './mommie.js';

export default {
  Execute(ctx) {
    const { cm } = ctx.binding;
    const { client, id, op } = cm.m;
    const s = ctx.state;
    if (s.expected.some((x) => x.client === client && x.id === id)) {
      const res = ctx.fn.apply(s.state, op);
      s.state = res;
      s.expected = [...s.expected.filter((x) => x.client !== client), Stamp({ client, id: id + 1 })];
      ctx.publish({ verifiers: client, record: Reply({ reqId: id, seqNo: cm.seqNo, res }) });
    }
    s.lastExec += 1;
  },
} satisfies ReplicaBodies;
