// `mommie run --clients K`: a run with fewer clients than the program
// declares; the others are crashed from the start, as the models do.

import { describe, expect, it } from 'vitest';
import { mommie } from './helpers/cli.js';

interface Report { requests: { completed: number }; nodes: { node: string; status: string; fired: Record<string, number> }[] }

describe('run --clients', () => {
  it('runs only the first K clients and spreads the requests over them', async () => {
    const r = await mommie(['run', 'specs/PBCounter.mom', '--deploy', 'specs/PBCounter.deploy', '--network', 'sim', '--clients', '2', '--requests', '6', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.requests.completed).toBe(6);
    const submits = Object.fromEntries(rep.nodes.filter((n) => n.node.startsWith('c')).map((n) => [n.node, n.fired.Submit ?? 0]));
    expect(submits).toEqual({ c1: 3, c2: 3, c3: 0, c4: 0, c5: 0, c6: 0, c7: 0, c8: 0 });
    expect(rep.nodes.find((n) => n.node === 'c3')!.status).toBe('crashed');
  });

  it('refuses more clients than the model has correct ones', async () => {
    const r = await mommie(['run', 'specs/PBCounter.mom', '--deploy', 'specs/PBCounter.deploy', '--network', 'sim', '--model', 'AllCorrect', '--clients', '2']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('mommie run: --clients 2: model AllCorrect has 1 correct client');
    const zero = await mommie(['run', 'specs/PBCounter.mom', '--deploy', 'specs/PBCounter.deploy', '--network', 'sim', '--clients', '0']);
    expect(zero.exitCode).toBe(1);
  });
});
