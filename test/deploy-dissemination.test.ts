// [Dissemination] rules against the program they deploy (issue 9, the deploy
// side): what deploy-check refuses (a relay that is not a verifier, relaying
// what cannot be passed on, a quorum the program does not give, DIGEST with
// nothing to digest, escalating at once), what it warns about (a rule that
// covers nothing), what it prints, and the plan the runtime reads
// (Deployment.disseminationFor). The refusals' fixtures are under
// test/fixtures/deploy/bad, for specs/PrimaryBackup.mom; deploy.test.ts runs
// every one of them for its code and place, this file reads what they say.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisseminationStep } from '../src/deploy/deployment.js';
import { loadDeployment } from '../src/deploy/load.js';
import { DEFAULT_ESCALATION_MS } from '../src/deploy/optimizers.js';
import { deployment, program } from './helpers/deploy.js';
import { mommie, ROOT } from './helpers/cli.js';

const BAD = join('test', 'fixtures', 'deploy', 'bad');
const FIX = join('test', 'fixtures', 'deploy');


/** Line and column (1-based) of the first occurrence of `needle` in a file of the repository. */
function where(file: string, needle: string): { line: number; column: number } {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  expect(i).toBeGreaterThanOrEqual(0);
  return { line: i + 1, column: lines[i]!.indexOf(needle) + 1 };
}

/** Runs deploy-check on a bad fixture for PrimaryBackup: exit 1, and the first diagnostic's head line. */
async function refused(fixture: string): Promise<{ head: string; stderr: string }> {
  const r = await mommie(['deploy-check', 'specs/PrimaryBackup.mom', join(BAD, fixture)]);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return { head: r.stderr.split('\n')[0]!, stderr: r.stderr };
}

describe('refusals', () => {
  it('has a fixture for each dissemination code', () => {
    const codes = new Set(readdirSync(join(ROOT, BAD)).map((f) => f.split('-')[0]));
    for (const c of ['MOM616', 'MOM617', 'MOM618', 'MOM619']) expect(codes.has(c), c).toBe(true);
  });

  it('MOM617: relaying what PLAINTEXT authenticates, naming the PUBLISH site, the issuers, the verifiers and the mechanism', async () => {
    const { head, stderr } = await refused('MOM617-plaintext-relay.deploy');
    const deploy = join(BAD, 'MOM617-plaintext-relay.deploy');
    const opt = where(deploy, 'OPTIMISTIC(PRIMARY)');
    const pub = where('specs/PrimaryBackup.mom', 'PUBLISH [ME, R, NOONE] Request');
    const auth = where(deploy, 'C <-> R : PLAINTEXT');
    expect(head).toBe(
      `${deploy}:${opt.line}:${opt.column}: error MOM617: OPTIMISTIC(PRIMARY = r1) has r1 relay PUBLISH [ME, R, NOONE] Request (specs/PrimaryBackup.mom:${pub.line}:${pub.column}) from c1, c2 to r2, r3, r4, but PLAINTEXT (line ${auth.line}) authenticates it, and a relay cannot pass that on: the final verifier could not tell the issuer's statement from one the relay made up. Authenticate these pairs with HMAC, ED25519, RSA (HMAC is relayed with a MAC vector: one tag per intended verifier, each computed by the issuer with the key it shares with that verifier), or leave this OPTIMISTIC step out`,
    );
    // The caret sits under the optimizer in the deploy file.
    const lines = stderr.split('\n');
    expect(lines[1]).toContain('C -> R [Request] : OPTIMISTIC(PRIMARY) 200ms;');
    expect(lines[2]!.indexOf('^')).toBe(lines[1]!.indexOf('OPTIMISTIC'));
  });

  it('MOM616: a relay that is not a verifier (replies relayed by the primary)', async () => {
    const { head } = await refused('MOM616-target-not-a-verifier.deploy');
    const pub = where('specs/PrimaryBackup.mom', 'PUBLISH [ME, c, NOONE] Reply');
    expect(head).toContain(`error MOM616: OPTIMISTIC(PRIMARY = r1): r1 is not a verifier of PUBLISH [ME, c, NOONE] Reply (specs/PrimaryBackup.mom:${pub.line}:${pub.column}), which r2, r3, r4 send to c1, c2;`);
    expect(head).toContain('a relay that is not a verifier would learn a statement the program never gives it');
  });

  it('MOM618: DIGEST on a record type that holds no record, naming it and its fields', async () => {
    const { head } = await refused('MOM618-digest-without-references.deploy');
    expect(head).toContain("error MOM618: DIGEST: Request { client: C, op: Op } has no field that is a record, so there is nothing to send by digest: DIGEST sends a field that holds a record, such as Order's m: Request, as the record's digest; leave Request out of this rule");
  });

  it('MOM619: OPTIMISTIC(QUORUM) for a record type no pattern counts in a quorum, naming the rule and the type', async () => {
    const { head } = await refused('MOM619-quorum-without-threshold.deploy');
    const rule = where(join(BAD, 'MOM619-quorum-without-threshold.deploy'), 'R -> R [Order]');
    expect(head).toContain(`error MOM619: OPTIMISTIC(QUORUM) in the rule on line ${rule.line} has no quorum size for Order, PUBLISH [ME, R, NOONE] Order (specs/PrimaryBackup.mom:`);
    expect(head).toContain('no pattern of PROGRAM PrimaryBackup counts a quorum of Order; name the targets instead, e.g. OPTIMISTIC(PRIMARY)');
  });

  it.each([
    ['MOM613-escalation-zero.deploy', 'error MOM613: an escalation timeout of 0ms would escalate at once, so OPTIMISTIC would never be tried; give a positive duration such as 50ms'],
    ['MOM613-escalation-negative.deploy', 'error MOM613: an escalation timeout of -50ms is negative'],
    ['MOM613-batch-window-zero.deploy', 'error MOM613: BATCH: a batch window of 0ms would send every statement alone'],
    ['MOM615-batch-of-zero.deploy', 'error MOM615: BATCH: a batch of 0 statements would never be sent'],
    ['MOM615-batch-escalation.deploy', 'error MOM615: BATCH takes no escalation timeout'],
    ['MOM615-unknown-target.deploy', 'error MOM615: OPTIMISTIC: Replicas is no principal, principal set or constant of PROGRAM PrimaryBackup; a target is QUORUM, a principal, or a set or constant naming principals (C, R, PRIMARY)'],
    ['MOM615-target-not-principals.deploy', 'error MOM615: OPTIMISTIC: constant MaxSeq does not name principals (2)'],
  ])('%s says what is wrong', async (fixture, message) => {
    const { head } = await refused(fixture);
    expect(head).toContain(message);
  });

  it('mommie run refuses the same deploy files before anything runs', async () => {
    const r = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', join(BAD, 'MOM617-plaintext-relay.deploy'), '--network', 'sim']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error MOM617:');
    expect(r.stderr).toContain('is not a deployment of PrimaryBackup');
  });
});

describe('warnings', () => {
  it('MOM632: a rule, or a record type of one, that covers no PUBLISH (and the deployment is still accepted)', async () => {
    const deploy = join(FIX, 'PrimaryBackup-uncovered.deploy');
    const r = await mommie(['deploy-check', 'specs/PrimaryBackup.mom', deploy]);
    expect(r.exitCode).toBe(0);
    const at = (needle: string): string => {
      const w = where(deploy, needle);
      return `${deploy}:${w.line}:${w.column}: warning MOM632: `;
    };
    const order = where('specs/PrimaryBackup.mom', 'PUBLISH [ME, R, NOONE] Order');
    const request = where('specs/PrimaryBackup.mom', 'PUBLISH [ME, R, NOONE] Request');
    const first = where(deploy, 'C -> R [Request]');
    expect(r.stderr).toContain(`${at('C -> R [Order]')}this rule covers no PUBLISH of PROGRAM PrimaryBackup, so it has no effect: c1, c2 publish no Order (Replica publishes it, at specs/PrimaryBackup.mom:${order.line}:${order.column})`);
    expect(r.stderr).toContain(`${at('R -> R [Order, Request]')}Request in this rule covers no PUBLISH of PROGRAM PrimaryBackup: r1, r2, r3, r4 publish no Request (Client publishes it, at specs/PrimaryBackup.mom:${request.line}:${request.column})`);
    expect(r.stderr).toContain(`${at('C -> * :')}this rule covers no PUBLISH of PROGRAM PrimaryBackup, so it has no effect: the rule on line ${first.line} comes first for Request`);
    expect(r.stderr).toContain(`${at('R -> R [Reply]')}this rule covers no PUBLISH of PROGRAM PrimaryBackup, so it has no effect: Reply goes to c1, c2, none of them among the rule's verifiers (r1, r2, r3, r4)`);
    expect(r.stderr).toContain('accepted for specs/PrimaryBackup.mom: 0 errors, 4 warnings');
    // The first rule in file order is the one that applies.
    const d = deployment('specs/PrimaryBackup.mom', deploy);
    expect(d.disseminationFor('c1', 'Request')!.rule.span.start).toBe(d.dissemination[0]!.span.start);
    expect(d.disseminationFor('c1', 'Request')!.text).toBe('OPTIMISTIC(r1) 200ms → fallback');
  });

  it('the examples have none', async () => {
    for (const s of ['PBCounter', 'PBFTCounter', 'PrimaryBackup', 'PBFTNormal', 'BrachaBroadcast']) {
      const r = await mommie(['deploy-check', `specs/${s}.mom`, `specs/${s}.deploy`]);
      expect(r.exitCode, s).toBe(0);
      expect(r.stderr, s).not.toContain('MOM632');
    }
  });
});

describe('the plan (Deployment.disseminationFor)', () => {
  it('PBCounter: OPTIMISTIC(QUORUM) for requests is 3 of the replicas (PROGRESS [R >= 3, ME, NOONE] Reply)', () => {
    const d = deployment('specs/PBCounter.mom', join(FIX, 'PBCounter-quorum.deploy'));
    const request = d.disseminationFor('c1', 'Request')!;
    expect(request.verifiers).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(request.steps).toEqual<DisseminationStep[]>([{ kind: 'OPTIMISTIC', targets: 'QUORUM', quorum: 3, quorumFrom: ['r1', 'r2', 'r3', 'r4'], escalationMs: 100 }]);
    expect(request.text).toBe('OPTIMISTIC(QUORUM=3) 100ms → fallback');
    expect(d.disseminationFor('c8', 'Request')).toEqual(request);
    // No escalation timeout written: the default.
    expect(d.disseminationFor('r2', 'Order')!.steps).toEqual<DisseminationStep[]>([
      { kind: 'OPTIMISTIC', targets: ['r1'], escalationMs: DEFAULT_ESCALATION_MS },
      { kind: 'BATCH', count: 16, windowMs: 2 },
    ]);
    expect(DEFAULT_ESCALATION_MS).toBe(200);
    // No rule for replies, nor for clients' orders: plain unicast.
    expect(d.disseminationFor('r1', 'Reply')).toBeUndefined();
    expect(d.disseminationFor('c1', 'Order')).toBeUndefined();
    expect(d.disseminationFor('nobody', 'Request')).toBeUndefined();
  });

  it('PBFTCounter: prepares 2F of the backups, commits 2F+1 of the replicas, requests F+1 after the primary', () => {
    const d = deployment('specs/PBFTCounter.mom', join(FIX, 'PBFTCounter-quorum.deploy'));
    expect(d.disseminationFor('r3', 'Prepare')!.steps).toEqual<DisseminationStep[]>([
      { kind: 'OPTIMISTIC', targets: 'QUORUM', quorum: 2, quorumFrom: ['r2', 'r3', 'r4'], escalationMs: 30 },
      { kind: 'DIGEST' },
      { kind: 'BATCH', count: 8, windowMs: 1 },
    ]);
    expect(d.disseminationFor('r1', 'Commit')!.steps[0]).toEqual({ kind: 'OPTIMISTIC', targets: 'QUORUM', quorum: 3, quorumFrom: ['r1', 'r2', 'r3', 'r4'], escalationMs: 30 });
    expect(d.disseminationFor('c2', 'Request')!.steps).toEqual<DisseminationStep[]>([
      { kind: 'OPTIMISTIC', targets: ['r1'], escalationMs: 50 },
      { kind: 'OPTIMISTIC', targets: 'QUORUM', quorum: 2, quorumFrom: ['r1', 'r2', 'r3', 'r4'], escalationMs: 100 },
    ]);
    // A rule for r1 alone, with its own verifiers.
    const pp = d.disseminationFor('r1', 'PrePrepare')!;
    expect(pp.verifiers).toEqual(['r2', 'r3', 'r4']);
    expect(pp.steps).toEqual([{ kind: 'OPTIMISTIC', targets: ['r2'], escalationMs: 20 }]);
    expect(d.disseminationFor('r2', 'PrePrepare')).toBeUndefined();
  });

  it("the examples' own rules: the primary first for requests, digests for prepares and commits", () => {
    const pb = deployment('specs/PBCounter.mom', 'specs/PBCounter.deploy');
    expect(pb.disseminationFor('c5', 'Request')!.steps).toEqual([{ kind: 'OPTIMISTIC', targets: ['r1'], escalationMs: 200 }]);
    const pbft = deployment('specs/PBFTCounter.mom', 'specs/PBFTCounter.deploy');
    expect(pbft.disseminationFor('r2', 'Commit')!.steps).toEqual([{ kind: 'DIGEST' }]);
    expect(pbft.disseminationFor('r2', 'Prepare')!.text).toBe('DIGEST → fallback');
  });

  describe('rules written in the test', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'mommie-dissemination-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const nodes = readFileSync(join(ROOT, 'specs', 'PBFTCounter.deploy'), 'utf8').split('[Dissemination]')[0]!;
    const load = (name: string, rules: string): ReturnType<typeof loadDeployment> => {
      const path = join(dir, `${name}.deploy`);
      writeFileSync(path, `${nodes}[Dissemination]\n${rules}\n`);
      return loadDeployment(path, program('specs/PBFTCounter.mom'));
    };

    it('a rule without types covers every type; DIGEST is left out of the plans of types that hold no record', () => {
      const r = load('every-type', 'R -> * : DIGEST; BATCH(4, 1ms)');
      expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
      const d = r.deployment!;
      expect(d.disseminationFor('r1', 'PrePrepare')!.steps).toEqual([{ kind: 'DIGEST' }, { kind: 'BATCH', count: 4, windowMs: 1 }]);
      expect(d.disseminationFor('r1', 'Reply')!.steps).toEqual([{ kind: 'BATCH', count: 4, windowMs: 1 }]);
      expect(d.disseminationFor('r1', 'Reply')!.verifiers).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'r1', 'r2', 'r3', 'r4']);
    });

    it('DIGEST on a rule without types whose statements hold no record is MOM618', () => {
      const r = load('no-references', 'R -> C : DIGEST');
      expect(r.ok).toBe(false);
      expect(r.diagnostics.map((x) => x.code)).toEqual(['MOM618']);
      expect(r.diagnostics[0]!.message).toContain('none of the record types this rule covers has a field that is a record (Reply { reqId: ReqId, seqNo: Seq, res: Val })');
    });

    it('a set of records is no field that holds a record: DIGEST on PBFTBatched\'s batches is MOM618 (the wire digests record fields only, so it would send nothing by digest)', () => {
      const batched = readFileSync(join(ROOT, 'specs', 'PBFTBatched.deploy'), 'utf8').split('[Dissemination]')[0]!;
      const path = join(dir, 'batched-digest.deploy');
      writeFileSync(path, `${batched}[Dissemination]\nR -> R [PrePrepare, Prepare, Commit] : DIGEST;\n`);
      const r = loadDeployment(path, program('specs/PBFTBatched.mom'));
      expect(r.ok).toBe(false);
      expect(r.diagnostics.filter((x) => x.severity === 'error').map((x) => x.code)).toEqual(['MOM618', 'MOM618', 'MOM618']);
      expect(r.diagnostics[0]!.message).toContain('PrePrepare { seqNo: Seq, batch: SET OF Slot } has no field that is a record');
    });

    it('a signature or a MAC vector can be relayed; a target may be a set, and the issuer among the targets relays nothing', () => {
      const r = load('relays', 'C -> R [Request] : OPTIMISTIC(R) 10ms\nR -> R [Commit] : OPTIMISTIC(PRIMARY) 10ms');
      expect(r.diagnostics).toEqual([]);
      expect(r.deployment!.disseminationFor('c1', 'Request')!.steps).toEqual([{ kind: 'OPTIMISTIC', targets: ['r1', 'r2', 'r3', 'r4'], escalationMs: 10 }]);
      expect(r.deployment!.disseminationFor('r1', 'Commit')!.steps).toEqual([{ kind: 'OPTIMISTIC', targets: ['r1'], escalationMs: 10 }]);
    });

    it('BATCH or DIGEST twice in a rule is MOM615', () => {
      const r = load('twice', 'R -> R [Commit] : BATCH(4, 1ms); DIGEST; BATCH(8, 1ms)');
      expect(r.diagnostics.map((x) => [x.code, x.message])).toEqual([['MOM615', 'BATCH appears twice in this rule; it applies to every step of the rule, so give it once']]);
    });

    it('a verifier a bound name may denote is a target deploy-check accepts', () => {
      // Replies go to cm.m.client, which may be any client: c1 is among the verifiers.
      const r = load('reply-relay', 'R -> C [Reply] : OPTIMISTIC(c1)');
      expect(r.diagnostics).toEqual([]);
      expect(r.deployment!.disseminationFor('r2', 'Reply')!.steps).toEqual([{ kind: 'OPTIMISTIC', targets: ['c1'], escalationMs: 200 }]);
    });

    it('thresholds are evaluated with the deploy file\'s [Constants]', () => {
      const quorum = (rules: string, constants: string): DisseminationStep | undefined => {
        const path = join(dir, 'constants.deploy');
        writeFileSync(path, `${nodes.replace('MaxSeq = 8000', `MaxSeq = 8000\n${constants}`)}[Dissemination]\n${rules}\n`);
        const r = loadDeployment(path, program('specs/PBFTCounter.mom'));
        expect(r.diagnostics).toEqual([]);
        return r.deployment!.disseminationFor('c1', 'Request')!.steps[0];
      };
      // PROGRESS [R >= F + 1, ME, NOONE] Reply
      expect(quorum('C -> R [Request] : OPTIMISTIC(QUORUM)', '')).toMatchObject({ quorum: 2 });
      expect(quorum('C -> R [Request] : OPTIMISTIC(QUORUM)', 'F = 0')).toMatchObject({ quorum: 1 });
    });
  });
});

describe('deploy-check prints the plan', () => {
  it('after the mechanism of each PUBLISH, and in --json', async () => {
    const deploy = join(FIX, 'PBFTCounter-quorum.deploy');
    const r = await mommie(['deploy-check', 'specs/PBFTCounter.mom', deploy]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('PUBLISH [ME, R, *] Request  c1, c2, c3, c4, c5, c6, c7, c8 -> r1, r2, r3, r4: ED25519  then OPTIMISTIC(r1) 50ms → OPTIMISTIC(QUORUM=2) 100ms → fallback\n');
    expect(r.stdout).toContain('PUBLISH [ME, R, *] Prepare  r1, r2, r3, r4 -> r1, r2, r3, r4: ED25519  then OPTIMISTIC(QUORUM=2) 30ms → DIGEST → BATCH(8, 1ms) → fallback\n');
    expect(r.stdout).toContain('PUBLISH [ME, R, NOONE] Commit  r1, r2, r3, r4 -> r1, r2, r3, r4: HMAC  then OPTIMISTIC(QUORUM=3) 30ms → DIGEST → BATCH(8, 1ms) → fallback\n');
    // A plan for some of the issuers says whose.
    expect(r.stdout).toContain('PUBLISH [ME, R, *] PrePrepare  r1, r2, r3, r4 -> r1, r2, r3, r4: ED25519  then r1 -> r2, r3, r4: OPTIMISTIC(r2) 20ms → fallback\n');
    // Replies follow no rule.
    expect(r.stdout).toMatch(/PUBLISH \[ME, cm\.m\.client, NOONE\] Reply {2}r1, r2, r3, r4 -> c1, c2, c3, c4, c5, c6, c7, c8: HMAC$/m);

    const j = await mommie(['deploy-check', '--json', 'specs/PBFTCounter.mom', deploy]);
    const report = JSON.parse(j.stdout) as { sites: { kind: string; text: string; dissemination: { issuers: string[]; verifiers: string[]; rule: string; steps: DisseminationStep[]; text: string }[] }[] };
    const commit = report.sites.find((s) => s.kind === 'publish' && s.text.startsWith('PUBLISH [ME, R, NOONE] Commit'))!;
    const rule = where(deploy, 'R -> R [Prepare, Commit]');
    expect(commit.dissemination).toEqual([
      {
        issuers: ['r1', 'r2', 'r3', 'r4'],
        verifiers: ['r1', 'r2', 'r3', 'r4'],
        rule: `${deploy}:${rule.line}`,
        steps: [
          { kind: 'OPTIMISTIC', targets: 'QUORUM', quorum: 3, quorumFrom: ['r1', 'r2', 'r3', 'r4'], escalationMs: 30 },
          { kind: 'DIGEST' },
          { kind: 'BATCH', count: 8, windowMs: 1 },
        ],
        text: 'OPTIMISTIC(QUORUM=3) 30ms → DIGEST → BATCH(8, 1ms) → fallback',
      },
    ]);
    expect(report.sites.find((s) => s.text.includes('Reply'))!.dissemination).toEqual([]);
  });

  it("the examples: the primary first for PBCounter's requests", async () => {
    const r = await mommie(['deploy-check', 'specs/PBCounter.mom', 'specs/PBCounter.deploy']);
    expect(r.stdout).toContain('PUBLISH [ME, R, NOONE] Request  c1, c2, c3, c4, c5, c6, c7, c8 -> r1, r2, r3, r4: HMAC  then OPTIMISTIC(r1) 200ms → fallback\n');
  });
});
