// The deploy file's settings for the run, checked against the program:
// [Timeouts] name TIMEOUT transitions, [Limits] the link's bounds (limits.ts), [Constants] give declared constants a
// value of their type, [Dissemination] names known optimizers and record types.

import { constEval, type ConstValue } from '../analysis/consteval.js';
import { showTy, tyOfDomain, type Ty } from '../analysis/types.js';
import type { DeployConstant, DisseminationRule, Optimizer } from './deployment.js';
import type { DeployContext } from './check.js';
import { constEnv, principalsIn, rangeBounds, type ConstOverride } from './constants.js';
import { checkLimits, type LinkLimits } from './limits.js';
import { OPTIMIZERS, QUORUM, type OptimizerParam } from './optimizers.js';
import { timeoutKey } from './resolve.js';
import type { ConstantEntry, DeploySyntax, OptimizerArgSyntax, OptimizerSyntax } from './syntax.js';

export interface Settings {
  readonly timeouts: ReadonlyMap<string, number>;
  /** `DOUBLING(p)` entries: the parameter, by timeoutKey. */
  readonly doubling: ReadonlyMap<string, string>;
  readonly defaultTimeoutMs?: number;
  readonly constants: ReadonlyMap<string, DeployConstant>;
  readonly dissemination: readonly DisseminationRule[];
  readonly limits: LinkLimits;
}

export function checkSettings(syntax: DeploySyntax, ctx: DeployContext): Settings {
  const constants = checkConstants(syntax.constants, ctx);
  const timeouts = new Map<string, number>();
  const doubling = new Map<string, string>();
  let defaultTimeoutMs: number | undefined;
  for (const e of syntax.timeouts) {
    if (e.role === undefined || e.transition === undefined) {
      defaultTimeoutMs = e.ms;
      continue;
    }
    const role = ctx.program.roles.get(e.role.name);
    if (role === undefined) {
      ctx.report('MOM612', `PROGRAM ${ctx.program.name} has no role ${e.role.name} (its roles: ${[...ctx.program.roles.keys()].join(', ')})`, e.role.span);
      continue;
    }
    const timeoutNames = role.transitions.filter((t) => t.decl.kind === 'timeout').map((t) => t.name);
    const tr = role.transitions.find((t) => t.name === e.transition!.name);
    const theirs = timeoutNames.length === 0 ? 'it has none' : `its TIMEOUT transitions: ${timeoutNames.join(', ')}`;
    if (tr === undefined) ctx.report('MOM612', `role ${role.name} has no transition ${e.transition.name} (${theirs})`, e.transition.span);
    else if (tr.decl.kind !== 'timeout') ctx.report('MOM612', `${role.name}.${tr.name} is not a TIMEOUT transition, so it has no timer (${theirs})`, e.transition.span);
    else {
      timeouts.set(timeoutKey(role.name, tr.name), e.ms);
      const d = e.doubling;
      if (d !== undefined) {
        const params = tr.decl.params.map((p) => p.name.name);
        if (!params.includes(d.name)) {
          const has = params.length === 0 ? 'it has no parameters' : `its parameters: ${params.join(', ')}`;
          ctx.report('MOM612', `DOUBLING(${d.name}): ${role.name}.${tr.name} has no parameter ${d.name} (${has}); name the parameter that grows with each consecutive timeout, such as the view`, d.span);
        } else doubling.set(timeoutKey(role.name, tr.name), d.name);
      }
    }
  }
  const overrides = new Map<string, ConstOverride>([...constants].map(([k, v]) => [k, { value: v }]));
  const dissemination = syntax.dissemination.flatMap((e): DisseminationRule[] => {
    const publishers = ctx.expand(e.publishers, false);
    const verifiers = ctx.expand(e.verifiers, false);
    for (const t of e.recordTypes) {
      if (!ctx.program.records.has(t.name)) ctx.report('MOM615', `PROGRAM ${ctx.program.name} has no record type ${t.name} (its records: ${[...ctx.program.records.keys()].join(', ')})`, t.span);
    }
    const optimizers = checkRepeats(e.optimizers.flatMap((o) => checkOptimizer(o, ctx, overrides)), ctx);
    if (publishers === undefined || verifiers === undefined) return [];
    return [{ publishers, verifiers, recordTypes: e.recordTypes.map((t) => t.name), optimizers, span: e.span }];
  });
  const limits = checkLimits(syntax.limits, (message, span) => ctx.report('MOM625', message, span));
  return { timeouts, doubling, ...(defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs }), constants, dissemination, limits };
}

function constantTy(name: string, ctx: DeployContext): Ty | undefined {
  const decl = ctx.program.constants.get(name);
  if (decl === undefined) return undefined;
  const dom = ctx.program.domainOf.get(decl.id);
  return dom !== undefined ? tyOfDomain(dom) : ctx.program.typeOf.get(decl.value.id);
}

function checkConstants(entries: readonly ConstantEntry[], ctx: DeployContext): Map<string, DeployConstant> {
  const values = new Map<string, DeployConstant>();
  const { program } = ctx;
  for (const e of entries) {
    const name = e.name.name;
    const ty = constantTy(name, ctx);
    if (ty === undefined) {
      ctx.report('MOM614', `PROGRAM ${program.name} declares no constant ${name} (its constants: ${[...program.constants.keys()].join(', ') || 'none'})`, e.name.span);
      continue;
    }
    const v = e.value;
    const wrong = (what: string): void => ctx.report('MOM614', `${name} is ${what}`, v.span);
    switch (ty.k) {
      case 'int':
        if (v.kind === 'int') values.set(name, v.value);
        else wrong('an integer');
        break;
      case 'bool':
        if (v.kind === 'bool') values.set(name, v.value);
        else wrong('TRUE or FALSE');
        break;
      case 'principal': {
        const members = ty.set === undefined ? ctx.everyone : (program.principalSets.get(ty.set) ?? []);
        if (v.kind === 'name' && members.includes(v.name)) values.set(name, v.name);
        else wrong(`a principal${ty.set === undefined ? '' : ` of ${ty.set}`} (${members.join(', ')})`);
        break;
      }
      default:
        ctx.report('MOM614', `${name} is of type ${showTy(ty)}; a deploy file sets only integer, boolean and principal constants`, e.name.span);
    }
  }
  // Declared ranges may depend on other constants, so bounds are evaluated with every deploy value in place.
  const env = constEnv(program, new Map([...values].map(([k, v]) => [k, { value: v }])));
  for (const e of entries) {
    const v = values.get(e.name.name);
    const decl = program.constants.get(e.name.name);
    const dom = decl === undefined ? undefined : program.domainOf.get(decl.id);
    if (typeof v !== 'number' || dom === undefined) continue;
    const b = rangeBounds(dom, env);
    if (b !== undefined && (v < b.lo || v > b.hi)) {
      ctx.report('MOM614', `${e.name.name} = ${v} is outside its declared type ${b.lo}..${b.hi}`, e.value.span);
      values.delete(e.name.name);
    }
  }
  return values;
}

function argText(a: OptimizerArgSyntax): string | number {
  return a.kind === 'name' ? a.name : a.kind === 'int' ? a.value : a.ms;
}

function checkOptimizer(o: OptimizerSyntax, ctx: DeployContext, overrides: ReadonlyMap<string, ConstOverride>): Optimizer[] {
  const name = o.name.name.toUpperCase();
  const info = OPTIMIZERS[name];
  if (info === undefined) {
    ctx.report('MOM615', `unknown optimizer ${o.name.name}; the optimizers are ${Object.keys(OPTIMIZERS).join(', ')} (e.g. ${Object.values(OPTIMIZERS).map((i) => i.usage.split(' or ')[0]).join('; ')})`, o.name.span);
    return [];
  }
  if (o.args.length !== info.params.length) {
    const n = info.params.length;
    ctx.report('MOM615', `${name} takes ${n === 0 ? 'no arguments' : `${n} argument${n === 1 ? '' : 's'}`} (${info.usage}), not ${o.args.length}`, o.span);
    return [];
  }
  let ok = true;
  o.args.forEach((a, i) => {
    const problem = argProblem(info.params[i]!, a, ctx, overrides);
    if (problem !== undefined) {
      ctx.report(problem.code, `${name}: ${problem.message} (${info.usage})`, a.span);
      ok = false;
    }
  });
  if (o.escalationMs !== undefined && !info.escalates) {
    ctx.report('MOM615', `${name} takes no escalation timeout: it changes how statements are framed, not who gets them, so there is nothing to escalate (${info.usage}); an escalation timeout follows an OPTIMISTIC step`, o.span);
    ok = false;
  }
  if (!ok) return [];
  const optimizer: Optimizer = { name, args: o.args.map(argText), argSpans: o.args.map((a) => a.span), span: o.span };
  return [o.escalationMs === undefined ? optimizer : { ...optimizer, escalationMs: o.escalationMs }];
}

/** BATCH and DIGEST once per rule: a second one would only contradict the first. */
function checkRepeats(optimizers: readonly Optimizer[], ctx: DeployContext): Optimizer[] {
  const seen = new Map<string, Optimizer>();
  return optimizers.filter((o) => {
    if (OPTIMIZERS[o.name]?.escalates === true) return true;
    const first = seen.get(o.name);
    if (first === undefined) {
      seen.set(o.name, o);
      return true;
    }
    ctx.report('MOM615', `${o.name} appears twice in this rule; it applies to every step of the rule, so give it once`, o.span);
    return false;
  });
}

interface ArgProblem {
  readonly code: 'MOM613' | 'MOM615';
  readonly message: string;
}

/** Principal sets, and constants naming principals: what a target may name besides a principal. */
function targetNames(ctx: DeployContext, overrides: ReadonlyMap<string, ConstOverride>): string {
  const env = constEnv(ctx.program, overrides);
  const constants = [...ctx.program.constants.keys()].filter((c) => principalsIn(env.lookup(c), ctx.principals) !== undefined);
  return [...ctx.program.principalSets.keys(), ...constants].join(', ');
}

function argProblem(param: OptimizerParam, a: OptimizerArgSyntax, ctx: DeployContext, overrides: ReadonlyMap<string, ConstOverride>): ArgProblem | undefined {
  const refuse = (message: string, code: ArgProblem['code'] = 'MOM615'): ArgProblem => ({ code, message });
  switch (param) {
    case 'count':
      if (a.kind !== 'int') return refuse('the count is a positive whole number');
      if (a.value === 0) return refuse('a batch of 0 statements would never be sent; the count is how many statements fill a batch, at least 1');
      return a.value > 0 ? undefined : refuse(`a count of ${a.value} is negative; the count is a positive whole number`);
    case 'duration':
      if (a.kind !== 'duration') return refuse('the window is a duration such as 2ms');
      if (a.ms === 0) return refuse('a batch window of 0ms would send every statement alone; give a positive window such as 2ms', 'MOM613');
      return a.ms > 0 ? undefined : refuse(`a batch window of ${a.ms}ms is negative; give a positive window such as 2ms`, 'MOM613');
    case 'target': {
      const expected = `a target is QUORUM, a principal, or a set or constant naming principals (${targetNames(ctx, overrides)})`;
      if (a.kind !== 'name') return refuse(expected);
      if (a.name === QUORUM || ctx.principals.has(a.name) || ctx.program.principalSets.has(a.name)) return undefined;
      if (ctx.program.constants.has(a.name)) {
        const v: ConstValue | undefined = constEval({ kind: 'name', name: a.name, id: -1, span: a.span }, constEnv(ctx.program, overrides));
        return principalsIn(v, ctx.principals) === undefined ? refuse(`constant ${a.name} does not name principals (${showValue(v)}); ${expected}`) : undefined;
      }
      if (ctx.nodes.has(a.name)) return refuse(`${a.name} is a trusted third party, not a principal of PROGRAM ${ctx.program.name}: it verifies no statement, so it cannot relay one; ${expected}`);
      return refuse(`${a.name} is no principal, principal set or constant of PROGRAM ${ctx.program.name}; ${expected}`);
    }
  }
}

function showValue(v: ConstValue | undefined): string {
  if (v === undefined) return 'no value';
  if (typeof v === 'object') return `{${v.set.join(', ')}}`;
  return typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
}
