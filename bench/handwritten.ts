// The real price of abstraction (issue 9, item 3): a minimal hand-written
// PBFT normal case (bench/handwritten/: no MOMMIE, mommie's crypto, CBOR and
// TCP transport, one process per node on loopback), 4 replicas, 1 and 8
// clients each keeping up to 16 requests outstanding, without batching and
// with batches of 16, signatures everywhere and MAC authenticators. The
// figure a MOMMIE deployment of PBFT is measured against.
//
//   MOMMIE_BENCH_HANDWRITTEN_REQUESTS   requests per run (default 1500: the section takes about a minute on 2 quiet cores)

import { availableParallelism } from 'node:os';
import { cryptoFloor } from '../src/wire/index.js';
import { runHandwrittenPbft, type HandwrittenResult } from './handwritten/driver.js';
import { section } from './stats.js';

const DEFAULT_REQUESTS = 1500;

export async function runHandwrittenBench(): Promise<void> {
  section('hand-written PBFT normal case (TCP loopback, no MOMMIE)');
  const asked = process.env.MOMMIE_BENCH_HANDWRITTEN_REQUESTS;
  let requests = Number(asked ?? DEFAULT_REQUESTS);
  // Every client needs at least one request.
  if (!Number.isSafeInteger(requests) || requests < 8) {
    console.log(`MOMMIE_BENCH_HANDWRITTEN_REQUESTS=${asked ?? ''} is not a whole number of at least 8: ${DEFAULT_REQUESTS} requests per run`);
    requests = DEFAULT_REQUESTS;
  }
  const outstanding = 16;
  const floor = cryptoFloor({ minMs: 200 });
  const cores = availableParallelism();
  console.log(`4 replicas (f = 1), one process per node; ${requests} requests per run, each client keeping up to ${outstanding} outstanding; batches flushed after 1 ms`);
  console.log(`crypto floor: HMAC ${floor.macUs.toFixed(1)} µs, Ed25519 sign ${floor.ed25519SignUs.toFixed(0)} µs / verify ${floor.ed25519VerifyUs.toFixed(0)} µs`);
  console.log('| clients | batch | auth | requests/s | p50 ms | p99 ms | msgs/req | bytes/req | crypto ops/req (MAC + sign + verify) | CPU ms/req | crypto ceiling req/s | req/batch |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  let base = 28000;
  for (const clients of [1, 8]) {
    for (const batch of [1, 16]) {
      for (const auth of ['ed25519', 'mac'] as const) {
        base += 20;
        const label = `| ${clients} | ${batch === 1 ? 'none' : batch} | ${auth} |`;
        let r: HandwrittenResult;
        try {
          r = await runHandwrittenPbft({ clients, outstanding, requests, batch, auth, basePort: base });
        } catch (e) {
          console.log(`${label} error: ${e instanceof Error ? e.message : String(e)} |`);
          continue;
        }
        // What the machine's cores could do if the crypto were the only cost.
        const cryptoUs = r.macsPerRequest * floor.macUs + r.signsPerRequest * floor.ed25519SignUs + r.verifiesPerRequest * floor.ed25519VerifyUs;
        const ceiling = (cores * 1e6) / cryptoUs;
        console.log(
          `${label} ${r.throughputPerS.toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.messagesPerRequest.toFixed(1)} | ${r.bytesPerRequest.toFixed(0)} | ` +
            `${r.cryptoOpsPerRequest.toFixed(1)} (${r.macsPerRequest.toFixed(1)} + ${r.signsPerRequest.toFixed(1)} + ${r.verifiesPerRequest.toFixed(1)}) | ${r.cpuMsPerRequest.toFixed(2)} | ${ceiling.toFixed(0)} | ${(r.completed / r.sequenceNumbers).toFixed(1)} |`,
        );
      }
    }
  }
  console.log('requests/s: answered requests over the time from the first request sent to the last answered (start-up excluded, no warm-up);');
  console.log(`CPU ms/req: user + system time of all node processes; crypto ceiling: ${cores} cores doing nothing but the crypto floor's operations;`);
  console.log('req/batch: requests per pre-prepare (sequence number), on average.');
}
