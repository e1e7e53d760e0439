// `mommie replay --engine tlc`: the same logs, loaded and merged in causal
// order as the built-in replay does (merge.ts), written as a trace-validation
// module (tla.ts) over the program's generated module and checked by TLC.
// TLC's answer is read back in the built-in replay's terms: accepted with the
// same counts, or rejected at the event (file, line, node) where TLC's
// search stops — the deepest state it reaches, or the state in which it
// could not evaluate the next step.

import { isLeft } from 'fp-ts/lib/Either.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { TlcResult } from '../tlc/result.js';
import { runTlcProcess, type TlcTools } from '../tlc/run.js';
import { loadRun, mergeAsLogged, type MergedEvent, type ReplayOptions } from './merge.js';
import { invariantBroken, type ReplayResult } from './replay.js';
import type { TraceFile } from './read-log.js';
import { showStatementJson } from './rerun.js';
import { traceModule } from './tla.js';
import { valueFromJson } from './value-json.js';
import { showValue } from '../semantics/value.js';
import type { Value } from '../semantics/value.js';

export interface TlcReplayOptions extends ReplayOptions {
  readonly timeoutMs?: number;
  readonly heapMB?: number;
  /** Keep the generated module here instead of a temporary directory (for a reader, or a test). */
  readonly keepDir?: string;
  readonly isInterrupted?: () => boolean;
}

export type TlcReplayOutcome =
  /** `tlc` is absent when the logs were refused before TLC ran (the shared loader's checks). */
  | { readonly kind: 'result'; readonly result: ReplayResult; readonly tlc?: { readonly events: number; readonly seconds: number; readonly distinct: number } }
  /** TLC did not answer (it could not be run, its output could not be read, it timed out). */
  | { readonly kind: 'failure'; readonly message: string };

export async function replayWithTlc(program: CheckedProgram, source: SourceText | undefined, files: readonly TraceFile[], tools: TlcTools, opts: TlcReplayOptions = {}): Promise<TlcReplayOutcome> {
  const started = Date.now();
  const run = loadRun(program, files, opts);
  if ('rejection' in run) return { kind: 'result', result: { ok: false, rejection: run.rejection } };
  // The generated module starts every node in its initial state; a checkpoint's state is not a TLA+ initial state yet.
  const compacted = run.logs.find((l) => l.base !== undefined);
  if (compacted !== undefined) return { kind: 'result', result: { ok: false, rejection: { file: compacted.file, line: 1, node: compacted.node, message: `the log continues from checkpoint ${compacted.base!.seq} (a compacted log): replay --engine tlc does not start from checkpoints yet; the built-in engine (the default) does` } } };
  // The merge as the built-in replay walks it, every step taken as logged:
  // up to the first step the semantics refuses, both see the same sequence.
  // When the merge gets stuck, TLC checks the events before it, and if it
  // takes them all the merge's diagnosis is the answer, as in the built-in replay.
  const { events, end } = mergeAsLogged(run);

  const tv = traceModule(program, source, run, events);
  const dir = opts.keepDir ?? mkdtempSync(join(tmpdir(), 'mommie-tv-'));
  const removeDir = (): void => {
    if (opts.keepDir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', removeDir);
  try {
    for (const [name, text] of tv.files) writeFileSync(join(dir, name), text);
    const r = await runTlcProcess(tools, {
      cwd: dir,
      module: tv.module,
      config: tv.config,
      metadir: join(dir, 'meta'),
      ...(opts.heapMB !== undefined ? { heapMB: opts.heapMB } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.isInterrupted !== undefined ? { isInterrupted: opts.isInterrupted } : {}),
    });
    const seconds = (Date.now() - started) / 1000;
    if (r.timedOut) return { kind: 'failure', message: `TLC did not finish within ${(opts.timeoutMs ?? 0) / 1000} s` };
    if (isLeft(r.parsed)) return { kind: 'failure', message: `could not read TLC's output: ${r.parsed.left.message}${r.stderr.trim() ? `\n${r.stderr.trim()}` : ''}` };
    const stop = stoppedAt(r.parsed.right, events.length);
    if ('failure' in stop) return { kind: 'failure', message: stop.failure };
    const distinct = r.parsed.right.statistics?.distinct ?? 0;
    const tlc = { events: events.length, seconds, distinct };
    if (stop.at === 0) return { kind: 'result', result: { ok: false, rejection: { file: run.logs[0]?.file ?? '', line: 1, node: '', message: stop.why } }, tlc };
    if (stop.at === undefined && end.kind === 'stuck') return { kind: 'result', result: { ok: false, rejection: end.rejection }, tlc };
    if (stop.at === undefined) {
      let fires = 0;
      let deliveries = 0;
      let byzantine = 0;
      let countersigned = 0;
      for (const { event: e } of events) {
        if (e.k === 'fire' || e.k === 'abort') fires++;
        if (e.k === 'deliver') deliveries++;
        if (e.k === 'byz') byzantine++;
        if (e.k === 'countersign') countersigned++;
      }
      const model = run.model;
      return { kind: 'result', result: { ok: true, nodes: run.logs.length, events: events.length, fires, deliveries, byzantine, countersigned, model: model.decl.id === -1 ? null : model.name, invariants: model.invariants }, tlc };
    }
    const bad = events[stop.at - 1]!;
    const e = bad.event;
    const message = `event ${'n' in e ? e.n : ''} of ${bad.log.node}: ${stop.invariant !== undefined ? stop.why : describe(bad, program, stop.why)}`;
    return { kind: 'result', result: { ok: false, rejection: { file: bad.log.file, line: bad.line, node: bad.log.node, message } }, tlc };
  } finally {
    process.off('exit', removeDir);
    removeDir();
  }
}

/**
 * Where TLC's search stopped, 1-based in the trace; undefined when the whole
 * trace was taken, 0 when the initial state breaks an invariant. Each step
 * advances the cursor by one from 1, so the depth of the search is the
 * cursor of the deepest state: Len + 1 accepts. An invariant broken in the
 * state with cursor l was broken by event l - 1.
 */
function stoppedAt(t: TlcResult, length: number): { at: number | undefined; why: string; invariant?: string } | { failure: string } {
  if (t.verdict === 'success') {
    const depth = t.statistics?.depth;
    if (depth === null || depth === undefined) return { failure: 'TLC finished without saying how deep its search went' };
    return depth > length ? { at: undefined, why: '' } : { at: depth, why: '' };
  }
  const f = t.findings[0];
  if (t.verdict === 'violation' && f !== undefined && f.kind === 'invariant') {
    const last = f.trace?.states[f.trace.states.length - 1];
    const l = last?.variables.find((v) => v.name === 'TV_l')?.value;
    if (f.initial) return { at: 0, why: invariantBroken(f.name, '').replace('after this step', 'in the initial state'), invariant: f.name };
    if (l !== undefined && l.kind === 'int' && l.value >= 2 && l.value <= length + 1) return { at: l.value - 1, why: invariantBroken(f.name, ''), invariant: f.name };
    return { failure: `TLC reports invariant ${f.name} violated in a state it does not place in the trace` };
  }
  if (t.verdict === 'evaluation-error' && f !== undefined && f.kind === 'evaluation-error') {
    const last = f.trace?.states[f.trace.states.length - 1];
    const l = last?.variables.find((v) => v.name === 'TV_l')?.value;
    if (l !== undefined && l.kind === 'int' && l.value >= 1 && l.value <= length) return { at: l.value, why: ` (TLC could not evaluate the step: ${f.message.split('\n')[0] ?? ''})` };
    return { failure: `TLC could not evaluate the trace: ${f.message.split('\n')[0] ?? ''}` };
  }
  const first = t.errors[0]?.text ?? t.sany.errors[0]?.message ?? t.verdict;
  return { failure: `TLC did not check the trace-validation module (${t.verdict}): ${first.split('\n')[0] ?? ''}` };
}

function describe(m: MergedEvent, program: CheckedProgram, why: string): string {
  const e = m.event;
  const fields = (type: string): readonly string[] => program.records.get(type)?.fields.map((f) => f.name) ?? [];
  const value = (v: Value): string => showValue(v, fields);
  const show = (s: Parameters<typeof showStatementJson>[0]): string => showStatementJson(s, value);
  switch (e.k) {
    case 'fire':
      return `no step ${e.t}(${e.b.map(([k, v]) => `${k} = ${value(valueFromJson(v))}`).join(', ')}) of ${program.name} takes this fire from the state the earlier events reach, with its variable changes and publications${why}`;
    case 'abort':
      return `${e.t} is logged as set aside, but no such instance of ${program.name} is there to set aside${why}`;
    case 'deliver':
      return `no Deliver step of ${program.name} delivers ${show(e.s)} to ${m.log.node} here (unpublished, not a verifier, already known, or a faulty node)${why}`;
    case 'byz':
      return `no Byzantine publication of ${show(e.s)} by ${m.log.node} (not Byzantine in this run, or another issuer's statement)${why}`;
    case 'countersign':
      return `no countersignature of ${show(e.s)} for ${e.from} here (not a TTP, unpublished, or another issuer's statement)${why}`;
    case 'refuse':
      return `${m.log.node} is not a trusted third party, yet it logged a refusal${why}`;
    case 'stop':
      return `a stop no step takes${why}`;
    case 'start':
      return `a second start event${why}`;
  }
}
