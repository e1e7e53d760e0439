// The `ctx` a body program is handed for one step, and what it did with it:
// each role variable it wrote, with the place of its last write, and each
// statement it published, with the place of the publish. A write's place is
// taken when the write happens (build/places.ts), so every form of write is
// placed where it is: `ctx.state.x = v`, `ctx.state['x'] = v`,
// `Object.assign(ctx.state, ...)`, a helper, destructuring. The context is
// closed when the step ends: a use after it (from a callback, a promise) is
// refused, and so is a write to something that is no role variable. A failure
// of the context (a bad write, a failed ctx.fn call) fails the step even if
// the program catches what was thrown.

import type { CheckedProgram } from '../analysis/program.js';
import type { BodyCall } from '../semantics/body.js';
import { EvalError } from '../semantics/errors.js';
import type { Value } from '../semantics/value.js';
import type * as A from '../syntax/ast.js';
import { capturePlace, placeAt, type Place } from './places.js';
import { fromHost, toHost, type HostValue } from './values.js';

export interface Published {
  readonly s: unknown;
  /** The place the --assert build marked, else the one taken from the stack (formatted when read). */
  readonly at: string;
}

export class StepContext {
  readonly ctx: object;
  /** The role variables as the program leaves them (host values: checked after the step). */
  readonly state: { [name: string]: unknown } = {};
  private readonly writes = new Map<string, Place>();
  readonly published: Published[] = [];
  private open = true;
  /** The first misuse, kept even if the program caught what was thrown. */
  private misused: EvalError | undefined;

  constructor(
    program: CheckedProgram,
    private readonly call: BodyCall,
    constants: { readonly [name: string]: HostValue },
    /** A MOM703 of the step's transition, saying `message` about the body program. */
    private readonly fail: (message: string) => EvalError,
    /** The body program's method (file:line:col): the place of what the stack cannot place. */
    private readonly methodAt: string,
  ) {
    const { env, transition: t } = call;
    call.vars.names.forEach((n, i) => {
      this.state[n] = toHost(env.vars![i]!, program);
    });
    const self = this;
    this.ctx = Object.freeze({
      me: env.me, state: this.stateProxy(), binding: bindingOf(t.decl, env.bound, program), constants, fn: this.functions(program),
      publish: function publish(s: unknown, at?: string): void {
        self.usable();
        if (typeof at === 'string') {
          self.published.push({ s, at });
          return;
        }
        const place = capturePlace(publish);
        let shown: string | undefined;
        self.published.push({
          s,
          get at(): string {
            shown ??= placeAt(place) ?? self.methodAt;
            return shown;
          },
        });
      },
    });
  }

  /** `ctx.state`: each write recorded with its place; a name that is no role variable, or a delete, refused at its line. */
  private stateProxy(): object {
    const self = this;
    const names = this.call.vars.names;
    const role = this.call.transition.role;
    const write = (k: string | symbol, above: (...args: never[]) => unknown): void => {
      self.usable();
      if (typeof k !== 'string' || !names.includes(k)) throw self.misuse(self.fail(`wrote ${String(k)}, which is no variable of ${role} (at ${placeAt(capturePlace(above)) ?? 'an unknown place'})`));
      self.writes.set(k, capturePlace(above));
    };
    return new Proxy(this.state, {
      set: function setTrap(obj, k, v): boolean {
        write(k, setTrap);
        obj[k as string] = v;
        return true;
      },
      defineProperty: function defineTrap(obj, k, d): boolean {
        write(k, defineTrap);
        return Reflect.defineProperty(obj, k, d);
      },
      deleteProperty: function deleteTrap(_obj, k): boolean {
        self.usable();
        throw self.misuse(self.fail(`deleted ${String(k)} from its state (at ${placeAt(capturePlace(deleteTrap)) ?? 'an unknown place'})`));
      },
    });
  }

  /** `ctx.fn`: the program's functions through the evaluator, a failure placed at the call. */
  private functions(program: CheckedProgram): object {
    const self = this;
    const { evaluator: ev, transition: t } = this.call;
    return Object.freeze(Object.fromEntries([...program.functions.keys()].map((name) => [name, function fnCall(...args: unknown[]): HostValue {
      self.usable();
      const values: Value[] = [];
      for (const a of args) {
        const v = fromHost(a, program);
        if (typeof v === 'object' && 'error' in v) throw self.misuse(self.fail(`gave an argument of ${name} that is no MOMMIE value: ${v.error} (at ${placeAt(capturePlace(fnCall)) ?? 'an unknown place'})`));
        values.push(v);
      }
      try {
        return toHost(ev.callFunction(name, values, t.decl.span), program);
      } catch (e) {
        // The call's own place: the evaluator only knows the transition. Kept even if the program catches it: the step fails as the call did.
        if (e instanceof EvalError) throw self.misuse(new EvalError(e.code, `${e.message} (in the call of ${name} at ${placeAt(capturePlace(fnCall)) ?? 'an unknown place'})`, e.span));
        throw e;
      }
    }])));
  }

  /** The place of the program's last write to `name`, if it wrote it (formats a stack: for reports only). */
  writtenAt(name: string): string | undefined {
    const p = this.writes.get(name);
    return p === undefined ? undefined : (placeAt(p) ?? this.methodAt);
  }

  /** Ends the step: later uses of the context are refused. */
  close(): EvalError | undefined {
    this.open = false;
    return this.misused;
  }

  private usable(): void {
    if (!this.open) throw new Error(`the context of a step of ${this.call.transition.role}.${this.call.transition.name} was used after the step ended (a body program is synchronous: a step is atomic)`);
  }

  private misuse(e: EvalError): EvalError {
    this.misused ??= e;
    return e;
  }
}

function bindingOf(decl: A.Transition, bound: ReadonlyMap<number, Value>, program: CheckedProgram): { readonly [name: string]: HostValue } {
  const out: { [name: string]: HostValue } = {};
  const put = (id: A.Ident): void => {
    const v = bound.get(id.id);
    if (v !== undefined) out[id.name] = toHost(v, program);
  };
  for (const p of decl.params) put(p.name);
  for (const p of decl.patterns) {
    if (p.issuer.kind === 'single') put(p.issuer.binder);
    if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) put(p.issuer.binder);
    if (p.binder !== undefined) put(p.binder);
  }
  return Object.freeze(out);
}
