// `mommie refine`: the composed module's text (always), the command's
// refusals (always), and with TLC: a composed model that refines, a planted
// bug found through wire steps with its counterexample in both terms, the
// module-level checks with their negative controls, a model too large for
// its limit, and the JSON, JUnit and HTML reports. Without TLC the TLC
// tests are skipped with a message.

import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import { loadDeployment } from '../src/deploy/load.js';
import { compose } from '../src/refine/compose.js';
import { deploymentUses, MODULE_CHECKS } from '../src/refine/modules.js';
import { refineReportCodec, type RefineReport } from '../src/refine/result.js';
import { translate } from '../src/tla/module.js';
import { runTlcProcess } from '../src/tlc/run.js';
import { runSany, formatSanyErrors } from '../src/tlc/sany.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { findBrowser, launch, openReport } from './helpers/browser.js';
import { mommie, ROOT } from './helpers/cli.js';

const tlc = await resolveTlc();
const hasTlc = isRight(tlc);
if (!hasTlc) console.log(`SKIPPED: mommie refine under TLC did not run: ${isLeft(tlc) ? tlc.left.message : ''}`);
const browserFound = findBrowser();
if (hasTlc && !browserFound.ok) console.log(`SKIPPED: the refine HTML report was not opened in a browser: ${browserFound.reason}`);

const dir = mkdtempSync(join(tmpdir(), 'mommie-refine-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TTP_PROGRAM = 'test/fixtures/ttp/AttestedCounter.mom';
const TTP_DEPLOY = 'test/fixtures/ttp/AttestedCounter.deploy';

/** AttestedCounter.deploy with ED25519 for the auditable statements (auditors R, and C: restricted sets) instead of the TTP. */
function edDeploy(): string {
  const file = join(dir, 'AttestedCounter-ed25519.deploy');
  const text = readFileSync(join(ROOT, TTP_DEPLOY), 'utf8')
    .replace('C -> R : TTP(t)', 'C -> R : ED25519')
    .replace('R -> C : TTP(t)', 'R -> C : ED25519')
    .replace(/^t {2}= .*$/m, '')
    .replace('C, R <-> t : HMAC', '');
  writeFileSync(file, text);
  return file;
}

/** AttestedCounter with the client's quorum planted too small (1 reply instead of 3) and a safety-only Byzantine model. */
function plantedQuorumBug(): string {
  const file = join(dir, 'AttestedCounterSmallQuorum.mom');
  const text = readFileSync(join(ROOT, TTP_PROGRAM), 'utf8')
    .replace('WHEN [R >= 3, ME, C] Reply rep', 'WHEN [R >= 1, ME, C] Reply rep')
    .replace('BYZANTINE r4 SENDS Reply TO {c1} AUDIT C, Order TO {r2} BUDGET 1', 'BYZANTINE r4 SENDS Reply TO {c1} AUDIT C, Order TO {r2} BUDGET 1\n  CHECK ValidReplies, SameState, InOrder');
  if (!text.includes('[R >= 1, ME, C]') || !text.includes('CHECK ValidReplies')) throw new Error('the fixture changed: the planted bug no longer applies');
  writeFileSync(file, text);
  return file;
}

function composed(program: string, deploy: string, model: string) {
  const fe = checkFile(join(ROOT, program));
  if (fe.program === undefined) throw new Error(`${program} does not check`);
  const d = loadDeployment(deploy.startsWith('/') ? deploy : join(ROOT, deploy), fe.program, fe.source);
  if (d.deployment === undefined) throw new Error(`${deploy} does not load`);
  const tla = translate(fe.program, fe.source, { models: [model] });
  const c = compose({ program: fe.program, deployment: d.deployment, model, modelConfig: tla.files.get(`MC_${tla.moduleName}_${model}.cfg`)! });
  return { c, tla, program: fe.program, deployment: d.deployment };
}

function decode(stdout: string): RefineReport {
  const r = refineReportCodec.decode(JSON.parse(stdout));
  if (isLeft(r)) throw new Error('the --json report does not decode');
  return r.right;
}

describe('the composed module', () => {
  it('routes the deployment\'s OPTIMISTIC plan, checks HMAC, and checks the refinement instead of symmetry', () => {
    const { c } = composed('specs/PrimaryBackup.mom', 'specs/PrimaryBackup.deploy', 'TwoClients');
    expect(c.moduleName).toBe('Refine_PrimaryBackup_TwoClients');
    expect(c.module).toContain('EXTENDS MC_PrimaryBackup_TwoClients, Sequences, TLC');
    // Clients' requests go to the primary r1 and are relayed; the plan covers the replicas.
    expect(c.module).toMatch(/\(i__ \\in \{c1, c2\} \/\\ ty__ = "Request"\) -> \[cov \|-> \{r1, r2, r3, r4\}, steps \|-> <<\[q \|-> 0, t \|-> \{r1\}, from \|-> <<>>\]>>\]/);
    expect(c.module).toContain('<<c1, r1>> :> [k |-> "HMAC", ttp |-> ""]');
    // Every transition of the program fires through the wire.
    for (const t of ['Client_Submit', 'Replica_Execute']) expect(c.module).toContain(`W_Fire_${t}(n__) == ${t}(n__) /\\ W_SendNew(n__)`);
    expect(c.mechanisms).toEqual(['HMAC']);
    expect(c.plans).toEqual(['Request: OPTIMISTIC(r1) 200ms → fallback']);
    expect(c.moduleLevelOnly).toEqual(['BATCH']);
    expect(c.config).toContain('SPECIFICATION W_Spec');
    expect(c.config).toContain('PROPERTY AbstractSafety');
    expect(c.config).toContain('PROPERTY ClientsServed');
    expect(c.config).not.toContain('SYMMETRY');
  });

  it('a deployment with signatures and DIGEST: SIG where auditors are everyone, DIGEST left to its module check', () => {
    const { c } = composed('specs/PBFTNormal.mom', 'specs/PBFTNormal.deploy', 'CrashedBackup');
    expect(c.mechanisms).toEqual(['HMAC', 'SIG']);
    expect(c.moduleLevelOnly).toEqual(['DIGEST']);
  });

  it('selects the module-level checks of the mechanisms and optimizers a deployment uses, controls included', () => {
    const { program, deployment } = composed('specs/PrimaryBackup.mom', 'specs/PrimaryBackup.deploy', 'CrashedBackup');
    const uses = deploymentUses(deployment, [...program.principalSets.values()].flat());
    const chosen = MODULE_CHECKS.filter((m) => m.appliesTo(uses)).map((m) => m.config);
    expect(chosen).toEqual(['HmacImpl.cfg', 'RelayPrimaryImpl.cfg', 'RelayPrimaryImpl_FaultyClient.cfg', 'BatchImpl.cfg', 'NegHmacAnyKey.cfg', 'NegHmacAudit_Vector.cfg', 'NegHmacAudit_Forge.cfg', 'NegRelayPlaintext.cfg', 'NegRelayPrimaryMac.cfg', 'NegBatchOneMember.cfg']);
    // Every committed model of refinement/ is in the catalogue.
    const cfgs = new Set(MODULE_CHECKS.map((m) => m.config));
    for (const f of ['PlaintextImpl.cfg', 'SignatureImpl.cfg', 'TtpImpl.cfg', 'QuorumImpl.cfg', 'DigestImpl.cfg', 'NegQuorumNoLazy.cfg', 'NegDigestUnchecked.cfg', 'NegDigestUncheckedLiveness.cfg']) expect(cfgs.has(f), f).toBe(true);
  });

  it('a TTP deployment and signatures for a restricted auditor set: each resolved by the deployment\'s rule, and their module checks selected', () => {
    const { c, program, deployment } = composed(TTP_PROGRAM, TTP_DEPLOY, 'AllCorrect');
    // The client's request (auditable by R) and the replica's reply (auditable by C) go through t.
    expect(c.mechanisms).toEqual(['HMAC', 'TTP']);
    expect(c.module).toContain('c1 :> <<[all |-> FALSE, aud |-> {r1, r2, r3, r4}, k |-> "TTP", ttp |-> "t", clients |-> {c1, c2, r1, r2, r3, r4}]>>');
    expect(c.module).toContain('[] k__.k = "TTP" -> m__.mk = k__.ttp');
    expect(c.module).toContain('ASSUME W_ResolutionAgrees');
    const uses = deploymentUses(deployment, [...program.principalSets.values()].flat());
    expect(MODULE_CHECKS.filter((m) => m.appliesTo(uses)).map((m) => m.config)).toEqual(['HmacImpl.cfg', 'TtpImpl.cfg', 'NegHmacAnyKey.cfg', 'NegTtpUnbound.cfg', 'NegTtpAnyRequester.cfg', 'NegHmacAudit_Vector.cfg', 'NegHmacAudit_Forge.cfg']);
    const ed = composed(TTP_PROGRAM, edDeploy(), 'AllCorrect');
    expect(ed.c.mechanisms).toEqual(['HMAC', 'SIG']);
    expect(ed.c.module).toContain('c1 :> <<[all |-> FALSE, aud |-> {r1, r2, r3, r4}, k |-> "SIG", ttp |-> "", clients |-> {}]>>');
    const edUses = deploymentUses(ed.deployment, [...ed.program.principalSets.values()].flat());
    expect(MODULE_CHECKS.filter((m) => m.appliesTo(edUses)).map((m) => m.config)).toContain('SignatureImpl.cfg');
  });

  it.skipIf(!hasTlc)("TLC refuses a composed module whose TLA+ resolution rule disagrees with the deployment's (a tampered table)", async () => {
    if (!isRight(tlc)) return;
    const { c, tla } = composed(TTP_PROGRAM, TTP_DEPLOY, 'AllCorrect');
    const out = mkdtempSync(join(dir, 'tampered-'));
    for (const [f, text] of tla.files) writeFileSync(join(out, f), text);
    const tampered = c.module.replace('<<c1, r1>> :> [k |-> "HMAC", ttp |-> ""]', '<<c1, r1>> :> [k |-> "SIG", ttp |-> ""]');
    expect(tampered).not.toBe(c.module);
    writeFileSync(join(out, `${c.moduleName}.tla`), tampered);
    writeFileSync(join(out, `${c.moduleName}.cfg`), c.config);
    const run = await runTlcProcess({ java: tlc.right.java, jar: tlc.right.jar }, { cwd: out, module: c.moduleName, config: `${c.moduleName}.cfg`, metadir: join(out, 'meta'), timeoutMs: 120_000 });
    if (isLeft(run.parsed)) throw new Error(run.parsed.left.message);
    expect(run.parsed.right.findings.map((f) => f.kind)).toEqual(['assumption']);
  }, 180_000);

  it.skipIf(!hasTlc)('SANY accepts the composed module of every example', async () => {
    if (!isRight(tlc)) return;
    const tools = { java: tlc.right.java, jar: tlc.right.jar };
    for (const name of ['PrimaryBackup', 'BrachaBroadcast', 'PBCounter', 'PBFTNormal', 'PBFTCounter', 'PBFTBatched']) {
      const fe = checkFile(join(ROOT, 'specs', `${name}.mom`));
      const model = [...fe.program!.models.keys()][0]!;
      const { c, tla } = composed(`specs/${name}.mom`, `specs/${name}.deploy`, model);
      const out = mkdtempSync(join(dir, `sany-${name}-`));
      for (const [f, text] of tla.files) writeFileSync(join(out, f), text);
      writeFileSync(join(out, `${c.moduleName}.tla`), c.module);
      const r = await runSany(tools, out, [`${c.moduleName}.tla`]);
      if (isLeft(r)) throw new Error(`${name}: ${r.left.kind === 'rejected' ? formatSanyErrors(r.left.errors) : r.left.message}`);
    }
  }, 120_000);
});

describe('mommie refine refuses what it cannot check', () => {
  it('needs --deploy', async () => {
    const r = await mommie(['refine', 'specs/PrimaryBackup.mom']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('give the deployment with --deploy FILE');
  });

  it('a deployment deploy-check refuses is not composed', async () => {
    const bad = join(dir, 'plaintext-relay.deploy');
    const text = readFileSync(join(ROOT, 'specs/PrimaryBackup.deploy'), 'utf8').replace('C <-> R : HMAC', 'C <-> R : PLAINTEXT');
    writeFileSync(bad, text);
    const r = await mommie(['refine', 'specs/PrimaryBackup.mom', '--deploy', bad]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('is refused by deploy-check');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown model, and a report file that is not its own', async () => {
    const m = await mommie(['refine', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '-m', 'Nope']);
    expect(m.exitCode).toBe(1);
    expect(m.stderr).toContain('no model Nope; the models are AllCorrect, ByzantineBackup, CrashedBackup, TwoClients');
    const mine = join(dir, 'mine.xml');
    writeFileSync(mine, 'my notes');
    const r = await mommie(['refine', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '--reporter', 'junit', '-o', mine]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('is not an earlier mommie refine report; pass --force');
    expect(readFileSync(mine, 'utf8')).toBe('my notes');
  });
});

describe.skipIf(!hasTlc)('mommie refine under TLC', () => {
  it('PrimaryBackup/CrashedBackup composed with its deployment refines the program, liveness included', async () => {
    const r = await mommie(['refine', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '-m', 'CrashedBackup', '--composed-only', '--json', '-q'], { timeoutMs: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = decode(r.stdout);
    expect(report.checks).toHaveLength(1);
    const c = report.checks[0]!;
    expect(c).toMatchObject({ kind: 'composed', name: 'PrimaryBackup/CrashedBackup', verdict: 'pass', violated: null });
    expect(c.properties).toEqual(['TypeOK', 'ValidReplies', 'InOrder', 'ClientsServed', 'AbstractSafety']);
    // The wire adds states to the abstract model's 323: relays, escalations, items in flight.
    expect(c.distinct!).toBeGreaterThan(323);
    expect(c.bounds).toContain('CRASH {c2, r4}');
    // Every property held, from a complete search; every transition fired, the antecedent held.
    expect(c.outcomes.map((o) => `${o.name}:${o.status}`)).toEqual(['TypeOK:holds', 'ValidReplies:holds', 'InOrder:holds', 'AbstractSafety:holds', 'ClientsServed:holds']);
    const fired = new Map(c.coverage!.map((x) => [`${x.kind} ${x.name}`, x.fired]));
    for (const t of ['Client.Submit', 'Client.Accept', 'Replica.Assign', 'Replica.Execute', 'Replica.SuspectPrimary']) expect(fired.get(`transition ${t}`), t).toBeGreaterThan(0);
    expect(fired.get('antecedent ClientsServed')).toBeGreaterThan(0);
    expect(fired.get('wire Byzantine publications')).toBe(0);
    expect(c.warnings).toEqual([]);
    expect(decode(r.stdout).notChecked).toEqual([expect.stringMatching(/^the module-level checks \(--composed-only\)/)]);
  }, 300_000);

  it('a vacuous pass is flagged: a transition never enabled and a leads-to property whose antecedent never held', async () => {
    const vacuous = join(dir, 'PrimaryBackupVacuous.mom');
    const text = readFileSync(join(ROOT, 'specs/PrimaryBackup.mom'), 'utf8')
      // The client accepts only before it has submitted: never, since a reply needs a request.
      .replace('WHEN [R >= 3, ME, NOONE] Reply r\n', 'WHEN [R >= 3, ME, NOONE] Reply r\n    IF submitted == {}\n')
      .replace('MODEL CrashedBackup {', 'PROPERTY AnsweredUnasked:\n  FORALL c IN C INTER CORRECT : (c.submitted == {} AND c.accepted != {}) ~> (c.submitted != {})\n\nMODEL CrashedBackup {\n  CHECK ValidReplies, InOrder, AnsweredUnasked');
    if (!text.includes('IF submitted == {}') || !text.includes('CHECK ValidReplies, InOrder, AnsweredUnasked')) throw new Error('specs/PrimaryBackup.mom changed: the fixture no longer applies');
    writeFileSync(vacuous, text);
    const r = await mommie(['refine', vacuous, '--deploy', 'specs/PrimaryBackup.deploy', '-m', 'CrashedBackup', '--composed-only', '--json', '-q'], { timeoutMs: 300_000 });
    // Every property holds, so the verdict stands; the warnings say why it is worth little.
    expect(r.exitCode, r.stderr).toBe(0);
    const c = decode(r.stdout).checks[0]!;
    expect(c.verdict).toBe('pass');
    expect(c.warnings).toEqual([
      expect.stringMatching(/^transition Client\.Accept was never enabled in the [\d,]+ states reached$/),
      expect.stringMatching(/^PROPERTY AnsweredUnasked holds vacuously: its antecedent never held in the [\d,]+ states reached$/),
    ]);
    expect(c.coverage!.find((x) => x.kind === 'transition' && x.name === 'Client.Accept')!.fired).toBe(0);
    expect(c.coverage!.find((x) => x.kind === 'transition' && x.name === 'Client.Submit')!.fired).toBeGreaterThan(0);
    const text2 = await mommie(['refine', vacuous, '--deploy', 'specs/PrimaryBackup.deploy', '-m', 'CrashedBackup', '--composed-only', '-q'], { timeoutMs: 300_000 });
    expect(text2.stdout).toMatch(/Client\.Accept\s+never/);
    expect(text2.stdout).toContain('warning:     transition Client.Accept was never enabled');
    expect(text2.stdout).toMatch(/1 checks: 1 as expected; 1 with vacuity warnings/);
  }, 600_000);

  it('a Byzantine reply accepted by a quorum too small: the adversary\'s item, in both terms', async () => {
    const r = await mommie(['refine', 'specs/buggy/PrimaryBackupSmallQuorum.mom', '--deploy', 'specs/buggy/PrimaryBackupSmallQuorum.deploy', '--composed-only', '--json', '-q'], { timeoutMs: 300_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    const c = decode(r.stdout).checks[0]!;
    expect(c).toMatchObject({ verdict: 'fail', violated: 'ValidReplies' });
    const steps = c.counterexample!.steps;
    expect(steps.map((s) => s.mommie.split(' ')[0])).toEqual(['Byzantine', 'Deliver', 'Fire']);
    // The reply reached c1 from the Byzantine replica itself, not over a correct node's link.
    expect(steps[1]!.arrows[0]).toMatchObject({ kind: 'deliver', from: 'Byzantine', to: 'c1', forged: false });
    expect(steps[1]!.wire[0]).toMatch(/^a Byzantine node → c1: \[r4, c1, NOONE\] Reply/);
    expect(steps[2]!.mommie).toBe('Fire Client.Accept at c1');
  }, 300_000);

  it('a crashed primary: the optimistic route, its escalation and the deliveries, as a lasso in text, JSON, JUnit and HTML', async () => {
    const args = ['refine', 'specs/buggy/PrimaryBackupCrashedPrimary.mom', '--deploy', 'specs/buggy/PrimaryBackupCrashedPrimary.deploy', '--composed-only', '-q'];
    const junit = join(dir, 'bug.xml');
    const html = join(dir, 'bug.html');
    const r = await mommie([...args, '--json', '--reporter', 'junit', '-o', junit], { timeoutMs: 300_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    const c = decode(r.stdout).checks[0]!;
    expect(c).toMatchObject({ verdict: 'fail', violated: 'ClientsServed' });
    const cex = c.counterexample!;
    expect(cex.loopsTo).not.toBeNull();
    const steps = cex.steps;
    // Every step is a step of the abstract pool: a Fire of a transition the program has, a Deliver, or the wire alone.
    for (const s of steps) expect(s.mommie).toMatch(/^(Fire (Client|Replica)\.\w+ at \w+|Deliver \[.*\] .* to \w+|stutter \(the wire only\))/);
    // The request goes to the primary first, asking it to relay; the escalation sends it to the others directly.
    expect(steps[0]!.mommie).toMatch(/^Fire Client\.Submit at c1, publishing \[c1, \{r1, r2, r3, r4\}, NOONE\] Request/);
    expect(steps[0]!.wire).toEqual([expect.stringMatching(/^c1 → r1: .* \(authenticator by c1; relay to r2, r3, r4\)$/)]);
    const escalation = steps.find((s) => s.mommie === 'stutter (the wire only)');
    expect(escalation?.arrows.map((a) => `${a.from}>${a.to}`).sort()).toEqual(['c1>r2', 'c1>r3', 'c1>r4']);
    const delivered = steps.filter((s) => s.mommie.startsWith('Deliver'));
    expect(delivered.length).toBeGreaterThan(0);
    for (const s of delivered) expect(s.arrows[0]).toMatchObject({ kind: 'deliver', from: 'c1', to: s.actor });
    // The crashed primary never takes a step.
    expect(steps.some((s) => s.actor === 'r1')).toBe(false);
    // Text.
    const text = await mommie(args, { timeoutMs: 300_000 });
    expect(text.stdout).toContain('✗  composed  PrimaryBackupCrashedPrimary/CrashedPrimary');
    expect(text.stdout).toMatch(/counterexample \(\d+ steps, then (stuttering there|back to state \d+) forever\)/);
    expect(text.stdout).toContain('wire: r2 accepts [c1, {r1, r2, r3, r4}, NOONE] Request(client = c1, op = 0) from c1');
    // JUnit: the failure, with the counterexample.
    const xml = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(junit, 'utf8'));
    const tc = xml.testsuites.testsuite.testcase;
    expect(tc['@_name']).toBe('PrimaryBackupCrashedPrimary/CrashedPrimary');
    expect(tc.failure['@_type']).toBe('ClientsServed');
    expect(String(tc.failure['#text'])).toContain('Fire Client.Submit at c1');
    // HTML, opened in a real browser where there is one.
    const h = await mommie([...args, '--reporter', 'html', '-o', html], { timeoutMs: 300_000 });
    expect(h.exitCode).toBe(2);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<meta name="generator" content="mommie refine">');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    if (browserFound.ok) {
      const browser = await launch(browserFound.path);
      try {
        const { page: p, problems } = await openReport(browser, html);
        const seen = await p.evaluate(() => ({
          rows: [...(document.querySelector('table')?.querySelectorAll('tbody tr') ?? [])].map((tr) => (tr.querySelector('td:nth-child(2)')?.textContent ?? '').trim()),
          charts: [...document.querySelectorAll('section.chart')].map((s) => Number(s.getAttribute('data-steps'))),
        }));
        expect(problems).toEqual([]);
        expect(seen.rows).toEqual(['PrimaryBackupCrashedPrimary/CrashedPrimary']);
        expect(seen.charts).toHaveLength(1);
        expect(seen.charts[0]).toBeGreaterThanOrEqual(steps.length);
      } finally {
        await browser.close();
      }
    }
  }, 600_000);

  it('the module-level checks of an HMAC deployment pass, and its negative controls fail as they must', async () => {
    const r = await mommie(['refine', 'specs/BrachaBroadcast.mom', '--deploy', 'specs/BrachaBroadcast.deploy', '--modules-only', '--json', '-q'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = decode(r.stdout);
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect([...byName.keys()]).toEqual(['HmacImpl', 'BatchImpl', 'NegHmacAnyKey', 'NegHmacAudit_Vector', 'NegHmacAudit_Forge', 'NegBatchOneMember']);
    for (const c of report.checks) expect(c.verdict, `${c.name}: ${c.message}`).toBe('pass');
    expect(byName.get('HmacImpl')!.mapping).toContain('pool <- pub \\cup fpub');
    expect(byName.get('NegHmacAudit_Vector')!.violated).toBe('NonRepudiation');
    expect(byName.get('NegHmacAudit_Forge')!.violated).toMatch(/^refinement/);
    expect(byName.get('NegBatchOneMember')!.counterexample!.steps.length).toBeGreaterThan(0);
    expect(report.tlc).toMatch(/TLC2 Version/);
    expect(report.notChecked).toEqual([expect.stringMatching(/^the composed models \(--modules-only\): none of the program's invariants and properties was checked/)]);
    // A negative control stops at its violation: the other properties are not checked.
    expect(byName.get('NegHmacAnyKey')!.outcomes.map((o) => `${o.name}:${o.status}`)).toEqual(['TypeOK:not-checked', 'Refinement:violated', 'Liveness:not-checked']);
  }, 600_000);

  it('a TTP deployment: statements auditable by the TTP\'s clients are countersigned and delivered, and the program refines, liveness included', async () => {
    const r = await mommie(['refine', TTP_PROGRAM, '--deploy', TTP_DEPLOY, '-m', 'AllCorrect', '--composed-only', '--json', '-q'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const c = decode(r.stdout).checks[0]!;
    expect(c).toMatchObject({ name: 'AttestedCounter/AllCorrect', verdict: 'pass', violated: null });
    expect(c.properties).toContain('ClientsServed');
    expect(c.about).toContain('HMAC, TTP');
    // More than the abstract model's 3,175: each countersignature is a step of its own.
    expect(c.distinct!).toBeGreaterThan(3_175);
  }, 600_000);

  it('signatures for a restricted auditor set: the same program refines under ED25519 for auditors R and C', async () => {
    const r = await mommie(['refine', TTP_PROGRAM, '--deploy', edDeploy(), '-m', 'AllCorrect', '--composed-only', '--json', '-q'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const c = decode(r.stdout).checks[0]!;
    expect(c).toMatchObject({ verdict: 'pass', violated: null });
    expect(c.about).toContain('HMAC, SIG');
  }, 600_000);

  it('a quorum too small under the TTP deployment: the Byzantine reply is countersigned, accepted, and the violation found (verify finds InOrder too)', async () => {
    const bug = plantedQuorumBug();
    const r = await mommie(['refine', bug, '--deploy', TTP_DEPLOY, '-m', 'ByzantineBackup', '--composed-only', '--json', '-q'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stderr + r.stdout).toBe(2);
    const c = decode(r.stdout).checks[0]!;
    expect(c).toMatchObject({ verdict: 'fail', violated: 'InOrder' });
    const steps = c.counterexample!.steps;
    expect(steps.map((s) => s.mommie.split(' ')[0])).toEqual(['Fire', 'Byzantine', 'Deliver', 'Fire']);
    expect(steps[2]!.mommie).toMatch(/^Deliver \[r4, c1, \{c1, c2\}\] Reply/);
    expect(steps[3]!.mommie).toBe('Fire Client.Accept at c1');
    // The search stopped at the violation: the rest is not checked, and says so.
    const byName = new Map(c.outcomes.map((o) => [o.name, o]));
    expect(byName.get('InOrder')).toMatchObject({ status: 'violated' });
    for (const n of ['TypeOK', 'ValidReplies', 'SameState', 'AbstractSafety']) expect(byName.get(n), n).toMatchObject({ status: 'not-checked', note: 'TLC stopped at the first violation' });
    expect(c.warnings).toEqual([]);
    const v = await mommie(['verify', bug, '-m', 'ByzantineBackup'], { timeoutMs: 300_000 });
    expect(v.exitCode).toBe(2);
    expect(v.stdout).toMatch(/InOrder\s+violated/);
  }, 600_000);

  it('a model past --max-states is too large: it says so and suggests bounds, exit 4', async () => {
    const r = await mommie(['refine', 'specs/PrimaryBackup.mom', '--deploy', 'specs/PrimaryBackup.deploy', '-m', 'TwoClients', '--composed-only', '--max-states', '200', '--json', '-q'], { timeoutMs: 300_000 });
    expect(r.exitCode, r.stderr).toBe(4);
    const c = decode(r.stdout).checks[0]!;
    expect(c.verdict).toBe('too-large');
    expect(c.message).toContain('passed the limit of 200 distinct states');
    expect(c.suggestion).toContain('make a smaller model');
    expect(c.outcomes.every((o) => o.status === 'not-checked' && o.note === `the search stopped at ${c.distinct} distinct states`)).toBe(true);
    expect(existsSync(join(ROOT, 'states'))).toBe(false);
  }, 300_000);
});
