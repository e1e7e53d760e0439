// The client API's typing test (issue 26 item 2), checked by `tsc -p
// tsconfig.test.json` in `npm test`, never run: PBCounterCalls.ts is what
// `mommie build specs/PBCounter.mom --client` writes (test/api-types.test.ts
// keeps it so), and with it a client refuses at compile time an unknown
// transition, a missing argument, an argument of the wrong type and a field
// its answer does not have. Each @ts-expect-error fails tsc (TS2578) if its
// line compiles.

import { openNode, openSimulation } from 'mommie';
import type { ClientCalls } from './PBCounterCalls.js';

export async function typedCalls(): Promise<number> {
  const sim = await openSimulation('specs/PBCounter.mom', 'specs/PBCounter.deploy');
  const c1 = sim.node<ClientCalls>('c1');
  // The answer is lastRes, a number; the request id is the API's.
  const n: number = await c1.submit('Submit', { op: 1 });

  // @ts-expect-error an unknown transition
  await c1.submit('Sumbit', { op: 1 });
  // @ts-expect-error a missing argument
  await c1.submit('Submit', {});
  // @ts-expect-error an argument of the wrong type
  await c1.submit('Submit', { op: '1' });
  // @ts-expect-error the request id is filled in by the API, not given
  await c1.submit('Submit', { op: 1, id: 0 });
  // @ts-expect-error a wrong answer field: the answer is a number
  const wrong = (await c1.submit('Submit', { op: 1 })).lastRes;

  const tcp = await openNode<ClientCalls>({ program: 'specs/PBCounter.mom', deploy: 'specs/PBCounter.deploy', keys: 'keys', node: 'c1', logDir: 'logs' });
  // @ts-expect-error an unknown transition over TCP too
  await tcp.submit('Accept', {});
  await tcp.close();
  sim.close();
  return n + Number(wrong);
}
