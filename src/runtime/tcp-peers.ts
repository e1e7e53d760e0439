// A node started alone over TCP (`mommie run --node NAME`) runs with peers
// started elsewhere. It does not wait for them (a crashed replica the
// protocol tolerates, or a client that has finished, may never come back):
// it only says which of them are not reachable when it starts.

import { connect } from 'node:net';
import type { Deployment } from '../deploy/deployment.js';

/** The peers that do not accept connections now (one attempt each, at most 1 s). */
export async function peersDown(deployment: Deployment, peers: readonly string[]): Promise<string[]> {
  const up = await Promise.all(peers.map((n) => reachable(deployment.nodes.get(n))));
  return peers.filter((_, i) => !up[i]);
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
