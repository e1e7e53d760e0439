// Loopback ports for a deployment that is about to start (deploy-tune's TCP
// calibration, and the tests' TCP runs): each bound to port 0 by the kernel,
// then released.

import { createServer, type Server } from 'node:net';

/**
 * `count` distinct ports nothing listens on now. Every listener stays open
 * until all are chosen: a port closed at once may be handed out again for
 * the next node, and deploy-check refuses two nodes on one address (MOM605).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = createServer();
      servers.push(s);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => {
            const a = s.address();
            if (typeof a === 'object' && a !== null) resolve(a.port);
            else reject(new Error('no port'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}
