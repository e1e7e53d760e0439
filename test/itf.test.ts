// `mommie verify --itf DIR`: every planted bug's counterexamples as ITF
// traces (https://apalache-mc.org/docs/adr/015adr-trace.html), checked against
// a codec of the format's documented shape written here from the ADR (not
// from src/itf/), with as many states as the text report prints steps, over
// the generated TLA+ module's variables; an existing file is not replaced
// without --force. With TLC present, an --engine tlc counterexample too.
// Runs the built CLI (dist/): `npx tsc -p .` first.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { mommie, ROOT } from './helpers/cli.js';

const tlc = await resolveTlc();
if (isLeft(tlc)) console.log(`SKIPPED: ITF of an --engine tlc counterexample was not checked: ${tlc.left.message}`);

const dir = mkdtempSync(join(tmpdir(), 'mommie-itf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The ITF value grammar: a JSON Boolean or string, {"#bigint": decimal},
// {"#set": [...]}, {"#tup": [...]}, {"#map": [[k, v], ...]}, or a record: an
// object whose field names do not start with '#'. (ITF also allows plain JSON
// numbers and {"#unserializable": ...}; mommie writes neither.)
type Itf = boolean | string | { '#bigint': string } | { '#set': Itf[] } | { '#tup': Itf[] } | { '#map': [Itf, Itf][] } | { [k: string]: Itf };
const ItfValue: t.Type<Itf> = t.recursion('ItfValue', () =>
  t.union([
    t.boolean,
    t.string,
    t.strict({ '#bigint': t.refinement(t.string, (s) => /^-?(0|[1-9]\d*)$/.test(s), 'decimal') }),
    t.strict({ '#set': t.array(ItfValue) }),
    t.strict({ '#tup': t.array(ItfValue) }),
    t.strict({ '#map': t.array(t.tuple([ItfValue, ItfValue])) }),
    t.refinement(t.record(t.string, ItfValue), (o) => Object.keys(o).length > 0 && Object.keys(o).every((k) => !k.startsWith('#')), 'record'),
  ]),
);
const ItfState = t.intersection([t.type({ '#meta': t.type({ index: t.number }) }), t.record(t.string, t.unknown)]);
const ItfTrace = t.intersection([
  t.type({ vars: t.array(t.string), states: t.array(ItfState) }),
  t.partial({ '#meta': t.UnknownRecord, params: t.array(t.string), loop: t.number }),
]);
type Trace = t.TypeOf<typeof ItfTrace>;

/** Checks the shape and the variables of every state; returns the problems. */
function validate(json: unknown): string[] {
  const d = ItfTrace.decode(json);
  if (isLeft(d)) return ['not an ITF trace'];
  const tr: Trace = d.right;
  const problems: string[] = [];
  tr.states.forEach((s, i) => {
    if (s['#meta'].index !== i) problems.push(`state ${i} has #meta.index ${s['#meta'].index}`);
    const keys = Object.keys(s).filter((k) => k !== '#meta').sort();
    if (JSON.stringify(keys) !== JSON.stringify([...tr.vars].sort())) problems.push(`state ${i} has variables ${keys.join(',')}`);
    for (const v of tr.vars) if (isLeft(ItfValue.decode(s[v]))) problems.push(`state ${i}: ${v} is not an ITF value`);
  });
  if (tr.loop !== undefined && !(Number.isInteger(tr.loop) && tr.loop >= 0 && tr.loop < tr.states.length)) problems.push(`loop ${tr.loop} is outside the states`);
  return problems;
}

/** Steps of each counterexample the text report prints, by `<model>-<property>`. */
function textSteps(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  let model = '';
  let key: string | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^model (\w+): /.exec(line);
    if (m !== null) {
      model = m[1]!;
      key = undefined;
      continue;
    }
    const c = /^ {2}counterexample to (\S+) \(/.exec(line);
    if (c !== null) {
      key = `${model}-${c[1]!}`;
      out.set(key, 0);
      continue;
    }
    if (key !== undefined && /^ {4} *\d+\. /.test(line)) out.set(key, out.get(key)! + 1);
  }
  return out;
}

const BUGGY = readdirSync(join(ROOT, 'specs', 'buggy')).filter((f) => f.endsWith('.mom')).sort();

describe('verify --itf DIR', () => {
  it.each(BUGGY)('specs/buggy/%s: each counterexample an ITF trace with the text report\'s steps', async (bug) => {
    const out = join(dir, bug.replace('.mom', ''));
    const r = await mommie(['verify', join('specs', 'buggy', bug), '-q', '--itf', out], { timeoutMs: 120_000 });
    expect(r.exitCode).toBe(2);
    const steps = textSteps(r.stdout);
    expect(steps.size).toBeGreaterThan(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual([...steps.keys()].map((k) => `${k}.itf.json`).sort());
    const tla = await mommie(['tla', join('specs', 'buggy', bug), '-o', join(out, 'tla'), '--no-sany']);
    const module = readdirSync(join(out, 'tla')).filter((f) => f.endsWith('.tla') && !f.startsWith('MC_'))[0];
    const declared = /^VARIABLES (.*)$/m.exec(readFileSync(join(out, 'tla', module ?? ''), 'utf8'))?.[1]?.split(', ');
    expect(tla.exitCode).toBe(0);
    for (const [key, n] of steps) {
      const json: unknown = JSON.parse(readFileSync(join(out, `${key}.itf.json`), 'utf8'));
      expect(validate(json)).toEqual([]);
      const tr = json as Trace;
      expect(tr.states.length).toBe(n);
      expect(tr.vars).toEqual(declared);
      expect(r.stderr).toContain(`${key}.itf.json (${n} states)`);
    }
  }, 120_000);

  it('a lasso gives the state it loops back to', () => {
    const tr = JSON.parse(readFileSync(join(dir, 'PrimaryBackupCrashedPrimary', 'CrashedPrimary-ClientsServed.itf.json'), 'utf8')) as Trace;
    // The text report: "from step 8 on the behaviour stutters forever".
    expect(tr.loop).toBe(7);
    expect(tr.states.length).toBe(8);
  });

  it('values are shaped as the TLA+ module holds them', () => {
    const tr = JSON.parse(readFileSync(join(dir, 'PrimaryBackupSmallQuorum', 'ByzantineBackup-ValidReplies.itf.json'), 'utf8')) as Trace;
    const first = tr.states[0]! as Record<string, unknown>;
    expect(first['pool']).toEqual({ '#set': [] });
    expect(first['nextSeqNo']).toEqual({ '#map': [['r1', { '#bigint': '0' }], ['r2', { '#bigint': '0' }], ['r3', { '#bigint': '0' }], ['r4', { '#bigint': '0' }]] });
    const last = JSON.stringify(tr.states[tr.states.length - 1]);
    expect(last).toContain('"issuer":"');
    expect(last).toContain('"record":{"type":"');
    expect(last).toContain('{"#tup":["');
  });

  it('does not replace files of the checked models without --force', async () => {
    const out = join(dir, 'existing');
    mkdirSync(out, { recursive: true });
    const mine = join(out, 'ByzantineBackup-ValidReplies.itf.json');
    writeFileSync(mine, 'mine');
    const file = 'specs/buggy/PrimaryBackupSmallQuorum.mom';
    const refused = await mommie(['verify', file, '-q', '--itf', out]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`${out} already holds ByzantineBackup-ValidReplies.itf.json; pass --force to overwrite them`);
    expect(readFileSync(mine, 'utf8')).toBe('mine');
    const forced = await mommie(['verify', file, '-q', '--itf', out, '--force']);
    expect(forced.exitCode).toBe(2);
    expect(validate(JSON.parse(readFileSync(mine, 'utf8')))).toEqual([]);
  });

  it.skipIf(isLeft(tlc))('an --engine tlc counterexample: the same shape and variables, the text report\'s steps', async () => {
    const out = join(dir, 'tlc');
    const r = await mommie(['verify', 'specs/buggy/PrimaryBackupSmallQuorum.mom', '-q', '--engine', 'tlc', '--itf', out], { timeoutMs: 120_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('engine: tlc');
    for (const [key, n] of textSteps(r.stdout)) {
      const json: unknown = JSON.parse(readFileSync(join(out, `${key}.itf.json`), 'utf8'));
      expect(validate(json)).toEqual([]);
      expect((json as Trace).states.length).toBe(n);
      expect(((json as Trace)['#meta'] as { description: string }).description).toContain('engine tlc');
    }
  }, 120_000);
});
