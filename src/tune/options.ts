// The tuner's options as they come from a command line, decoded with io-ts:
// the objective is one of three words, counts are positive whole numbers,
// the seed a whole number. Whatever fails says which option and why.

import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { DEFAULT_TUNE_OPTIONS, OBJECTIVES, type Objective, type TuneOptions } from './types.js';

const ObjectiveCodec = t.keyof({ throughput: null, latency: null, bytes: null });

/** A whole number ≥ `min`, written in decimal. */
function wholeFromString(min: number): t.Type<number, string, unknown> {
  return new t.Type<number, string, unknown>(
    `WholeFromString(>= ${min})`,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min,
    (u, c) => {
      if (typeof u !== 'string' || !/^\d+$/.test(u.trim())) return t.failure(u, c);
      const n = Number(u.trim());
      return Number.isSafeInteger(n) && n >= min ? t.success(n) : t.failure(u, c);
    },
    String,
  );
}

const Positive = wholeFromString(1);
const Whole = wholeFromString(0);

const RawCodec = t.partial({
  objective: t.string,
  requests: t.string,
  'max-candidates': t.string,
  rounds: t.string,
  clients: t.string,
  concurrency: t.string,
  seed: t.string,
  cores: t.string,
  'allow-plaintext': t.boolean,
  'allow-rsa': t.boolean,
  quick: t.boolean,
});

export type DecodedArgs = { readonly ok: true; readonly objective: Objective; readonly options: TuneOptions } | { readonly ok: false; readonly message: string };

/** `raw`: the option values as node:util's parseArgs gives them (strings and booleans by option name). */
export function decodeTuneArgs(raw: unknown): DecodedArgs {
  const r = RawCodec.decode(raw);
  if (isLeft(r)) return { ok: false, message: 'the options are not strings and flags' };
  const v = r.right;
  const objective = ObjectiveCodec.decode(v.objective ?? 'throughput');
  if (isLeft(objective)) return { ok: false, message: `--objective takes ${OBJECTIVES.join(', ')}, not '${v.objective ?? ''}'` };
  const numbers: { name: keyof typeof v & string; codec: t.Type<number, string, unknown>; what: string }[] = [
    { name: 'requests', codec: Positive, what: 'a positive whole number' },
    { name: 'max-candidates', codec: Positive, what: 'a positive whole number' },
    { name: 'rounds', codec: Positive, what: 'a positive whole number' },
    { name: 'clients', codec: Positive, what: 'a positive whole number' },
    { name: 'concurrency', codec: Positive, what: 'a positive whole number' },
    { name: 'seed', codec: Whole, what: 'a whole number' },
    { name: 'cores', codec: Positive, what: 'a positive whole number' },
  ];
  const n: Partial<Record<string, number>> = {};
  for (const { name, codec, what } of numbers) {
    const raw = v[name];
    if (raw === undefined) continue;
    const d = codec.decode(raw);
    if (isLeft(d)) return { ok: false, message: `--${name} takes ${what}, not '${String(raw)}'` };
    n[name] = d.right;
  }
  const options: TuneOptions = {
    requests: n['requests'] ?? DEFAULT_TUNE_OPTIONS.requests,
    maxCandidates: n['max-candidates'] ?? DEFAULT_TUNE_OPTIONS.maxCandidates,
    rounds: n['rounds'] ?? DEFAULT_TUNE_OPTIONS.rounds,
    ...(n['clients'] !== undefined ? { clients: n['clients'] } : {}),
    concurrency: n['concurrency'] ?? DEFAULT_TUNE_OPTIONS.concurrency,
    seed: n['seed'] ?? DEFAULT_TUNE_OPTIONS.seed,
    ...(n['cores'] !== undefined ? { cores: n['cores'] } : {}),
    allowPlaintext: v['allow-plaintext'] === true,
    allowRsa: v['allow-rsa'] === true,
    quick: v.quick === true,
  };
  return { ok: true, objective: objective.right, options };
}
