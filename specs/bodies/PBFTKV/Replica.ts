// The key-value store's Execute (specs/PBFTKV.mom) as a body program: the
// replica's store is a set of cells in its state; the operation runs on a Map
// of it (key -> value), the cells are written back only when a write took
// effect, and the reply carries the key's value after the operation. The
// other steps of the protocol run their body specs. Built with `mommie build
// --assert`, every step is checked against the body spec.
import { Cell, Reply, Stamp, type ReplicaBodies } from './mommie.js';

export default {
  Execute(ctx) {
    const { cm } = ctx.binding;
    const m = cm.m;
    const s = ctx.state;
    if (s.toRun.some((x) => x.client === m.client && x.id === m.id)) {
      const store = new Map<number, number>(s.store.map((c) => [c.key, c.val]));
      const before = store.get(m.key) ?? 0; // 0: the key holds nothing
      const ok = m.kind !== 'CAS' || before === m.expected;
      if (m.kind !== 'GET' && ok) {
        store.set(m.key, m.val);
        s.store = [...store].map(([key, val]) => Cell({ key, val }));
      }
      s.toRun = [...s.toRun.filter((x) => x.client !== m.client), Stamp({ client: m.client, id: m.id + 1 })];
      ctx.publish({ verifiers: m.client, record: Reply({ reqId: m.id, seqNo: cm.seqNo, key: m.key, res: store.get(m.key) ?? 0, ok }) });
    }
    s.lastExec += 1;
  },
} satisfies ReplicaBodies;
