// An operator's window into a node process: with MOMMIE_CPU_PROFILE_DIR set,
// each node process of a TCP run samples its own CPU (V8's profiler, through
// the inspector) and writes DIR/<node>.cpuprofile when it stops — a file
// Chrome's DevTools and `npm run bench` read. Node's own --cpu-prof cannot be
// passed down through NODE_OPTIONS, and the supervisor starts the processes.

import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CPU_PROFILE_ENV = 'MOMMIE_CPU_PROFILE_DIR';

/** Starts profiling if the environment asks; the function that writes the profile (a no-op otherwise). */
export async function startCpuProfile(node: string): Promise<() => Promise<void>> {
  const dir = process.env[CPU_PROFILE_ENV];
  if (dir === undefined || dir === '') return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    try {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${node}.cpuprofile`), JSON.stringify(profile));
    } catch (e) {
      process.stderr.write(`mommie node ${node}: could not write its CPU profile to ${dir}: ${e instanceof Error ? e.message : String(e)}\n`);
    } finally {
      session.disconnect();
    }
  };
}
