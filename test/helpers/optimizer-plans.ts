// The examples the every-example tests run, and the [Dissemination] plans
// they try: for each optimizer, one rule per publisher set and record type,
// less the rules deploy-check refuses because the optimizer does not fit a
// PUBLISH they cover (no quorum threshold, nothing to digest, a relay that is
// not a verifier). The simulated-network test and the TCP test choose their
// plans here, so both run exactly the same ones.

import { expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFile } from '../../src/analysis/frontend.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { admit } from '../../src/tune/admit.js';
import { ROOT } from './cli.js';

export interface Example {
  /** specs/NAME.mom with specs/NAME.deploy. */
  readonly name: string;
  /** Over TCP, run only the first K clients (`mommie run --clients K`): fewer processes on a shared machine. Undefined: all. */
  readonly tcpClients?: number;
}

/**
 * Every example with a deploy file. PBCounter, PBFTCounter and PBFTBatched have eight
 * clients: two of them are enough over TCP. BrachaBroadcast's processes are
 * all clients and its quorums need them, so none is left out.
 */
export const EXAMPLES: readonly Example[] = [
  { name: 'PrimaryBackup' },
  { name: 'PBFTNormal' },
  { name: 'BrachaBroadcast' },
  { name: 'PBCounter', tcpClients: 2 },
  { name: 'PBFTCounter', tcpClients: 2 },
  { name: 'PBFTBatched', tcpClients: 2 },
].filter((e) => existsSync(join(ROOT, 'specs', `${e.name}.deploy`)));

/** The principal sets and record types of a program, and a principal-valued constant (PRIMARY, SENDER) if it has one. */
export function shape(spec: string): { sets: string[]; types: string[]; leader?: string } {
  const text = readFileSync(join(ROOT, 'specs', `${spec}.mom`), 'utf8');
  const sets = [...text.matchAll(/^PRINCIPALS\s+(\w+)\s*=/gm)].map((m) => m[1]!);
  const types = [...text.matchAll(/^RECORD\s+(\w+)/gm)].map((m) => m[1]!);
  const leader = /^CONSTANT\s+(PRIMARY|SENDER)\s*=/m.exec(text)?.[1];
  return leader === undefined ? { sets, types } : { sets, types, leader };
}

export interface Optimizer {
  readonly name: string;
  /** The rule for a head such as `C -> * [Request]`. */
  readonly rule: (head: string) => string;
}

/** BATCH, OPTIMISTIC(QUORUM), DIGEST, and OPTIMISTIC(the program's PRIMARY or SENDER) where it has one. */
export function optimizers(spec: string): Optimizer[] {
  const { leader } = shape(spec);
  return [
    { name: 'BATCH', rule: (s) => `${s} : BATCH(4, 2ms);` },
    { name: 'OPTIMISTIC(QUORUM)', rule: (s) => `${s} : OPTIMISTIC(QUORUM) 100ms;` },
    { name: 'DIGEST', rule: (s) => `${s} : DIGEST;` },
    ...(leader === undefined ? [] : [{ name: `OPTIMISTIC(${leader})`, rule: (s: string) => `${s} : OPTIMISTIC(${leader}) 100ms;` }]),
  ];
}

/** specs/NAME.deploy without its [Dissemination] section (the last one in every example). */
export function baseDeploy(spec: string): string {
  return readFileSync(join(ROOT, 'specs', `${spec}.deploy`), 'utf8').replace(/\[Dissemination\][\s\S]*$/, '');
}

/** What deploy-check may refuse a generated plan for: the optimizer does not fit some PUBLISH it covers. */
export const FITTING_REFUSALS = /^MOM61[6-9]$/;

export interface FittingPlan {
  /** The whole deploy file: the base and the rules kept. */
  readonly text: string;
  readonly rules: number;
  /** The codes deploy-check refused the dropped rules with. */
  readonly refused: ReadonlySet<string>;
}

/**
 * The optimizer where it fits: one rule per publisher set and record type
 * after `base`, then without the rules deploy-check refuses (by their line),
 * until it accepts. The check is deploy-check's own (`admit`, what `mommie
 * deploy-check` and `mommie run` run), in this process; `file` is the name
 * its diagnostics give the deploy file. Undefined when no rule is left.
 */
export function fittingPlan(spec: string, base: string, rule: (head: string) => string, file: string): FittingPlan | undefined {
  const fe = checkFile(join(ROOT, 'specs', `${spec}.mom`));
  expect(fe.ok, spec).toBe(true);
  const { sets, types } = shape(spec);
  let rules = sets.flatMap((s) => types.map((t) => rule(`${s} -> * [${t}]`)));
  const refused = new Set<string>();
  const head = `${base}\n[Dissemination]\n`;
  const first = head.split('\n').length;
  for (let round = 0; round < 6 && rules.length > 0; round++) {
    const text = head + rules.join('\n') + '\n';
    const a = admit(file, text, fe.program!, fe.source);
    const lineOf = (d: Diagnostic): number => a.source.position(d.span!.start).line - first;
    // A rule for a type no publisher of its set publishes (PBFTBatched's Slot,
    // a record inside a batch) has no effect (MOM632): it is no plan for the
    // optimizer, and a run under it could not show the optimizer acting.
    const idle = new Set((a.ok ? a.warnings : a.diagnostics).filter((d) => d.code === 'MOM632' && d.file === file && d.span !== undefined).map(lineOf));
    if (a.ok && idle.size === 0) return { text, rules: rules.length, refused };
    if (a.ok) {
      rules = rules.filter((_, i) => !idle.has(i));
      continue;
    }
    const errors = a.diagnostics.filter((d) => d.severity === 'error');
    // Every refusal is one the optimizer has; anything else is a bug in the base or the checker.
    expect(errors.map((d) => d.code).filter((c) => !FITTING_REFUSALS.test(c)), `${spec}: ${errors.map((d) => `${d.code} ${d.message}`).join('\n')}`).toEqual([]);
    const bad = new Set(errors.filter((d) => d.file === file && d.span !== undefined).map((d) => {
      refused.add(d.code);
      return lineOf(d);
    }));
    if (bad.size === 0) return undefined;
    rules = rules.filter((_, i) => !bad.has(i));
  }
  return undefined;
}
