// The JVM's peak resident memory, for the same "peak RSS" figure the built-in
// engine reports. Node cannot read a child's rusage, so on Linux the kernel's
// high-water mark (VmHWM in /proc/<pid>/status) is sampled while TLC runs;
// elsewhere nothing is measured.

import { readFileSync } from 'node:fs';

/** The process's peak RSS so far in MiB, or undefined where it cannot be read. */
export function peakRssMiB(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return m === null ? undefined : Number(m[1]) / 1024;
}
