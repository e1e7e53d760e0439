// A program under one model: the principals as nodes with their roles and
// fault status, the constants' values, what each Byzantine principal may send.

import type { CheckedProgram, RoleInfo } from '../analysis/program.js';
import type * as A from '../syntax/ast.js';
import type { BodyProgram } from './body.js';
import { isCarrierType } from './byzantine-carriers.js';
import { enumerate } from './domain.js';
import { EvalError } from './errors.js';
import { Evaluator, type FunctionDefinition, type HostFunction } from './eval.js';
import { isSet, makeSet, type RecordValue, type SetValue, type Value } from './value.js';

export const DEFAULT_BYZANTINE_BUDGET = 2;

export type NodeStatus = 'correct' | 'crashed' | 'byzantine';

export interface NodeInfo {
  readonly index: number;
  readonly name: string;
  readonly role?: RoleInfo;
  readonly status: NodeStatus;
}

export interface ByzantineSend {
  readonly recordType: string;
  /**
   * Every record of the type, in canonical order (what the model checker
   * tries). Enumerated when first read, and refused past 1,000,000 values
   * (MOM502): a run under a deployment's constants draws records instead
   * (runtime/byzantine-draw.ts) and never reads this.
   */
  readonly records: readonly RecordValue[];
  /** Each choice of verifier set: the listed set and each single member. */
  readonly verifierChoices: readonly (readonly string[])[];
  readonly auditors: readonly string[];
  /** A record type with certificate fields: its records are chosen per state from the pool (byzantine-carriers.ts); `records` is not read. */
  readonly carrier: boolean;
  /**
   * The SENDS item's WHERE condition (absent: every record of the type).
   * `records` holds only the records it allows; a carrier's records, made
   * per state, and a record a log or a run's draw gives are asked here.
   */
  readonly allows?: (record: RecordValue) => boolean;
  /** The WHERE itself, for the translations that write it out (trace validation). */
  readonly where?: NonNullable<A.ByzantineSend['where']>;
}

export interface ByzantineInfo {
  readonly node: number;
  readonly sends: readonly ByzantineSend[];
  readonly budget: number;
}

export interface ModelInstance {
  readonly program: CheckedProgram;
  readonly name: string;
  readonly decl: A.Decl & { kind: 'model' };
  readonly evaluator: Evaluator;
  readonly nodes: readonly NodeInfo[];
  readonly nodeIndex: ReadonlyMap<string, number>;
  /** Every principal, sorted: what `*` stands for. */
  readonly everyone: readonly string[];
  readonly correct: SetValue;
  readonly faulty: SetValue;
  readonly byzantine: readonly ByzantineInfo[];
  /** Principal sets whose members are interchangeable (opt-in SYMMETRY). */
  readonly symmetry: readonly (readonly string[])[];
  /** Names of the invariants and properties this model checks. */
  readonly invariants: readonly string[];
  readonly properties: readonly string[];
  readonly constants: ReadonlyMap<string, Value>;
  /**
   * Body programs run instead of body specs, by `Role.Transition` (a build's,
   * `mommie run --build`); the model checker and replay never have any.
   */
  readonly bodies?: ReadonlyMap<string, BodyProgram>;
}

export type InstantiateResult = { ok: true; instance: ModelInstance } | { ok: false; error: EvalError };

/**
 * `host` supplies functions the program leaves to its implementation, over
 * the model's definitions of them (the seam for body programs).
 */
export function instantiate(program: CheckedProgram, modelName: string, runConstants: ReadonlyMap<string, Value> = new Map(), host: ReadonlyMap<string, HostFunction> = new Map()): InstantiateResult {
  return instantiateModel(program, modelName, runConstants, host, true);
}

/**
 * What `mommie run` runs: the program under `modelName`'s faults (or, with
 * none, every principal correct) at the deployment's constants. A Byzantine
 * principal's records are not enumerated here: under a deployment's
 * constants a record type may have billions of values, and a run draws them
 * one at a time.
 */
export function instantiateForRun(program: CheckedProgram, modelName: string | undefined, runConstants: ReadonlyMap<string, Value>, host: ReadonlyMap<string, HostFunction> = new Map()): InstantiateResult {
  return modelName === undefined ? instantiateRun(program, runConstants, host) : instantiateModel(program, modelName, runConstants, host, false);
}

function instantiateModel(program: CheckedProgram, modelName: string, runConstants: ReadonlyMap<string, Value>, host: ReadonlyMap<string, HostFunction>, enumerateByzantine: boolean): InstantiateResult {
  const decl = program.models.get(modelName);
  if (decl === undefined) {
    return { ok: false, error: new EvalError('MOM503', `no model named ${modelName}`, program.ast.name.span) };
  }
  try {
    return { ok: true, instance: build(program, decl, runConstants, host, enumerateByzantine) };
  } catch (e) {
    if (e instanceof EvalError) return { ok: false, error: e };
    throw e;
  }
}

/**
 * The program as a run executes it without a model: every principal correct,
 * the program's constants overridden by `runConstants` (a deployment's).
 * With no model, the functions the program leaves to its implementation come
 * from `host` alone.
 */
export function instantiateRun(program: CheckedProgram, runConstants: ReadonlyMap<string, Value>, host: ReadonlyMap<string, HostFunction> = new Map()): InstantiateResult {
  const at = program.ast.name;
  const decl: A.Decl & { kind: 'model' } = { kind: 'model', id: -1, span: at.span, name: { id: -1, span: at.span, name: 'Run' }, items: [] };
  try {
    return { ok: true, instance: build(program, decl, runConstants, host, false) };
  } catch (e) {
    if (e instanceof EvalError) return { ok: false, error: e };
    throw e;
  }
}

/** A SENDS item's WHERE as a predicate over records (a condition that is not boolean is refused by the analysis, MOM303). */
function whereCondition(evaluator: Evaluator, w: NonNullable<A.ByzantineSend['where']>): (record: RecordValue) => boolean {
  return (record) => evaluator.eval(w.cond, { bound: new Map([[w.binder.id, record]]) }) === true;
}

function principalsOf(v: Value, at: A.Node): string[] {
  if (typeof v === 'string') return [v];
  if (isSet(v)) return v.elems.filter((x): x is string => typeof x === 'string');
  throw new EvalError('MOM503', 'a principal or a set of principals was expected', at.span);
}

function build(program: CheckedProgram, decl: A.Decl & { kind: 'model' }, runConstants: ReadonlyMap<string, Value>, host: ReadonlyMap<string, HostFunction>, enumerateByzantine: boolean): ModelInstance {
  const overrides = new Map<string, A.Expr>();
  const definitions = new Map<string, FunctionDefinition>();
  for (const item of decl.items) {
    if (item.kind === 'constant') overrides.set(item.name.name, item.value);
    if (item.kind === 'function') definitions.set(item.name.name, { params: item.params, body: item.body });
  }
  const evaluator = new Evaluator(program, overrides, runConstants, { definitions, host });
  // Refused before anything runs, at the declaration: a missing function
  // would otherwise surface only when some node first calls it.
  const missing = evaluator.unsupplied()[0];
  if (missing !== undefined) {
    throw new EvalError('MOM505', decl.id === -1
      ? `function ${missing.name.name} is left to the program, and nothing supplies it to this run: run under a model that defines it (--model NAME)`
      : `function ${missing.name.name} is left to the program, and model ${decl.name.name} does not define it`, missing.name.span);
  }
  const constants = new Map<string, Value>();
  for (const name of program.constants.keys()) constants.set(name, evaluator.constant(name, program.constants.get(name)!.name.span));

  const status = new Map<string, NodeStatus>();
  const byzItems: (A.ModelItem & { kind: 'byzantine' })[] = [];
  const symmetry: string[][] = [];
  let checked: Set<string> | undefined;
  for (const item of decl.items) {
    switch (item.kind) {
      case 'crash':
        for (const p of principalsOf(evaluator.eval(item.who, { bound: new Map() }), item.who)) status.set(p, 'crashed');
        break;
      case 'byzantine':
        for (const p of principalsOf(evaluator.eval(item.who, { bound: new Map() }), item.who)) status.set(p, 'byzantine');
        byzItems.push(item);
        break;
      case 'symmetry':
        // Only the members no one names individually (analysis/models.ts).
        symmetry.push([...(program.symmetryMembers.get(item.set.id) ?? [])]);
        break;
      case 'check':
        checked ??= new Set();
        for (const p of item.properties) checked.add(p.name);
        break;
      case 'constant':
      case 'function':
        break;
    }
  }

  const roleOfSet = new Map<string, RoleInfo>();
  for (const r of program.roles.values()) roleOfSet.set(r.set, r);
  const nodes: NodeInfo[] = [];
  for (const [set, members] of program.principalSets) {
    for (const name of members) {
      const role = roleOfSet.get(set);
      const n: NodeInfo = { index: nodes.length, name, status: status.get(name) ?? 'correct', ...(role ? { role } : {}) };
      nodes.push(n);
    }
  }
  const nodeIndex = new Map(nodes.map((n) => [n.name, n.index]));
  const everyone = nodes.map((n) => n.name).sort();

  const byzantine: ByzantineInfo[] = [];
  for (const item of byzItems) {
    const budgetV = item.budget === undefined ? DEFAULT_BYZANTINE_BUDGET : evaluator.eval(item.budget, { bound: new Map() });
    const budget = typeof budgetV === 'number' ? budgetV : DEFAULT_BYZANTINE_BUDGET;
    const sends: ByzantineSend[] = item.sends.map((s) => {
      const allows = s.where === undefined ? undefined : whereCondition(evaluator, s.where);
      let records: readonly RecordValue[] | undefined;
      const enumerated = (): readonly RecordValue[] => (records ??= (enumerate({ k: 'record', name: s.recordType.name }, evaluator, s.recordType.span) as RecordValue[]).filter((r) => allows === undefined || allows(r)));
      // The model checker's domain too large is refused here, at the SENDS, before any search.
      const carrier = isCarrierType(program, s.recordType.name);
      if (enumerateByzantine && !carrier) enumerated();
      const listed = s.to.kind === 'everyone' ? everyone : s.to.kind === 'expr' ? principalsOf(evaluator.eval(s.to.expr, { bound: new Map() }), s.to) : [];
      const sortedListed = [...new Set(listed)].sort();
      const choices: string[][] = [sortedListed];
      if (sortedListed.length > 1) for (const p of sortedListed) choices.push([p]);
      const auditors = s.audit.kind === 'everyone' ? everyone : s.audit.kind === 'expr' ? [...new Set(principalsOf(evaluator.eval(s.audit.expr, { bound: new Map() }), s.audit))].sort() : [];
      return {
        recordType: s.recordType.name, verifierChoices: choices, auditors, carrier,
        ...(allows === undefined || s.where === undefined ? {} : { allows, where: s.where }),
        get records(): readonly RecordValue[] {
          return enumerated();
        },
      };
    });
    for (const p of principalsOf(evaluator.eval(item.who, { bound: new Map() }), item.who)) {
      const idx = nodeIndex.get(p);
      if (idx !== undefined) byzantine.push({ node: idx, sends, budget });
    }
  }

  const correct = makeSet(nodes.filter((n) => n.status === 'correct').map((n) => n.name));
  const faulty = makeSet(nodes.filter((n) => n.status !== 'correct').map((n) => n.name));
  const invariants = [...program.invariants.keys()].filter((n) => checked === undefined || checked.has(n));
  const properties = [...program.properties.keys()].filter((n) => checked === undefined || checked.has(n));
  return {
    program, name: decl.name.name, decl, evaluator, nodes, nodeIndex, everyone, correct, faulty,
    byzantine, symmetry, invariants, properties, constants,
  };
}

/**
 * An input transition: the application calls it (parameters, no pattern). A
 * TIMEOUT is never one, whatever its parameters: its timer fires it (a
 * TIMEOUT over a view number, PBFT's view change, has a parameter and no
 * pattern).
 */
export function isInputTransition(decl: { readonly kind: string; readonly params: readonly unknown[]; readonly patterns: readonly unknown[] }): boolean {
  return decl.kind !== 'timeout' && decl.params.length > 0 && decl.patterns.length === 0;
}

/** Whether a node runs input transitions (parameters, no pattern): an application's client. */
export function isClient(n: NodeInfo): boolean {
  return n.role?.transitions.some((t) => isInputTransition(t.decl)) ?? false;
}

/**
 * The model with its first `k` correct clients running and its other clients
 * crashed from the start, the way a model crashes the clients it does not
 * need (a run with fewer clients than the program declares). How many
 * correct clients there are when that is fewer than `k`.
 */
export function withClients(m: ModelInstance, k: number): ModelInstance | { readonly available: number } {
  const clients = m.nodes.filter((n) => n.status === 'correct' && isClient(n));
  if (clients.length < k) return { available: clients.length };
  const off = new Set(clients.slice(k).map((n) => n.name));
  const nodes = m.nodes.map((n) => (off.has(n.name) ? { ...n, status: 'crashed' as const } : n));
  return {
    ...m, nodes,
    correct: makeSet(nodes.filter((n) => n.status === 'correct').map((n) => n.name)),
    faulty: makeSet(nodes.filter((n) => n.status !== 'correct').map((n) => n.name)),
  };
}
