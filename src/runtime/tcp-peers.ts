// A node started alone over TCP (`mommie run --node NAME`) runs with peers
// started elsewhere: before its workload starts it waits until each of them
// accepts connections on its deployment address.

import { connect } from 'node:net';
import type { Deployment } from '../deploy/deployment.js';

/** Waits until each peer accepts connections, at most `startupMs`; the names still missing. */
export async function waitForPeers(deployment: Deployment, peers: readonly string[], startupMs: number, abandon: () => boolean, say: (line: string) => void): Promise<string[]> {
  const deadline = performance.now() + startupMs;
  let missing = [...peers];
  let told = false;
  while (missing.length > 0 && !abandon()) {
    const up = await Promise.all(missing.map((n) => reachable(deployment.nodes.get(n))));
    missing = missing.filter((_, i) => !up[i]);
    if (missing.length === 0 || performance.now() > deadline) break;
    if (!told) {
      told = true;
      say(`waiting for ${missing.join(', ')} to listen`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return missing;
}

/** A node's `host:port`, as the deployment gives it. */
export function addressOf(deployment: Deployment, node: string): string {
  const e = deployment.nodes.get(node);
  return e === undefined ? 'no address' : `${e.host}:${e.port}`;
}

function reachable(e: { host: string; port: number } | undefined): Promise<boolean> {
  if (e === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = connect({ host: e.host, port: e.port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
}
