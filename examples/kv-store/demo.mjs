// A small application of the replicated key-value store (specs/PBFTKV.mom:
// Get, Put and CAS on PBFT, four replicas tolerating one Byzantine one),
// called through mommie's client API on the simulated network, in this
// process and in virtual time: a few calls by hand, then four clients making
// calls at once under message loss while a history of every call is
// recorded, and the history checked linearizable (docs/lincheck.md). The
// history is written to a fresh temporary directory, so the demo can run any
// number of times; exit 0 when every answer was as expected and the history
// is linearizable, 1 otherwise.
//
//   npm install
//   node examples/kv-store/demo.mjs [--operations N] [--seed S]

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkHistory, encodeHistory, openSimulation, runKvWorkload, verdictLines, workloadFigures } from 'mommie';

const { values } = parseArgs({ options: { operations: { type: 'string', default: '120' }, seed: { type: 'string', default: '7' } } });
const operations = Number(values.operations);
const seed = Number(values.seed);
const specs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs');
let ok = true;
const expect = (what, got, want) => {
  const good = JSON.stringify(got) === JSON.stringify(want);
  ok &&= good;
  console.log(`  ${what.padEnd(34)} -> ${JSON.stringify(got)}${good ? '' : `   (expected ${JSON.stringify(want)})`}`);
};

// 1. A few calls by hand. Keys are 0..2, values 1..3; 0 answers "nothing there".
const sim = await openSimulation(join(specs, 'PBFTKV.mom'), join(specs, 'PBFTKV.deploy'), { seed, faults: 'drop=0.05,delay=1-20' });
try {
  const c1 = sim.node('c1');
  const c2 = sim.node('c2');
  console.log('calls by hand (c1 and c2, four PBFT replicas, 5% of messages lost):');
  expect('c1 Get(key 0)', await c1.submit('Get', { key: 0 }), 0);
  expect('c1 Put(key 0, 2)', await c1.submit('Put', { key: 0, val: 2 }), 2);
  expect('c2 Get(key 0)', await c2.submit('Get', { key: 0 }), 2);
  expect('c2 Cas(key 0, 1 -> 3)', await c2.submit('Cas', { key: 0, expected: 1, val: 3 }), false);
  expect('c2 Cas(key 0, 2 -> 3)', await c2.submit('Cas', { key: 0, expected: 2, val: 3 }), true);
  expect('c1 Get(key 0)', await c1.submit('Get', { key: 0 }), 3);
  console.log(`  (virtual time ${sim.now()} ms)`);
} finally {
  sim.close();
}

// 2. Four clients, two calls in flight each, over three keys, with 10% loss;
// every call's invocation and completion recorded by the simulation's clock.
const sim2 = await openSimulation(join(specs, 'PBFTKV.mom'), join(specs, 'PBFTKV.deploy'), { seed, faults: 'drop=0.1,delay=1-30' });
let history;
try {
  const clients = ['c1', 'c2', 'c3', 'c4'].map((n) => sim2.node(n));
  const run = await runKvWorkload({ clients, operations, window: 2, keys: 3, values: 3, seed, now: () => sim2.now(), timeoutMs: 30_000 });
  history = run.recorder.history();
  const f = workloadFigures(history);
  console.log(`\n${f.completed} calls completed (${f.unknown} outcome unknown) from ${f.clients} clients over ${f.keys} keys in ${sim2.now()} virtual ms; ` +
    `${Math.round(f.writeShare * 100)}% put or cas, ${Math.round(f.overlapShare * 100)}% overlapping another client's`);
  const violated = sim2.violation();
  if (violated !== undefined) {
    ok = false;
    console.log(`invariant ${violated.invariant} violated`);
  }
} finally {
  sim2.close();
}
const out = mkdtempSync(join(tmpdir(), 'mommie-kv-demo-'));
const file = join(out, 'history.json');
writeFileSync(file, JSON.stringify(encodeHistory(history), null, 1));
console.log(`history written to ${file} (check it again with: npx mommie lincheck ${file})`);
const verdict = checkHistory(history);
for (const line of verdictLines(verdict)) console.log(line);
ok &&= verdict.kind === 'linearizable';
process.exit(ok ? 0 : 1);
