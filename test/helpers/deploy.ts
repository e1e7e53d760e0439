// A checked program and a deployment of it, loaded from the repository for
// the deploy tests; each expects no error on the way.

import { expect } from 'vitest';
import { join } from 'node:path';
import { checkFile } from '../../src/analysis/frontend.js';
import type { CheckedProgram } from '../../src/analysis/program.js';
import { loadDeployment } from '../../src/deploy/load.js';
import type { CheckedDeployment } from '../../src/deploy/resolve.js';
import { ROOT } from './cli.js';

export function program(path: string): CheckedProgram {
  const fe = checkFile(join(ROOT, path));
  expect(fe.ok).toBe(true);
  return fe.program!;
}

export function deployment(programPath: string, deployPath: string): CheckedDeployment {
  const r = loadDeployment(join(ROOT, deployPath), program(programPath));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.deployment!;
}
