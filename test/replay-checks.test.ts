// `mommie replay` no longer takes a log's word (issue 21, items 4-6): real
// runs recorded with `mommie run --network sim --trace`, then edited.
//   fault bounds  which nodes are Byzantine or crashed is the model's (the
//                 run's --model, or replay's), and a Byzantine node publishes
//                 only what its SENDS clause allows, within its BUDGET;
//   invariants    the model's invariants are evaluated on the merged run;
//   fields        event numbers, vector clocks, and the `from` of deliveries;
//   blame         when the merge gets stuck, the first event nothing
//                 explains, not whichever log happens to come first.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mommie } from './helpers/cli.js';
import { consistent, copyRun, editedRun, forgedQuorum, indexOf, readLog, recordOf, threeByzantineProgram, writeLog, type Clock, type Json } from './helpers/trace-edit.js';

const root = mkdtempSync(join(tmpdir(), 'mommie-replay-checks-'));
/** PrimaryBackup, one client (--clients 1), no model: every replica correct. */
let one: string;
/** PrimaryBackup, both clients. */
let two: string;
/** PrimaryBackup under model ByzantineBackup: r4 sends one forged reply. */
let byz: string;
/** specs/PrimaryBackup.mom with one more model, in which three replicas are Byzantine. */
let threeByz: string;

async function record(name: string, extra: readonly string[]): Promise<string> {
  const dir = join(root, name);
  const r = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '--network', 'sim', '--trace', dir, ...extra]);
  expect(r.exitCode, r.stderr).toBe(0);
  return dir;
}

beforeAll(async () => {
  [one, two, byz] = await Promise.all([record('one', ['--clients', '1']), record('two', []), record('byz', ['--model', 'ByzantineBackup'])]);
  threeByz = threeByzantineProgram(root);
}, 120_000);

async function replay(dir: string, extra: readonly string[] = [], program = 'specs/PrimaryBackup.mom'): Promise<{ exitCode: number; error: string; stdout: string }> {
  const r = await mommie(['replay', program, dir, ...extra]);
  return { exitCode: r.exitCode, stdout: r.stdout, error: r.stderr.split('\n').filter((l) => l.includes('error:') || l.startsWith('mommie replay:')).join('\n') };
}

describe('replay checks a run against a model\'s fault bounds (item 4)', () => {
  it('the issue\'s trace: 3 of 4 replicas marked Byzantine and a wrong result accepted is no behaviour of the run', async () => {
    const dir = forgedQuorum(one, root);
    // Without a model every principal is correct: a log may not declare itself Byzantine.
    const none = await replay(dir);
    expect(none.exitCode).toBe(2);
    expect(none.error).toMatch(/r2\.ndjson:1: error: r2's log says it is byzantine, but r2 is correct in the run, which has no model/);
    // ByzantineBackup allows r4 alone.
    const backup = await replay(dir, ['--model', 'ByzantineBackup']);
    expect(backup.exitCode).toBe(2);
    expect(backup.error).toMatch(/r2\.ndjson:1: error: r2's log says it is byzantine, but r2 is correct in model ByzantineBackup/);
  });

  it('within a model that allows it, the wrong result breaks the invariant on the merged run', async () => {
    const dir = forgedQuorum(one, root);
    const c1 = readLog(dir, 'c1.ndjson');
    const accept = indexOf(c1, (e) => e.t === 'Accept');
    const r = await replay(dir, ['--model', 'ThreeByzantine'], threeByz);
    expect(r.exitCode).toBe(2);
    expect(r.error).toMatch(new RegExp(`c1\\.ndjson:${accept + 1}: error: event ${accept} of c1: invariant ValidReplies does not hold after this step`));
  });

  it('takes the run\'s --model by default; a Byzantine node stays within its SENDS and BUDGET', async () => {
    const ok = await replay(byz);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/within the fault bounds of model ByzantineBackup/);
    expect(ok.stdout).toMatch(/invariants: ValidReplies, InOrder hold in every state of the merged run/);
    const r4 = readLog(byz, 'r4.ndjson');
    const first = r4[indexOf(r4, (e) => e.k === 'byz')]!;
    const s = first.s as Json;
    // A second statement of its own: ByzantineBackup gives r4 a budget of 1.
    const other = { ...s, v: (s.v as string[]).length === 1 ? ['c1', 'c2'] : ['c1'] };
    const overBudget = editedRun(byz, root, 'r4.ndjson', (es) => consistent('r4', [...es, { k: 'byz', n: 0, s: other, vc: {} }]));
    const b = await replay(overBudget);
    expect(b.exitCode).toBe(2);
    expect(b.error).toMatch(/r4\.ndjson:3: error: event 2 of r4: r4 publishes a statement of its own beyond its budget: model ByzantineBackup lets it publish 1, and it already published 1/);
    // An Order: ByzantineBackup lets r4 send replies only.
    const order = { i: 'r4', v: ['r1', 'r2', 'r3', 'r4'], a: [], r: { rec: 'Order', f: [{ rec: 'Request', f: ['c1', 0] }, 0] } };
    const notSent = editedRun(byz, root, 'r4.ndjson', (es) => consistent('r4', [es[0]!, { k: 'byz', n: 0, s: order, vc: {} }, ...es.slice(1)]));
    const o = await replay(notSent);
    expect(o.exitCode).toBe(2);
    expect(o.error).toMatch(/r4\.ndjson:2: error: event 1 of r4: model ByzantineBackup does not let r4 send Order to \{r1, r2, r3, r4\}/);
  });

  it('a Byzantine record is checked against its type, not enumerated: PBCounter\'s ByzantineBackup at the deployment\'s constants', async () => {
    // Reply has 1000 x 8000 x 4 values under specs/PBCounter.deploy: too many to list, one membership test each.
    const dir = join(root, 'pbcounter-byz');
    const run = await mommie(['run', 'specs/PBCounter.mom', '--deploy', 'specs/PBCounter.deploy', '--network', 'sim', '--model', 'ByzantineBackup', '--requests', '4', '--trace', dir]);
    expect(run.exitCode, run.stderr).toBe(0);
    const ok = await replay(dir, [], 'specs/PBCounter.mom');
    expect(ok.exitCode, ok.error).toBe(0);
    expect(ok.stdout).toMatch(/1 Byzantine publications\) are a behaviour of PBCounter within the fault bounds of model ByzantineBackup/);
    const r4 = readLog(dir, 'r4.ndjson');
    const i = indexOf(r4, (e) => e.k === 'byz');
    const s = r4[i]!.s as Json;
    const rec = s.r as { rec: string; f: unknown[] };
    // A result outside Val = 0..3, or a sequence number past MaxSeq = 8000.
    const out = rec.rec === 'Reply' ? { ...rec, f: [rec.f[0], rec.f[1], 7] } : { ...rec, f: [rec.f[0], 9000] };
    const bad = await replay(editedRun(dir, root, 'r4.ndjson', (es) => es.map((e, k) => (k === i ? { ...e, s: { ...s, r: out } } : e))), [], 'specs/PBCounter.mom');
    expect(bad.exitCode).toBe(2);
    expect(bad.error).toMatch(new RegExp(`r4\\.ndjson:${i + 1}: error: event 1 of r4: model ByzantineBackup does not let r4 send ${rec.rec} to .*\\(its SENDS clause, with the record's type\\)`));
  });

  it('a node the model crashes takes no step; a correct node\'s log must be there', async () => {
    // CrashedBackup crashes r4, which ran in this run.
    const crashed = await replay(two, ['--model', 'CrashedBackup']);
    expect(crashed.exitCode).toBe(2);
    expect(crashed.error).toMatch(/c2\.ndjson:\d+: error: c2 is crashed from the start in model CrashedBackup, yet its log has a \w+ event: a crashed node takes no step/);
    const unknown = await replay(two, ['--model', 'NoSuchModel']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.error).toMatch(/no model NoSuchModel in PrimaryBackup \(AllCorrect, ByzantineBackup, CrashedBackup, TwoClients\)/);
  });
});

describe('replay checks the fields it used to take on trust (item 5)', () => {
  it('event numbers are contiguous', async () => {
    const r3 = readLog(one, 'r3.ndjson');
    const dir = editedRun(one, root, 'r3.ndjson', (es) => es.map((e, k) => (k === 2 ? { ...e, n: (e.n as number) + 1 } : e)));
    const r = await replay(dir);
    expect(r.exitCode).toBe(2);
    expect(r.error).toMatch(new RegExp(`r3\\.ndjson:3: error: event ${(r3[2]!.n as number) + 1} of r3: event number ${(r3[2]!.n as number) + 1} where 2 comes next`));
  });

  it('a node\'s clock counts its own events and never goes back', async () => {
    const skip = await replay(editedRun(one, root, 'c1.ndjson', (es) => es.map((e, k) => (k === 2 ? { ...e, vc: { ...(e.vc as Clock), c1: 7 } } : e))));
    expect(skip.exitCode).toBe(2);
    expect(skip.error).toMatch(/c1\.ndjson:3: error: event 2 of c1: c1's own entry of its clock is 7 here, but 2 comes next/);
    const c1 = readLog(one, 'c1.ndjson');
    const last = c1.map((e, k) => [e, k] as const).filter(([e]) => e.vc !== undefined && (e.vc as Clock).r1 !== undefined).pop()!;
    const back = await replay(editedRun(one, root, 'c1.ndjson', (es) => es.map((e, k) => (k === last[1] ? { ...e, vc: { ...(e.vc as Clock), r1: 0 } } : e))));
    expect(back.exitCode).toBe(2);
    expect(back.error).toMatch(new RegExp(`c1\\.ndjson:${last[1] + 1}: error: .*c1's clock goes back: its entry for r1 is 0 here`));
    const ahead = await replay(editedRun(one, root, 'c1.ndjson', (es) => es.map((e, k) => (k === last[1] ? { ...e, vc: { ...(e.vc as Clock), r1: 999 } } : e))));
    expect(ahead.exitCode).toBe(2);
    expect(ahead.error).toMatch(/its clock says c1 has seen 999 events of r1, but r1's log has \d+/);
  });

  it('a delivery\'s clock covers its publication\'s', async () => {
    const c1 = readLog(one, 'c1.ndjson');
    // c1's first reply: before it, c1 has only its request, so no entry of the replica's is in its clock yet.
    const i = indexOf(c1, (e) => e.k === 'deliver' && recordOf(e.s) === 'Reply');
    const issuer = String((c1[i]!.s as Json).i);
    expect(c1.slice(1, i).every((e) => (e.vc as Clock | undefined)?.[issuer] === undefined)).toBe(true);
    const dir = editedRun(one, root, 'c1.ndjson', (es) => es.map((e, k) => (k === i ? { ...e, vc: { ...(e.vc as Clock), [issuer]: (e.vc as Clock)[issuer]! - 1 } } : e)));
    const r = await replay(dir);
    expect(r.exitCode).toBe(2);
    expect(r.error).toMatch(new RegExp(`c1\\.ndjson:${i + 1}: error: .*delivery of \\[${issuer} -> c1, NOONE\\] Reply.* with clock \\{.*\\}, which does not cover the clock \\{.*\\} of its publication \\(.*${issuer}\\.ndjson:\\d+\\): a delivery comes after the publication it delivers`));
  });

  it('a delivery comes from its issuer or from a relay the deployment\'s plan allows', async () => {
    const r2 = readLog(one, 'r2.ndjson');
    // The client's request reaches the backups through the primary: OPTIMISTIC(PRIMARY) in the deploy file.
    const relayed = indexOf(r2, (e) => e.k === 'deliver' && recordOf(e.s) === 'Request' && e.from === 'r1');
    const other = await replay(editedRun(one, root, 'r2.ndjson', (es) => es.map((e, k) => (k === relayed ? { ...e, from: 'r3' } : e))));
    expect(other.exitCode).toBe(2);
    expect(other.error).toMatch(new RegExp(`r2\\.ndjson:${relayed + 1}: error: .*r2 received \\[c1 -> r1, r2, r3, r4, NOONE\\] Request\\(client: c1, op: 0\\) from r3, which is neither its issuer nor a relay the deployment's plan gives for c1's Request to r2 \\(OPTIMISTIC\\(r1\\)`));
    const order = indexOf(r2, (e) => e.k === 'deliver' && recordOf(e.s) === 'Order');
    const client = await replay(editedRun(one, root, 'r2.ndjson', (es) => es.map((e, k) => (k === order ? { ...e, from: 'c1' } : e))));
    expect(client.exitCode).toBe(2);
    expect(client.error).toMatch(/from c1, which is neither its issuer nor a relay the deployment's plan gives for r1's Order to r2 \(BATCH\(16, 2ms\) → fallback\)/);
  });

  it('a deploy file other than the run\'s is refused; logs of trace version 1 still replay, with --deploy for relays', async () => {
    const changed = join(root, 'changed.deploy');
    writeFileSync(changed, readFileSync('specs/PrimaryBackup.deploy', 'utf8').replace('Replica.SuspectPrimary = 500ms', 'Replica.SuspectPrimary = 600ms'));
    const other = await replay(one, ['--deploy', changed]);
    expect(other.exitCode).toBe(1);
    expect(other.error).toMatch(/changed\.deploy is not the deploy file the run used: its SHA-256 is [0-9a-f]{64}, the logs record [0-9a-f]{64}/);
    const v1 = copyRun(one, root, 'v1');
    for (const f of ['c1', 'r1', 'r2', 'r3', 'r4']) {
      const es = readLog(v1, `${f}.ndjson`);
      const { deploy: _d, clients: _c, model: _m, ...start } = es[0]!;
      writeLog(v1, `${f}.ndjson`, [{ ...start, version: 1 }, ...es.slice(1)]);
    }
    // Version 1 does not say the run took --clients 1, nor which deploy file.
    const noClients = await replay(v1);
    expect(noClients.exitCode).toBe(2);
    expect(noClients.error).toMatch(/c2\.ndjson: error: no log of c2, which is correct in the run.*logs of trace version 1 do not say which model or --clients the run took/);
    const noDeploy = await replay(v1, ['--model', 'AllCorrect']);
    expect(noDeploy.exitCode).toBe(2);
    expect(noDeploy.error).toMatch(/from r1, not from its issuer c1; whether r1 may relay it is the deployment's \[Dissemination\] plan, and replay has no deployment \(give --deploy FILE\)/);
    const ok = await replay(v1, ['--model', 'AllCorrect', '--deploy', 'specs/PrimaryBackup.deploy']);
    expect(ok.exitCode, ok.error).toBe(0);
  });
});

describe('replay blames the first event nothing explains (item 6)', () => {
  it('a changed issuer is reported where it was changed, not where another log waits for its consequences', async () => {
    const c1 = readLog(one, 'c1.ndjson');
    // A backup whose reply c1 counted: c1 waits for that reply, which waits for the edited request.
    const reply = c1.find((e) => e.k === 'deliver' && recordOf(e.s) === 'Reply' && (e.s as Json).i !== 'r1')!;
    const backup = String((reply.s as Json).i);
    const log = readLog(one, `${backup}.ndjson`);
    const i = indexOf(log, (e) => e.k === 'deliver' && recordOf(e.s) === 'Request');
    const dir = editedRun(one, root, `${backup}.ndjson`, (es) => es.map((e, k) => (k === i ? { ...e, s: { ...(e.s as Json), i: 'c2' }, from: 'c2' } : e)));
    const r = await replay(dir);
    expect(r.exitCode).toBe(2);
    expect(r.error).toMatch(new RegExp(`${backup}\\.ndjson:${i + 1}: error: event \\d+ of ${backup}: delivery of \\[c2 -> r1, r2, r3, r4, NOONE\\] Request\\(client: c1, op: 0\\), which no node published .*; its issuer c2 has no log \\(.*c1\\.ndjson:\\d+ waits for it\\)`));
  });

  it('a missing log is named as missing, not blamed on a delivery of its statements', async () => {
    const dir = copyRun(two, root, 'missing');
    rmSync(join(dir, 'c2.ndjson'));
    expect(existsSync(join(dir, 'c1.ndjson'))).toBe(true);
    const r = await replay(dir);
    expect(r.exitCode).toBe(2);
    expect(r.error).toMatch(/c2\.ndjson: error: no log of c2, which is correct in the run, which has no model/);
  });
});
