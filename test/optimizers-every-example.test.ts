// Every example under each dissemination optimizer on the simulated network,
// with drops and duplicates: deploy-check either accepts the plan or refuses
// it for a reason the optimizer has (no quorum threshold, nothing to digest,
// a relay that is not a verifier); every accepted plan completes every
// request and leaves logs that `mommie replay` accepts unchanged.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';

const EXAMPLES = ['PrimaryBackup', 'PBFTNormal', 'BrachaBroadcast', 'PBCounter', 'PBFTCounter'].filter((n) => existsSync(join(ROOT, 'specs', `${n}.deploy`)));

/** The principal sets and record types of a program, and a principal-valued constant (PRIMARY, SENDER) if it has one. */
function shape(spec: string): { sets: string[]; types: string[]; leader?: string } {
  const text = readFileSync(join(ROOT, 'specs', `${spec}.mom`), 'utf8');
  const sets = [...text.matchAll(/^PRINCIPALS\s+(\w+)\s*=/gm)].map((m) => m[1]!);
  const types = [...text.matchAll(/^RECORD\s+(\w+)/gm)].map((m) => m[1]!);
  const leader = /^CONSTANT\s+(PRIMARY|SENDER)\s*=/m.exec(text)?.[1];
  return leader === undefined ? { sets, types } : { sets, types, leader };
}

function optimizers(spec: string): { name: string; rule: (set: string) => string }[] {
  const { leader } = shape(spec);
  return [
    { name: 'BATCH', rule: (s) => `${s} : BATCH(4, 2ms);` },
    { name: 'OPTIMISTIC(QUORUM)', rule: (s) => `${s} : OPTIMISTIC(QUORUM) 100ms;` },
    { name: 'DIGEST', rule: (s) => `${s} : DIGEST;` },
    ...(leader === undefined ? [] : [{ name: `OPTIMISTIC(${leader})`, rule: (s: string) => `${s} : OPTIMISTIC(${leader}) 100ms;` }]),
  ];
}

/**
 * One rule per publisher set and record type, then without the rules
 * deploy-check refuses (by their line), until it accepts: the optimizer where
 * it fits. Undefined when no rule is left.
 */
async function fittingPlan(spec: string, base: string, rule: (head: string) => string, path: string): Promise<{ rules: number; refused: Set<string> } | undefined> {
  const { sets, types } = shape(spec);
  let rules = sets.flatMap((s) => types.map((t) => rule(`${s} -> * [${t}]`)));
  const refused = new Set<string>();
  for (let round = 0; round < 4 && rules.length > 0; round++) {
    const head = `${base}\n[Dissemination]\n`;
    writeFileSync(path, head + rules.join('\n') + '\n');
    const check = await mommie(['deploy-check', `specs/${spec}.mom`, path]);
    if (check.exitCode === 0) return { rules: rules.length, refused };
    expect(check.stderr, spec).toMatch(FITTING_REFUSALS);
    const first = head.split('\n').length;
    const bad = new Set([...check.stderr.matchAll(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):\\d+: error (MOM6\\d\\d)`, 'g'))].map((m) => {
      refused.add(m[2]!);
      return Number(m[1]) - first;
    }));
    if (bad.size === 0) return undefined;
    rules = rules.filter((_, i) => !bad.has(i));
  }
  return undefined;
}

/** What deploy-check may refuse a generated plan for: the optimizer does not fit some PUBLISH it covers. */
const FITTING_REFUSALS = /MOM61[6-9]/;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-every-opt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every example under each optimizer (simulated network, drops and duplicates)', () => {
  for (const spec of EXAMPLES) {
    it(`${spec}: each plan deploy-check accepts completes every request, and its logs replay`, async () => {
      const base = readFileSync(join(ROOT, 'specs', `${spec}.deploy`), 'utf8').replace(/\[Dissemination\][\s\S]*$/, '');
      const ran: string[] = [];
      const refused: string[] = [];
      for (const o of optimizers(spec)) {
        const deploy = join(dir, `${spec}-${o.name.replace(/\W/g, '')}.deploy`);
        const plan = await fittingPlan(spec, base, o.rule, deploy);
        if (plan === undefined) {
          refused.push(`${o.name} everywhere`);
          continue;
        }
        if (plan.refused.size > 0) refused.push(`${o.name} for some types (${[...plan.refused].join(', ')})`);
        const logs = join(dir, `${spec}-${o.name.replace(/\W/g, '')}-logs`);
        const r = await mommie(['run', `specs/${spec}.mom`, '--deploy', deploy, '--network', 'sim', '--requests', '4', '--faults', 'drop=0.1,dup=0.1', '--trace', logs, '--json']);
        expect(r.exitCode, `${spec} ${o.name}: ${r.stderr}`).toBe(0);
        const rep = JSON.parse(r.stdout) as { requests: { started: number; completed: number } };
        expect(rep.requests.completed, `${spec} ${o.name}`).toBe(rep.requests.started);
        const replay = await mommie(['replay', `specs/${spec}.mom`, logs]);
        expect(replay.exitCode, `${spec} ${o.name}: ${replay.stdout}`).toBe(0);
        ran.push(o.name);
      }
      console.log(`${spec}: ran ${ran.join(', ')}; refused by deploy-check: ${refused.join(', ') || 'none'}`);
      // BATCH fits every program.
      expect(ran).toContain('BATCH');
    });
  }
});
