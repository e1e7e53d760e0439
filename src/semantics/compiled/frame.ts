// What compiled code runs over: slot-addressed bindings instead of the
// interpreter's map from binder ids, the node's role variables by index, and
// the statements it knows (for KNOWN). One frame per compiled unit (a
// transition, a program function); a slot is undefined while its name has no
// value, exactly when the interpreter's map has no entry for it.

import type { MatchWorld } from '../match.js';
import type { Span } from '../../diagnostics/diagnostic.js';
import type { SetValue, Value } from '../value.js';

export interface Frame {
  readonly slots: (Value | undefined)[];
  vars: Value[] | undefined;
  readonly me: string | undefined;
  world: MatchWorld | undefined;
  /**
   * What only a state predicate (an invariant, a property's state formula)
   * sees, as the interpreter's EvalEnv gives it: `p.v` of a principal p, and
   * CORRECT and FAULTY. Undefined in a transition's frame.
   */
  readonly state: StateView | undefined;
}

export interface StateView {
  nodeVar(principal: string, variable: string, at: Span): Value;
  readonly correct: SetValue;
  readonly faulty: SetValue;
}

export type Code = (f: Frame) => Value;
export type Test = (f: Frame) => boolean;

/** The slots of one compiled unit: every name bound in it gets one, by the id of its binding occurrence. */
export class Slots {
  private readonly byDecl = new Map<number, number>();

  slotOf(declId: number): number {
    let s = this.byDecl.get(declId);
    if (s === undefined) {
      s = this.byDecl.size;
      this.byDecl.set(declId, s);
    }
    return s;
  }

  has(declId: number): boolean {
    return this.byDecl.has(declId);
  }

  get size(): number {
    return this.byDecl.size;
  }

  /** The values the frame's slots hold, by the id of their binding occurrence (what the interpreter's map would hold). */
  toMap(f: Frame): Map<number, Value> {
    const out = new Map<number, Value>();
    for (const [id, s] of this.byDecl) {
      const v = f.slots[s];
      if (v !== undefined) out.set(id, v);
    }
    return out;
  }

  /** A frame whose slots hold the values of `bound` (names this unit has no slot for are ignored). */
  fromMap(bound: ReadonlyMap<number, Value>, me: string | undefined, vars: Value[] | undefined, world: MatchWorld | undefined, state?: StateView): Frame {
    const f = this.newFrame(me, vars, world, state);
    for (const [id, v] of bound) {
      const s = this.byDecl.get(id);
      if (s !== undefined) f.slots[s] = v;
    }
    return f;
  }

  /** A frame with `f`'s bindings and the variables `vars`: what fromMap(toMap(f)) gives, without the map. */
  copy(f: Frame, vars: Value[] | undefined): Frame {
    return { slots: f.slots.slice(), vars, me: f.me, world: f.world, state: f.state };
  }

  newFrame(me: string | undefined, vars: Value[] | undefined, world: MatchWorld | undefined, state?: StateView): Frame {
    return { slots: new Array<Value | undefined>(this.byDecl.size).fill(undefined), vars, me, world, state };
  }
}
