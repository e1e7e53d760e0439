import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import type { ModelBounds, ModelResult, SearchStats, StatementView, VerifyResult } from '../src/check/result.js';
import { decodeVerifyResult, verifyResultCodec } from '../src/report/codec.js';
import { formatStatement, formatVerifyResult } from '../src/report/human.js';
import { toJUnitXml } from '../src/report/junit.js';

// ---------------------------------------------------------------------------
// Fixtures, in the shape of PrimaryBackup (specs/PrimaryBackup.mom).

const REQ = 'Request(client: c1, op: 0)';
const ORDER = `Order(m: ${REQ}, seqNo: 0)`;
const R = ['r1', 'r2', 'r3', 'r4'];

const stmt = (issuer: string, verifiers: string[], record: string, auditors: string[] = []): StatementView => ({
  issuer,
  verifiers,
  auditors,
  record,
  recordType: record.slice(0, record.indexOf('(')),
});

const noFaults: ModelBounds = { crashed: [], byzantine: [], symmetry: [], constants: {}, deadlock: true };

const stats = (generated: number, distinct: number, depth: number, seconds: number): SearchStats => ({
  generated,
  distinct,
  depth,
  seconds,
  statesPerSecond: generated / seconds,
  peakRssMB: 48.4,
});

const passing: ModelResult = {
  model: 'Small',
  status: 'complete',
  bounds: {
    crashed: ['r3'],
    byzantine: [{ principal: 'r4', sends: ['Reply', 'Order'], budget: 2 }],
    symmetry: ['C'],
    constants: { MaxSeq: '1' },
    deadlock: false,
    maxStates: 1000000,
  },
  properties: [
    { name: 'ValidReplies', kind: 'invariant', verdict: 'holds' },
    { name: 'ClientsServed', kind: 'property', verdict: 'holds' },
  ],
  stats: stats(1234, 567, 12, 0.5),
};

const violation: ModelResult = {
  model: 'ByzantineBackup',
  status: 'violation',
  bounds: {
    crashed: [],
    byzantine: [{ principal: 'r4', sends: ['Reply'], budget: 1 }],
    symmetry: [],
    constants: {},
    deadlock: true,
  },
  properties: [
    {
      name: 'ValidReplies',
      kind: 'invariant',
      verdict: 'violated',
      trace: {
        steps: [
          {
            index: 1,
            action: { kind: 'init' },
            changes: [
              { node: 'c1', variable: 'accepted', after: '{}' },
              { node: 'r2', variable: 'executeSeqNo', after: '0' },
            ],
          },
          { index: 2, action: { kind: 'deliver', node: 'r2', statement: stmt('r1', R, ORDER) }, changes: [] },
          {
            index: 3,
            action: {
              kind: 'fire',
              node: 'r2',
              role: 'Replica',
              transition: 'Execute',
              timeout: false,
              binding: { order: ORDER, req: REQ },
              published: [stmt('r2', ['c1'], `Reply(req: ${REQ}, res: 1)`)],
              location: 'specs/PrimaryBackup.mom:61:3',
            },
            changes: [{ node: 'r2', variable: 'executeSeqNo', before: '0', after: '1' }],
          },
          {
            index: 4,
            action: { kind: 'byzantine', node: 'r4', statement: stmt('r4', ['c1'], `Reply(req: ${REQ}, res: 3)`) },
            changes: [],
          },
        ],
      },
    },
    { name: 'InOrder', kind: 'invariant', verdict: 'holds' },
  ],
  stats: stats(88, 40, 4, 0.05),
};

const lasso: ModelResult = {
  model: 'Lossy',
  status: 'violation',
  bounds: noFaults,
  properties: [
    {
      name: 'ClientsServed',
      kind: 'property',
      verdict: 'violated',
      detail: 'c1 never accepts a reply to op 0',
      trace: {
        steps: [
          { index: 1, action: { kind: 'init' }, changes: [{ node: 'r2', variable: 'suspected', after: 'FALSE' }] },
          {
            index: 2,
            action: {
              kind: 'fire',
              node: 'c1',
              role: 'Client',
              transition: 'Submit',
              timeout: false,
              binding: { op: '0' },
              published: [stmt('c1', R, REQ)],
              location: 'specs/PrimaryBackup.mom:32:3',
            },
            changes: [{ node: 'c1', variable: 'submitted', before: '{}', after: '{0}' }],
          },
          {
            index: 3,
            action: {
              kind: 'fire',
              node: 'r2',
              role: 'Replica',
              transition: 'SuspectPrimary',
              timeout: true,
              binding: { c: 'c1', req: REQ },
              published: [stmt('r2', R, 'Suspicion(primary: r1)'), stmt('r2', ['r1'], 'Suspicion(primary: r1)', ['c1', 'r3'])],
              location: 'specs/PrimaryBackup.mom:70:3',
            },
            changes: [{ node: 'r2', variable: 'suspected', before: 'FALSE', after: 'TRUE' }],
          },
          { index: 4, action: { kind: 'deliver', node: 'r3', statement: stmt('r2', R, 'Suspicion(primary: r1)') }, changes: [] },
        ],
        loopsTo: 2,
      },
    },
    {
      name: 'Progress',
      kind: 'property',
      verdict: 'violated',
      trace: {
        steps: [
          { index: 1, action: { kind: 'init' }, changes: [] },
          { index: 2, action: { kind: 'deliver', node: 'r1', statement: stmt('c1', ['r1'], REQ) }, changes: [] },
        ],
        loopsTo: 2,
      },
    },
  ],
  stats: stats(20, 10, 3, 0.01),
};

const evalError: ModelResult = {
  model: 'Overflow',
  status: 'error',
  bounds: noFaults,
  properties: [
    { name: 'ValidReplies', kind: 'invariant', verdict: 'holds' },
    { name: 'InOrder', kind: 'invariant', verdict: 'unknown', detail: 'search stopped by an evaluation error' },
  ],
  stats: stats(7, 7, 2, 0.002),
  error: {
    code: 'MOM502',
    message: 'value 3 is outside Seq = 0..2',
    location: 'specs/PrimaryBackup.mom:57:5',
    trace: {
      steps: [
        { index: 1, action: { kind: 'init' }, changes: [{ node: 'r1', variable: 'nextSeqNo', after: '2' }] },
        {
          index: 2,
          action: {
            kind: 'fire',
            node: 'r1',
            role: 'Replica',
            transition: 'Assign',
            timeout: false,
            binding: { c: 'c1', req: REQ },
            published: [],
            location: 'specs/PrimaryBackup.mom:53:3',
          },
          changes: [],
        },
      ],
    },
  },
};

const errorNoProps: ModelResult = {
  model: 'Broken',
  status: 'error',
  bounds: noFaults,
  properties: [],
  stats: stats(1, 1, 0, 0.001),
  error: { code: 'MOM501', message: 'division by zero', location: 'specs/PrimaryBackup.mom:25:50' },
};

const limit: ModelResult = {
  model: 'Big',
  status: 'limit',
  bounds: { ...noFaults, maxStates: 1000, maxDepth: 30, timeoutSeconds: 60 },
  properties: [
    { name: 'ValidReplies', kind: 'invariant', verdict: 'unknown', detail: 'state limit of 1000 reached' },
    { name: 'Deadlock', kind: 'deadlock', verdict: 'holds' },
  ],
  stats: stats(1000, 1000, 9, 2),
};

const result = (models: ModelResult[]): VerifyResult => ({
  format: 'mommie-verify/1',
  program: 'PrimaryBackup',
  file: 'specs/PrimaryBackup.mom',
  engine: 'builtin',
  models,
});

const all = result([passing, violation, lasso, evalError, errorNoProps, limit]);

// Special characters in every free-text field, for escaping.
const NASTY = `a<b && c>d "q" 'a' ]]> <![CDATA[x]]> &amp;`;
const nasty: VerifyResult = {
  ...result([
    {
      model: 'M',
      status: 'violation',
      bounds: { ...noFaults, constants: { S: NASTY } },
      properties: [
        {
          name: 'P<&>',
          kind: 'invariant',
          verdict: 'violated',
          detail: NASTY,
          trace: {
            steps: [
              { index: 1, action: { kind: 'init' }, changes: [{ node: 'n', variable: 'v', after: NASTY }] },
            ],
          },
        },
        { name: 'Q', kind: 'invariant', verdict: 'unknown', detail: NASTY },
      ],
      stats: stats(1, 1, 0, 0.1),
    },
  ]),
  program: 'Prog"&',
};

// ---------------------------------------------------------------------------

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const decodeError = (json: unknown): string => {
  const r = decodeVerifyResult(json);
  if (isRight(r)) throw new Error('expected a decoding error');
  return r.left;
};

describe('verifyResultCodec', () => {
  it('accepts every fixture, also after a JSON round trip', () => {
    for (const r of [all, nasty, result([])]) {
      expect(verifyResultCodec.is(r)).toBe(true);
      const d = decodeVerifyResult(clone(r));
      expect(isRight(d)).toBe(true);
      if (isRight(d)) expect(d.right).toEqual(r);
    }
  });

  it('rejects a wrong literal, naming the path', () => {
    const bad = clone(all) as unknown as { models: { properties: { verdict: string }[] }[] };
    bad.models[1]!.properties[0]!.verdict = 'passed';
    expect(decodeError(bad)).toBe(
      'not a valid mommie-verify/1 result:\n' +
        '  models[1].properties[0].verdict: expected "holds" | "violated" | "unknown", got "passed"',
    );
    expect(decodeError({ ...clone(all), format: 'mommie-verify/2' })).toBe(
      'not a valid mommie-verify/1 result:\n  format: expected "mommie-verify/1", got "mommie-verify/2"',
    );
  });

  it('rejects a missing field', () => {
    const bad = clone(all) as unknown as { models: { stats: Record<string, unknown> }[] };
    delete bad.models[0]!.stats['depth'];
    expect(decodeError(bad)).toBe('not a valid mommie-verify/1 result:\n  models[0].stats.depth: missing (expected number)');
  });

  it('rejects a wrong type, deep in a trace', () => {
    const bad = clone(all) as unknown as {
      models: { properties: { trace: { steps: { action: Record<string, unknown> }[]; loopsTo: unknown } }[] }[];
    };
    bad.models[1]!.properties[0]!.trace.steps[2]!.action['timeout'] = 'no';
    bad.models[2]!.properties[0]!.trace.loopsTo = '2';
    expect(decodeError(bad)).toBe(
      'not a valid mommie-verify/1 result:\n' +
        '  models[1].properties[0].trace.steps[2].action.timeout: expected boolean, got "no"\n' +
        '  models[2].properties[0].trace.loopsTo: expected number, got "2"',
    );
  });

  it('rejects an unknown step kind at its tag, and an unknown field', () => {
    const bad = clone(all) as unknown as {
      models: { properties: { trace: { steps: { action: Record<string, unknown> }[]; loopTo?: number } }[] }[];
    };
    bad.models[1]!.properties[0]!.trace.steps[1]!.action['kind'] = 'receive';
    bad.models[2]!.properties[0]!.trace.loopTo = 2;
    expect(decodeError(bad)).toBe(
      'not a valid mommie-verify/1 result:\n' +
        '  models[1].properties[0].trace.steps[1].action.kind: expected "init" | "fire" | "deliver" | "byzantine", got "receive"\n' +
        '  models[2].properties[0].trace.loopTo: unknown field',
    );
  });

  it('rejects a record value of the wrong type and a non-object', () => {
    const bad = clone(all) as unknown as { models: { bounds: { constants: Record<string, unknown> } }[] };
    bad.models[0]!.bounds.constants['MaxSeq'] = 1;
    expect(decodeError(bad)).toBe(
      'not a valid mommie-verify/1 result:\n  models[0].bounds.constants.MaxSeq: expected string, got 1',
    );
    expect(decodeError('nope')).toBe('not a valid mommie-verify/1 result:\n  (root): expected VerifyResult, got "nope"');
    expect(isLeft(decodeVerifyResult(null))).toBe(true);
  });
});

describe('formatVerifyResult', () => {
  const out = formatVerifyResult(all);
  const lines = out.split('\n');

  it('renders statements with braced lists and NOONE', () => {
    expect(formatStatement(stmt('r2', ['c1'], 'Reply(res: 1)'))).toBe('[r2 → c1, NOONE] Reply(res: 1)');
    expect(formatStatement(stmt('r1', R, ORDER))).toBe(`[r1 → {r1, r2, r3, r4}, NOONE] ${ORDER}`);
    expect(formatStatement(stmt('r2', ['r1'], 'S()', ['c1', 'r3']))).toBe('[r2 → r1, {c1, r3}] S()');
  });

  it('has a header, model headers with bounds, property lines and statistics', () => {
    expect(lines[0]).toBe('PrimaryBackup (specs/PrimaryBackup.mom), engine builtin, 6 models');
    expect(lines).toContain('model Small: complete');
    expect(lines).toContain(
      '  bounds: crashed: r3; Byzantine: r4 (sends Reply, Order; budget 2); symmetry: C; constants: MaxSeq = 1; ' +
        'deadlock checking: off; limits: 1000000 states',
    );
    expect(lines).toContain('  bounds: crashed: none; Byzantine: none; deadlock checking: on');
    expect(lines).toContain('  bounds: crashed: none; Byzantine: none; deadlock checking: on; limits: 1000 states, depth 30, 60 s');
    expect(lines).toContain('  ✓ ValidReplies  holds');
    expect(lines).toContain('  ✗ ValidReplies  violated');
    expect(lines).toContain('  ✗ ClientsServed  violated (c1 never accepts a reply to op 0)');
    expect(lines).toContain('  ? ValidReplies  unknown (state limit of 1000 reached)');
    expect(lines).toContain('  1234 states generated, 567 distinct states, depth 12, 0.50 s (2468 states/s), peak RSS 48 MB');
    expect(lines).toContain('  1 state generated, 1 distinct state, depth 0, 0.00 s (1000 states/s), peak RSS 48 MB');
    expect(lines).toContain('model Big: limit reached, search incomplete');
    expect(out).not.toContain('\x1b[');
  });

  it('numbers the steps of a safety counterexample', () => {
    const start = lines.indexOf('  counterexample to ValidReplies (4 states):');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, start + 10)).toEqual([
      '    1. initial state',
      '         c1.accepted = {}',
      '         r2.executeSeqNo = 0',
      `    2. deliver [r1 → {r1, r2, r3, r4}, NOONE] ${ORDER} to r2`,
      `    3. r2 fires Execute(order=${ORDER}, req=${REQ}), publishes [r2 → c1, NOONE] Reply(req: ${REQ}, res: 1)`,
      '         r2.executeSeqNo: 0 → 1',
      `    4. r4 (Byzantine) publishes [r4 → c1, NOONE] Reply(req: ${REQ}, res: 3)`,
      '',
      'model Lossy: violation',
    ]);
  });

  it('marks the loop of a lasso and stuttering', () => {
    const start = lines.indexOf('  counterexample to ClientsServed (4 states, then a loop):');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, start + 14)).toEqual([
      '    1. initial state',
      '         r2.suspected = FALSE',
      '    -- the loop starts here',
      `    2. c1 fires Submit(op=0), publishes [c1 → {r1, r2, r3, r4}, NOONE] ${REQ}`,
      '         c1.submitted: {} → {0}',
      `    3. r2 fires SuspectPrimary(c=c1, req=${REQ}) on timeout, publishes:`,
      '         [r2 → {r1, r2, r3, r4}, NOONE] Suspicion(primary: r1)',
      '         [r2 → r1, {c1, r3}] Suspicion(primary: r1)',
      '         r2.suspected: FALSE → TRUE',
      '    4. deliver [r2 → {r1, r2, r3, r4}, NOONE] Suspicion(primary: r1) to r3',
      '    -- back to step 2',
      '',
      '  counterexample to Progress (2 states, then stuttering):',
    ]);
    expect(lines.slice(start + 14, start + 17)).toEqual([
      '    1. initial state',
      `    2. deliver [c1 → r1, NOONE] ${REQ} to r1`,
      '    -- from here the system stutters forever (no fair step is enabled)',
    ]);
  });

  it('prints an evaluation error with code, message, location and trace', () => {
    const start = lines.indexOf('model Overflow: evaluation error');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, start + 12)).toEqual([
      '  bounds: crashed: none; Byzantine: none; deadlock checking: on',
      '  ✓ ValidReplies  holds',
      '  ? InOrder  unknown (search stopped by an evaluation error)',
      '  7 states generated, 7 distinct states, depth 2, 0.00 s (3500 states/s), peak RSS 48 MB',
      '',
      '  specs/PrimaryBackup.mom:57:5: error MOM502: value 3 is outside Seq = 0..2',
      '  trace to the failing evaluation (2 states):',
      '    1. initial state',
      '         r1.nextSeqNo = 2',
      `    2. r1 fires Assign(c=c1, req=${REQ})`,
      '',
    ]);
    expect(lines).toContain('  specs/PrimaryBackup.mom:25:50: error MOM501: division by zero');
    expect(lines).toContain('  no properties checked');
  });

  it('pads step numbers when a trace has ten steps or more', () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({
      index: i + 1,
      action: { kind: 'deliver' as const, node: 'r1', statement: stmt('c1', ['r1'], REQ) },
      changes: [{ node: 'r1', variable: 'x', before: String(i), after: String(i + 1) }],
    }));
    const text = formatVerifyResult(
      result([{ ...violation, properties: [{ name: 'P', kind: 'invariant', verdict: 'violated', trace: { steps } }] }]),
    );
    expect(text).toContain(`\n     1. deliver [c1 → r1, NOONE] ${REQ} to r1\n          r1.x: 0 → 1\n`);
    expect(text).toContain(`\n    10. deliver [c1 → r1, NOONE] ${REQ} to r1\n          r1.x: 9 → 10\n`);
  });

  it('colors only when asked', () => {
    const colored = formatVerifyResult(result([passing]), { color: true });
    expect(colored).toContain('\x1b[32m✓\x1b[0m ValidReplies  \x1b[32mholds\x1b[0m');
    expect(colored.replace(/\x1b\[\d+m/g, '')).toBe(formatVerifyResult(result([passing])));
  });
});

// ---------------------------------------------------------------------------

type El = Record<string, unknown>;
const ARRAYS = new Set(['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => ARRAYS.has(name),
});
const parse = (xml: string): El => parser.parse(xml) as El;
const arr = (e: El, k: string): El[] => (e[k] as El[] | undefined) ?? [];

describe('toJUnitXml', () => {
  const xml = toJUnitXml([all, result([passing])]);
  const root = parse(xml)['testsuites'] as El;
  const suites = arr(root, 'testsuite');
  const cases = suites.flatMap((s) => arr(s, 'testcase'));
  const count = (k: string): number => cases.reduce((n, c) => n + arr(c, k).length, 0);

  it('has one testsuite per (program, model) and one testcase per property', () => {
    expect(root['@_name']).toBe('mommie verify');
    expect(suites.map((s) => s['@_name'])).toEqual([
      'PrimaryBackup.Small',
      'PrimaryBackup.ByzantineBackup',
      'PrimaryBackup.Lossy',
      'PrimaryBackup.Overflow',
      'PrimaryBackup.Broken',
      'PrimaryBackup.Big',
      'PrimaryBackup.Small',
    ]);
    expect(arr(suites[1]!, 'testcase').map((c) => [c['@_classname'], c['@_name']])).toEqual([
      ['PrimaryBackup.ByzantineBackup', 'ValidReplies'],
      ['PrimaryBackup.ByzantineBackup', 'InOrder'],
    ]);
    expect(arr(suites[4]!, 'testcase').map((c) => c['@_name'])).toEqual(['Broken']);
  });

  it('has counts that match the elements, per suite and in total', () => {
    expect([root['@_tests'], root['@_failures'], root['@_errors'], root['@_skipped']]).toEqual(['13', '3', '2', '1']);
    expect([cases.length, count('failure'), count('error'), count('skipped')]).toEqual([13, 3, 2, 1]);
    for (const s of suites) {
      const cs = arr(s, 'testcase');
      const n = (k: string): number => cs.reduce((m, c) => m + arr(c, k).length, 0);
      expect([s['@_tests'], s['@_failures'], s['@_errors'], s['@_skipped']]).toEqual(
        [cs.length, n('failure'), n('error'), n('skipped')].map(String),
      );
    }
    expect(root['@_time']).toBe('3.063');
    expect(suites[0]!['@_time']).toBe('0.500');
    expect(arr(suites[0]!, 'testcase')[0]!['@_time']).toBe('0.250');
  });

  it('puts the trace into a failure', () => {
    const f = arr(arr(suites[1]!, 'testcase')[0]!, 'failure')[0]!;
    expect(f['@_message']).toBe('ValidReplies violated');
    expect(f['@_type']).toBe('violation');
    expect(f['#text']).toBe(
      [
        'ValidReplies violated',
        'counterexample (4 states):',
        '  1. initial state',
        '       c1.accepted = {}',
        '       r2.executeSeqNo = 0',
        `  2. deliver [r1 → {r1, r2, r3, r4}, NOONE] ${ORDER} to r2`,
        `  3. r2 fires Execute(order=${ORDER}, req=${REQ}), publishes [r2 → c1, NOONE] Reply(req: ${REQ}, res: 1)`,
        '       r2.executeSeqNo: 0 → 1',
        `  4. r4 (Byzantine) publishes [r4 → c1, NOONE] Reply(req: ${REQ}, res: 3)`,
      ].join('\n'),
    );
    const lassoFailure = arr(arr(suites[2]!, 'testcase')[0]!, 'failure')[0]!;
    expect(lassoFailure['@_message']).toBe('ClientsServed violated: c1 never accepts a reply to op 0');
    expect(String(lassoFailure['#text'])).toContain('\n  -- back to step 2');
  });

  it('turns unknown verdicts into skipped, and evaluation errors into errors', () => {
    const big = arr(suites[5]!, 'testcase');
    expect(arr(big[0]!, 'skipped')[0]!['@_message']).toBe('state limit of 1000 reached');
    expect(Object.keys(big[1]!).filter((k) => !k.startsWith('@_'))).toEqual([]);

    const overflow = arr(suites[3]!, 'testcase');
    expect(arr(overflow[0]!, 'error')).toEqual([]);
    const e = arr(overflow[1]!, 'error')[0]!;
    expect(e['@_message']).toBe('MOM502: value 3 is outside Seq = 0..2');
    expect(e['@_type']).toBe('MOM502');
    expect(String(e['#text'])).toContain(
      'specs/PrimaryBackup.mom:57:5: error MOM502: value 3 is outside Seq = 0..2\n' +
        'trace to the failing evaluation (2 states):\n  1. initial state',
    );
    const broken = arr(arr(suites[4]!, 'testcase')[0]!, 'error')[0]!;
    expect(broken['@_message']).toBe('MOM501: division by zero');
  });

  it('adds an error case when an erroneous model decided every property', () => {
    const decided: ModelResult = { ...evalError, properties: [{ name: 'ValidReplies', kind: 'invariant', verdict: 'holds' }] };
    const s = arr(parse(toJUnitXml([result([decided])]))['testsuites'] as El, 'testsuite')[0]!;
    expect(arr(s, 'testcase').map((c) => [c['@_name'], arr(c, 'error').length])).toEqual([
      ['ValidReplies', 0],
      ['Overflow', 1],
    ]);
    expect([s['@_tests'], s['@_errors']]).toEqual(['2', '1']);
  });

  it('describes engine and bounds in properties', () => {
    const props = Object.fromEntries(arr(suites[0]!['properties'] as El, 'property').map((p) => [p['@_name'], p['@_value']]));
    expect(props).toEqual({
      file: 'specs/PrimaryBackup.mom',
      engine: 'builtin',
      status: 'complete',
      bounds:
        'crashed: r3; Byzantine: r4 (sends Reply, Order; budget 2); symmetry: C; constants: MaxSeq = 1; deadlock checking: off; limits: 1000000 states',
      crashed: 'r3',
      byzantine: 'r4 (sends Reply, Order; budget 2)',
      symmetry: 'C',
      'constant.MaxSeq': '1',
      deadlock: 'false',
      maxStates: '1000000',
      stats: '1234 states generated, 567 distinct states, depth 12, 0.50 s (2468 states/s), peak RSS 48 MB',
    });
  });

  it('escapes special characters so that they round-trip', () => {
    const out = toJUnitXml([nasty]);
    expect(out).not.toContain(NASTY);
    expect(out).not.toContain(']]>');
    const s = arr(parse(out)['testsuites'] as El, 'testsuite')[0]!;
    expect(s['@_name']).toBe('Prog"&.M');
    const [p, q] = arr(s, 'testcase');
    expect(p!['@_name']).toBe('P<&>');
    expect(p!['@_classname']).toBe('Prog"&.M');
    const f = arr(p!, 'failure')[0]!;
    expect(f['@_message']).toBe(`P<&> violated: ${NASTY}`);
    expect(f['#text']).toBe(`P<&> violated: ${NASTY}\ncounterexample (1 state):\n  1. initial state\n       n.v = ${NASTY}`);
    expect(arr(q!, 'skipped')[0]!['@_message']).toBe(NASTY);
    const props = (s['properties'] as El)['property'] as El[];
    expect(props.find((x) => x['@_name'] === 'constant.S')?.['@_value']).toBe(NASTY);
  });

  it('keeps text XML can carry: control characters become U+FFFD, newlines leave attributes', () => {
    const weird = clone(nasty) as unknown as { models: { properties: { detail?: string }[] }[] };
    weird.models[0]!.properties[1]!.detail = 'a\u0001b\nc';
    const s = arr(parse(toJUnitXml([weird as unknown as VerifyResult]))['testsuites'] as El, 'testsuite')[0]!;
    expect(arr(arr(s, 'testcase')[1]!, 'skipped')[0]!['@_message']).toBe('a\uFFFDb c');
  });
});
