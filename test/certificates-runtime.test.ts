// Certificates at run time (issue 25 item 3). A carrier travels with the
// authenticators of what it carries (docs/wire.md, "Carried statements"): a
// receiver learns it whole or not at all, refuses it by reason when a carried
// statement fails, checks sizes and depth before any signature, and does not
// verify again a carried statement it knows. deploy-check requires what may
// be carried to stay checkable by the field's auditors when passed on
// (MOM622). The examples run on the simulated network and over TCP, and their
// logs replay with both engines.

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../src/deploy/deployment.js';
import { loadDeployment } from '../src/deploy/load.js';
import type { KeyRing } from '../src/keys/keyring.js';
import { generateKeyRings } from '../src/keys/ring.js';
import { WireCodec } from '../src/runtime/wire-codec.js';
import { instantiateRun } from '../src/semantics/model.js';
import type { Value } from '../src/semantics/value.js';
import { compareBytes, Encoded, encodeCbor, type CborIn } from '../src/wire/cbor.js';
import { dataFrame, decodeStatement, encodeFrame, macTag, schemaFromModel, signStatement, type Authenticator, type WireItem, type WireSchema } from '../src/wire/index.js';
import { mommie, ROOT } from './helpers/cli.js';
import { EXAMPLE_FAULTS, exampleModels, loadProgram } from './helpers/sim.js';
import { runSimulation } from '../src/runtime/sim-run.js';
import { replayTraces } from '../src/trace/replay.js';
import { makeKeys, runOverTcp } from './helpers/tcp-run.js';

const VOTES = join('specs', 'certificates', 'VoteCertificate');
const TALLY = join('specs', 'certificates', 'CertificateTally');
const TLA2TOOLS = process.env['TLA2TOOLS_JAR'] ?? '/work/tools/tla2tools.jar';
const hasTlc = existsSync(TLA2TOOLS);
const dir = mkdtempSync(join(tmpdir(), 'mommie-cert-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const R = ['r1', 'r2', 'r3'];
const EVERYONE = ['l1', 'r1', 'r2', 'r3'];

describe('deploy-check with certificates (MOM622 instead of a blanket refusal)', () => {
  it('accepts the examples: votes are signed, so every voter can check a carried one', { timeout: 60_000 }, async () => {
    for (const spec of [VOTES, TALLY]) {
      const r = await mommie(['deploy-check', `${spec}.mom`, `${spec}.deploy`]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/PUBLISH \[ME, L, \*\] Vote +r1, r2, r3 -> l1: ED25519/);
    }
  });

  it('refuses a vote its collector gets signed while the other voters expect a countersignature, naming both PUBLISHes', { timeout: 60_000 }, async () => {
    const program = join(dir, 'TtpVotes.mom');
    const text = readFileSync(join(ROOT, `${VOTES}.mom`), 'utf8');
    expect(text).toContain('PUBLISH [ME, L, *] Vote(v)');
    writeFileSync(program, text.replace('PUBLISH [ME, L, *] Vote(v)', 'PUBLISH [ME, L, R] Vote(v)'));
    const nodes = ['[Nodes]', 'l1 = 127.0.0.1:7901', 'r1 = 127.0.0.1:7902', 'r2 = 127.0.0.1:7903', 'r3 = 127.0.0.1:7904', 't = 127.0.0.1:7905', '', '[Authentication]', 'L <-> R : HMAC', 'R <-> R : HMAC', 'R <-> t : HMAC', ''];
    const bad = join(dir, 'ttp-first.deploy');
    writeFileSync(bad, [...nodes, '[Non-repudiation]', 'R -> R : TTP(t)', 'R -> * : ED25519', ''].join('\n'));
    const r = await mommie(['deploy-check', program, bad]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/error MOM622: PUBLISH \[ME, L, R\] Vote in Voter\.Cast may be carried by PUBLISH \[ME, R, NOONE\] Cert in Collector\.Certify \(field votes\) to \{r1, r2, r3\}/);
    expect(r.stderr).toMatch(/r1 -> l1 by ED25519, but r2 \(an auditor of the field\) expects TTP\(t\) from r1/);
    // With the signature first, every voter expects what the collector got.
    const good = join(dir, 'signature-first.deploy');
    writeFileSync(good, [...nodes, '[Non-repudiation]', 'R -> * : ED25519', 'R -> R : TTP(t)', ''].join('\n'));
    const ok = await mommie(['deploy-check', program, good]);
    expect(ok.exitCode, ok.stderr).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// A Byzantine collector's certificates, frame by frame, at voter r1.

const { program } = loadProgram(`${VOTES}.mom`);
const dep = loadDeployment(`${VOTES}.deploy`, program);
if (!dep.ok || dep.deployment === undefined) throw new Error(`${VOTES}.deploy does not load`);
const deployment: Deployment = dep.deployment;
const run = instantiateRun(program, new Map<string, Value>(deployment.constants));
if (!run.ok) throw run.error;
const schemaResult = schemaFromModel(run.instance);
if (!schemaResult.ok) throw new Error(schemaResult.detail);
const schema: WireSchema = schemaResult.schema;
let rings: ReadonlyMap<string, KeyRing>;
beforeAll(async () => {
  rings = await generateKeyRings(EVERYONE);
});

const sorted = (xs: readonly CborIn[]): Encoded[] => xs.map((x) => new Encoded(encodeCbor(x))).sort((a, b) => compareBytes(a.bytes, b.bytes));
const statementBytes = (issuer: string, verifiers: readonly string[], auditors: readonly string[], record: CborIn): Uint8Array => encodeCbor([issuer, sorted(verifiers), sorted(auditors), record]);
const vote = (issuer: string, v = 0, auditors = EVERYONE): Uint8Array => statementBytes(issuer, ['l1'], auditors, ['Vote', v]);
const cert = (carried: readonly Uint8Array[], v = 0): Uint8Array => statementBytes('l1', R, [], ['Cert', v, sorted(carried)]);
const signed = (issuer: string, bytes: Uint8Array): Authenticator => ({ kind: 'ED25519', sig: signStatement('ED25519', rings.get(issuer)!.signingKey('ED25519')!, bytes)! });
/** l1's certificate to r1, MACed with their key, with the carried authenticators given. */
function frame(stmt: Uint8Array, carried: readonly Authenticator[]): Uint8Array {
  const item: WireItem = { stmt, auth: { kind: 'HMAC', tags: [{ to: 'r1', tag: macTag(rings.get('l1')!.hmacKey('r1')!, stmt) }] }, ...(carried.length === 0 ? {} : { carried }) };
  const f = encodeFrame(dataFrame('l1', 'r1', 1, [item]));
  if (!f.ok) throw new Error(f.detail);
  return f.bytes;
}
/** The carried authenticators of `stmt` in the item's order, each by its issuer (or as `auth` says). */
function carriedOf(stmt: Uint8Array, auth: (issuer: string, bytes: Uint8Array) => Authenticator = signed): Authenticator[] {
  const d = decodeStatement(schema, stmt);
  if (!d.ok) throw new Error(d.error.detail);
  return (d.encoded.carried ?? []).map((c) => auth(c.statement.issuer, c.bytes));
}
/** What voter r1 makes of one frame from l1: the statements it would learn, and its counters after. */
function atVoter(bytes: Uint8Array, knows?: (issuer: string) => boolean): { learned: number; codec: WireCodec } {
  const codec = new WireCodec(rings.get('r1')!, deployment, schema);
  if (knows !== undefined) codec.knownBy((s) => knows(s.issuer));
  const o = codec.open('l1', bytes);
  if (o.kind !== 'data') throw new Error(`not a data frame: ${o.kind}`);
  return { learned: o.statements.length, codec };
}

describe('a carrier at run time: learned whole, or refused and counted by reason', () => {
  it('learns a certificate whose carried votes verify, each vote checked once with its issuer\'s key', () => {
    const c = cert([vote('r2'), vote('r3')]);
    const { learned, codec } = atVoter(frame(c, carriedOf(c)));
    expect(learned).toBe(1);
    const s = codec.wire.snapshot();
    expect(s.carried).toEqual({ checked: 2, known: 0 });
    expect(s.crypto.verify.count).toBe(2);
  });

  it('does not verify again a carried vote it already knows (by the abstract statement)', () => {
    const c = cert([vote('r2'), vote('r3')]);
    const { learned, codec } = atVoter(frame(c, carriedOf(c)), (issuer) => issuer === 'r2');
    expect(learned).toBe(1);
    expect(codec.wire.snapshot().carried).toEqual({ checked: 1, known: 1 });
    expect(codec.wire.snapshot().crypto.verify.count).toBe(1);
  });

  const refusals: { name: string; reason: string; bytes: () => Uint8Array; beforeSignatures: boolean }[] = [
    {
      name: 'a forged carried authenticator (l1 signs r3\'s vote with its own key)',
      reason: 'carried-forged',
      bytes: () => {
        const c = cert([vote('r2'), vote('r3')]);
        return frame(c, carriedOf(c, (issuer, b) => signed(issuer === 'r3' ? 'l1' : issuer, b)));
      },
      beforeSignatures: false,
    },
    {
      name: 'a vote carried with an HMAC tag (convinces only its verifier, never an auditor)',
      reason: 'carried-not-auditable',
      bytes: () => {
        const c = cert([vote('r2'), vote('r3')]);
        return frame(c, carriedOf(c, (issuer, b) => (issuer === 'r2' ? { kind: 'HMAC', tags: [{ to: 'r1', tag: macTag(rings.get('r2')!.hmacKey('r1')!, b) }] } : signed(issuer, b))));
      },
      beforeSignatures: false,
    },
    {
      name: 'four votes in a field of SIZE <= 3',
      reason: 'carried-over-bound',
      bytes: () => {
        const c = cert([vote('r1'), vote('r2'), vote('r3'), vote('r2', 1)]);
        return frame(c, [vote('r1'), vote('r2'), vote('r3'), vote('r2', 1)].map((b, i) => signed(['r1', 'r2', 'r3', 'r2'][i]!, b)));
      },
      beforeSignatures: true,
    },
    {
      name: 'a vote carrying a vote (deeper than any record of the program carries)',
      reason: 'carried-too-deep',
      bytes: () => {
        const inner = vote('r3');
        const outer = statementBytes('r2', ['l1'], EVERYONE, ['Vote', inner]);
        return frame(cert([outer]), [signed('r2', outer), signed('r3', inner)]);
      },
      beforeSignatures: true,
    },
    {
      name: 'a carried vote the voters cannot audit (auditors NOONE, the field asks AUDIT R)',
      reason: 'carried-pattern-mismatch',
      bytes: () => {
        const v = vote('r2', 0, []);
        return frame(cert([v, vote('r3')]), [signed('r2', v), signed('r3', vote('r3'))]);
      },
      beforeSignatures: true,
    },
    {
      name: 'a certificate carried where votes are declared',
      reason: 'carried-pattern-mismatch',
      bytes: () => {
        const inner = cert([]);
        return frame(cert([inner]), [{ kind: 'ED25519', sig: new Uint8Array(64) }]);
      },
      beforeSignatures: true,
    },
  ];

  for (const r of refusals) {
    it(`refuses ${r.name}: counted as ${r.reason}, nothing learned${r.beforeSignatures ? ', no signature or MAC checked' : ''}`, () => {
      const { learned, codec } = atVoter(r.bytes());
      expect(learned).toBe(0);
      const s = codec.wire.snapshot();
      expect(s.itemsDropped[r.reason as keyof typeof s.itemsDropped], JSON.stringify(s.itemsDropped)).toBe(1);
      expect(s.itemsAccepted).toBe(0);
      if (r.beforeSignatures) expect([s.crypto.verify.count, s.crypto.mac.count]).toEqual([0, 0]);
    });
  }

  it('refuses a certificate whose carried authenticators do not match what it carries (one missing) as malformed', () => {
    const c = cert([vote('r2'), vote('r3')]);
    const { learned, codec } = atVoter(frame(c, carriedOf(c).slice(1)));
    expect(learned).toBe(0);
    expect(codec.wire.snapshot().itemsDropped.malformed).toBe(1);
  });
});

// ---------------------------------------------------------------------------
// Whole runs.

function logs(traces: string): number {
  return readdirSync(traces).filter((f) => f.endsWith('.ndjson')).length;
}

async function replayBoth(spec: string, traces: string): Promise<void> {
  const b = await mommie(['replay', `${spec}.mom`, traces], { timeoutMs: 60_000 });
  expect(b.exitCode, b.stdout + b.stderr).toBe(0);
  if (!hasTlc) {
    console.log(`SKIPPED: mommie replay --engine tlc of ${spec} (no TLC at ${TLA2TOOLS})`);
    return;
  }
  const t = await mommie(['replay', `${spec}.mom`, traces, '--engine', 'tlc', '--tla2tools', TLA2TOOLS], { timeoutMs: 120_000 });
  expect(t.exitCode, t.stdout + t.stderr).toBe(0);
}

describe('the examples on the simulated network', () => {
  for (const spec of [VOTES, TALLY]) {
    it(`${spec}: 6 seeds under loss and duplication end ok; voters learn carried votes; the logs replay with both engines`, { timeout: 180_000 }, async () => {
      const r = await mommie(['run', `${spec}.mom`, '--deploy', `${spec}.deploy`, '--network', 'sim', '--faults', 'drop=0.2,dup=0.2', '--seeds', '6', '--json'], { timeoutMs: 120_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      // VoteCertificate's votes are inputs: each cast is a request answered when it fires (no PROGRESS);
      // CertificateTally's voters cast on their own.
      const rep = JSON.parse(r.stdout) as { requests: { started: number; completed: number } };
      const votes = spec === VOTES ? 3 : 0;
      expect(rep.requests).toMatchObject({ started: votes, completed: votes });
      const traces = join(dir, `${spec.replace(/\W/g, '_')}-sim`);
      const one = await mommie(['run', `${spec}.mom`, '--deploy', `${spec}.deploy`, '--network', 'sim', '--faults', 'drop=0.2,dup=0.2', '--seed', '3', '--trace', traces], { timeoutMs: 60_000 });
      expect(one.exitCode, one.stderr).toBe(0);
      // A voter acts on votes it only learned from a certificate (never their verifier).
      const learnedFromCertificates = readdirSync(traces).some((f) => /"t":"(Witness|Tally)"/.test(readFileSync(join(traces, f), 'utf8')));
      expect(learnedFromCertificates).toBe(true);
      expect(logs(traces)).toBe(4);
      await replayBoth(spec, traces);
    });
  }
});

describe('a Byzantine collector on the simulated network', () => {
  it('ByzantineCollector, 10 seeds: it certifies what it received (its certificates carry votes with their signatures), and no invariant breaks', { timeout: 120_000 }, async () => {
    const r = await mommie(['run', `${VOTES}.mom`, '--deploy', `${VOTES}.deploy`, '--network', 'sim', '--model', 'ByzantineCollector', '--seeds', '10', '--faults', 'drop=0.1,dup=0.1', '--json'], { timeoutMs: 100_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { verdict: { outcome: string }; byzantine?: { nodes: { node: string; published: number; budget: number }[] } };
    expect(rep.verdict.outcome).toBe('ok');
    expect(rep.byzantine?.nodes).toEqual([expect.objectContaining({ node: 'l1', published: 1, budget: 1 })]);
  });
});

describe('Byzantine carriers at run time, 30 seeds', () => {
  it('every refusal reason is counted, nothing refused is learned (the invariants hold, the logs replay)', () => {
    const ex = exampleModels(VOTES);
    const model = ex.models.find((m) => m.name === 'ByzantineCollector')!;
    const dropped: Record<string, number> = {};
    let altered = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const codecs: WireCodec[] = [];
      const logs = new Map<string, string[]>();
      const r = runSimulation({
        model, source: ex.source, seed, faults: EXAMPLE_FAULTS, requests: 3,
        codecFor: (n) => {
          const c = new WireCodec(rings.get(n)!, ex.deployment, schema);
          codecs.push(c);
          return c;
        },
        timeoutMs: (role, t) => ex.deployment.timeoutMs(role, t), stallMs: 30_000,
        traceFor: (n) => {
          const l: string[] = [];
          logs.set(n, l);
          return { write: (e) => void l.push(JSON.stringify(e)) };
        },
      });
      const where = `seed ${seed}`;
      expect(r.violation?.invariant, where).toBeUndefined();
      expect(r.aborts, where).toEqual([]);
      altered += r.byzantine.badCarriers;
      for (const c of codecs) for (const [k, v] of Object.entries(c.wire.snapshot().itemsDropped)) dropped[k] = (dropped[k] ?? 0) + v;
      // What the voters learned is a behaviour of the model: an altered certificate never got in.
      const rp = replayTraces(ex.program, [...logs].map(([n, l]) => ({ path: `${n}.ndjson`, text: l.join('\n') + '\n' })), { model: 'ByzantineCollector' });
      expect(rp.ok ? 'accepted' : rp.rejection.message, where).toBe('accepted');
    }
    for (const reason of ['carried-forged', 'carried-not-auditable', 'carried-pattern-mismatch', 'carried-over-bound', 'carried-too-deep']) expect(dropped[reason], `${reason}: ${JSON.stringify(dropped)}`).toBeGreaterThan(0);
    console.log(`Byzantine collector, 30 seeds: ${altered} altered certificates sent, refusals ${JSON.stringify(Object.fromEntries(Object.entries(dropped).filter(([, v]) => v > 0)))}`);
  });
});

describe('a TIMEOUT with a parameter and no pattern is armed at run time, never taken for an input', () => {
  it('PBFTViewChange with its primary crashed: the backups suspect it, the new primary\'s NEW-VIEW carries their VIEW-CHANGEs, the request is answered', { timeout: 120_000 }, async () => {
    const r = await mommie(['run', 'specs/PBFTViewChange.mom', '--deploy', 'specs/PBFTViewChange.deploy', '--network', 'sim', '--model', 'CrashedPrimary', '--seeds', '3', '--faults', 'drop=0.1,dup=0.1', '--json'], { timeoutMs: 100_000 });
    expect(r.exitCode, r.stderr + r.stdout.slice(0, 2000)).toBe(0);
    const rep = JSON.parse(r.stdout) as { requests: { started: number; completed: number }; nodes: { node: string; fired?: Record<string, number>; wire?: { carried: { checked: number } } }[] };
    expect(rep.requests.completed).toBe(rep.requests.started);
    const fired = (n: string, t: string): number => rep.nodes.find((x) => x.node === n)?.fired?.[t] ?? 0;
    for (const n of ['r2', 'r3', 'r4']) expect(fired(n, 'SuspectPrimary'), n).toBe(1);
    expect(fired('r2', 'SendNewView')).toBe(1);
    expect(fired('r3', 'AcceptNewView') + fired('r4', 'AcceptNewView')).toBe(2);
    // The backups checked the view changes (and the prepared certificates in them) that NEW-VIEW carried.
    expect(rep.nodes.filter((x) => (x.wire?.carried.checked ?? 0) > 0).map((x) => x.node).sort()).toEqual(['r3', 'r4']);
  });
});

describe('over TCP (loopback, one process per node)', () => {
  it('VoteCertificate: every vote cast, certificates learned with their carried votes, logs replay with both engines', { timeout: 240_000 }, async () => {
    const keys = join(dir, 'keys');
    await makeKeys(`${VOTES}.deploy`, keys);
    const text = readFileSync(join(ROOT, `${VOTES}.deploy`), 'utf8');
    const rep = await runOverTcp('certificates/VoteCertificate', text, dir, { keys, requests: 3, timeoutMs: 60_000 });
    expect(rep.requests.completed).toBe(3);
    const traces = [join(dir, 'tcp-1', 'traces'), join(dir, 'tcp-2', 'traces')].filter(existsSync).pop()!;
    const witnessed = R.some((r) => /"t":"Witness"/.test(readFileSync(join(traces, `${r}.ndjson`), 'utf8')));
    expect(witnessed).toBe(true);
    await replayBoth(VOTES, traces);
  });
});
