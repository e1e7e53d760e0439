// 10,000 mutated frames sent to a live node: it never throws, and it comes
// to know only statements that were legitimately published to it.

import { describe, expect, it } from 'vitest';
import { loadDeployment } from '../src/deploy/load.js';
import { generateKeyRings } from '../src/keys/ring.js';
import { realHost } from '../src/runtime/host.js';
import { RuntimeNode } from '../src/runtime/node.js';
import { WireCodec } from '../src/runtime/wire-codec.js';
import { instantiateRun } from '../src/semantics/model.js';
import { NodeMachine } from '../src/semantics/node.js';
import { System } from '../src/semantics/system.js';
import { makeRecord, type Value } from '../src/semantics/value.js';
import { Random } from '../src/transport/sim.js';
import type { Transport } from '../src/transport/transport.js';
import { schemaFromModel } from '../src/wire/index.js';
import { loadProgram } from './helpers/sim.js';

describe('a live node under a wire fuzz', () => {
  it('survives 10,000 mutated frames and accepts no forgery', async () => {
    const { program, source } = loadProgram('specs/PBFTNormal.mom');
    const dep = loadDeployment('specs/PBFTNormal.deploy', program);
    const deployment = dep.deployment!;
    const inst = instantiateRun(program, new Map<string, Value>(deployment.constants));
    if (!inst.ok) throw inst.error;
    const model = inst.instance;
    const schema = schemaFromModel(model);
    if (!schema.ok) throw new Error(schema.detail);
    const rings = await generateKeyRings(model.nodes.map((n) => n.name));
    const codec = (n: string): WireCodec => new WireCodec(rings.get(n)!, deployment, schema.schema);

    let deliver: ((from: string, bytes: Uint8Array) => void) | undefined;
    const sent: Uint8Array[] = [];
    const transport: Transport = { me: 'r2', send: (_to, b) => void sent.push(b), onFrame: (h) => void (deliver = h), close: async () => {} };
    const system = new System(model);
    const node = new RuntimeNode({ machine: new NodeMachine(system, model.nodes[model.nodeIndex.get('r2')!]!), transport, codec: codec('r2'), host: realHost, source, timeoutMs: () => 1000 });
    node.start();

    // Legitimate frames: the client's signed requests and the primary's pre-prepares, each sealed by its issuer.
    const request = (op: number) => makeRecord('Request', ['c1', op]);
    const R = ['r1', 'r2', 'r3', 'r4'];
    const legit = [
      { from: 'c1', bytes: codec('c1').data('r2', 1, [{ issuer: 'c1', verifiers: R, auditors: model.everyone, record: request(0) }]) },
      { from: 'c1', bytes: codec('c1').data('r2', 2, [{ issuer: 'c1', verifiers: R, auditors: model.everyone, record: request(1) }]) },
      { from: 'r1', bytes: codec('r1').data('r2', 1, [{ issuer: 'r1', verifiers: R, auditors: model.everyone, record: makeRecord('PrePrepare', [1, request(0)]) }]) },
      { from: 'r3', bytes: codec('r3').data('r2', 1, [{ issuer: 'r3', verifiers: R, auditors: [], record: makeRecord('Commit', [1, request(1)]) }]) },
    ];
    const rnd = new Random(7);
    let frames = 0;
    for (let k = 0; k < 10_000; k++) {
      const base = rnd.pick(legit);
      let bytes = base.bytes.slice();
      const kind = rnd.int(0, 4);
      if (kind === 0) for (let f = rnd.int(1, 8); f > 0; f--) bytes[rnd.int(0, bytes.length - 1)]! ^= 1 << rnd.int(0, 7);
      else if (kind === 1) bytes = bytes.slice(0, rnd.int(0, bytes.length - 1));
      else if (kind === 2) {
        const other = rnd.pick(legit).bytes;
        const cut = rnd.int(0, Math.min(bytes.length, other.length) - 1);
        bytes = new Uint8Array([...bytes.slice(0, cut), ...other.slice(cut)]);
      } else if (kind === 3) bytes = new Uint8Array(rnd.int(0, 300)).map(() => rnd.int(0, 255));
      // kind 4: the frame as sent, but claimed by another sender.
      const from = kind === 4 ? rnd.pick(['c1', 'r1', 'r3', 'r4']) : base.from;
      expect(() => deliver!(from, bytes)).not.toThrow();
      frames++;
    }
    // Each legitimate frame once more, from its real sender.
    for (const f of legit) deliver!(f.from, f.bytes);
    const allowed = new Set([
      `[c1|r1,r2,r3,r4|${model.everyone.join(',')}]${request(0).key}`,
      `[c1|r1,r2,r3,r4|${model.everyone.join(',')}]${request(1).key}`,
      `[r1|r1,r2,r3,r4|${model.everyone.join(',')}]${makeRecord('PrePrepare', [1, request(0)]).key}`,
      `[r3|r1,r2,r3,r4|]${makeRecord('Commit', [1, request(1)]).key}`,
    ]);
    const known = [...node.machine.known.all()].map((s) => s.key);
    // Its own publications (a prepare for the genuine pre-prepare) are known too.
    const foreign = known.filter((k) => !allowed.has(k) && !k.startsWith('[r2|'));
    expect(frames).toBe(10_000);
    expect(foreign).toEqual([]);
    expect(known.filter((k) => allowed.has(k)).length).toBe(4);
    expect(node.stats.fired).toBeGreaterThan(0);
    expect(Object.values(node.link.stats.dropped).reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
    node.stop('end of test');
  });
});
