// Transitions with parameters and patterns at run time: what the patterns
// determine is bound from the statements (no enumeration of a huge domain),
// what they do not is enumerated within a limit, and beyond it the run is
// refused before any node starts, naming the transition.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie } from './helpers/cli.js';

const SPEC = 'test/fixtures/params/BoundParams.mom';
const DEPLOY = 'test/fixtures/params/BoundParams.deploy';

interface NodeLine { node: string; fired: Record<string, number>; aborted: number }
interface Report { requests: { started: number; completed: number }; nodes: NodeLine[] }

describe('parameters bound by patterns', () => {
  it('the model checks with a small round bound', async () => {
    const r = await mommie(['verify', SPEC]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('a run with MaxRound = 1000000 binds Echo(k) and Tally(k, p) from the statements and completes every request; its logs replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-params-'));
    const r = await mommie(['run', SPEC, '--deploy', DEPLOY, '--network', 'sim', '--requests', '30', '--faults', 'drop=0.1,dup=0.1', '--trace', join(dir, 'logs'), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.requests.completed).toBe(30);
    const byNode = new Map(rep.nodes.map((n) => [n.node, n]));
    // Every follower acked every round; the leader tallied each ack once (k and p bound from the ack).
    expect(byNode.get('l1')!.fired).toEqual({ Announce: 30, Tally: 90 });
    for (const f of ['f1', 'f2', 'f3']) expect(byNode.get(f)!.fired).toEqual({ Echo: 30, Mark: 30 });
    const replay = await mommie(['replay', SPEC, join(dir, 'logs')]);
    expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
  });

  it('a parameter no pattern binds, over a domain too large to enumerate, is refused with its location before any node starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-params-'));
    const text = readFileSync(SPEC, 'utf8').replace('Mark(b: BOOLEAN)', 'Mark(b: Round)').replace(/ {4}IF b\n/, '    IF b == 0\n');
    expect(text).toContain('Mark(b: Round)');
    writeFileSync(join(dir, 'Free.mom'), text);
    copyFileSync(DEPLOY, join(dir, 'Free.deploy'));
    for (const network of ['sim', 'tcp']) {
      const r = await mommie(['run', 'Free.mom', '--deploy', 'Free.deploy', '--network', network, '--keys', 'nokeys', '--requests', '2'], { cwd: dir });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^Free\.mom:\d+:3: error MOM502: transition Mark has 1000000 combinations of parameters that its patterns do not bind \(b;/m);
      expect(r.stderr).toContain('^^^');
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    }
  });
});
