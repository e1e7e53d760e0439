// TLA+ names for MOMMIE names. MOMMIE identifiers are valid TLA+ identifiers;
// a name that TLA+ reserves, that the standard modules define, or that the
// translation itself uses gets a trailing underscore.

const RESERVED = new Set([
  'ASSUME', 'ASSUMPTION', 'AXIOM', 'BOOLEAN', 'CASE', 'CHOOSE', 'CONSTANT', 'CONSTANTS', 'DOMAIN', 'ELSE',
  'ENABLED', 'EXCEPT', 'EXTENDS', 'IF', 'IN', 'INSTANCE', 'LET', 'LOCAL', 'MODULE', 'OTHER', 'SF_', 'SUBSET',
  'THEN', 'THEOREM', 'UNCHANGED', 'UNION', 'VARIABLE', 'VARIABLES', 'WF_', 'WITH', 'LAMBDA', 'STRING',
  'TRUE', 'FALSE', 'PROOF', 'OBVIOUS', 'OMITTED', 'BY', 'QED', 'DEF', 'DEFS', 'HAVE', 'HIDE', 'USE', 'TAKE',
  'WITNESS', 'PICK', 'SUFFICES', 'NEW', 'STATE', 'ACTION', 'TEMPORAL', 'LEMMA', 'PROPOSITION', 'COROLLARY',
  'ONLY', 'RECURSIVE', 'INSTANCE',
  // Standard modules the translation extends.
  'Nat', 'Int', 'Real', 'Cardinality', 'IsFiniteSet', 'Seq', 'Len', 'Head', 'Tail', 'Append', 'SubSeq',
  'SelectSeq', 'Infinity',
  // The translation's own names.
  'Init', 'Next', 'Spec', 'vars', 'pool', 'known', 'handled', 'Correct', 'Faulty', 'Crashed', 'Byzantine',
  'ByzSends', 'Budget', 'Principals', 'RoleNodes', 'Deliver', 'ByzantinePublish', 'Fairness', 'TypeOK',
  'InType', 'Statement', 'Statements', 'Records', 'TriggerInstances', 'NOONE', 'Symmetry',
]);

export function tlaName(name: string): string {
  return RESERVED.has(name) || name.startsWith('MC_') || name.startsWith('T_') || name.startsWith('Mk_') ? `${name}_` : name;
}

export function tlaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The TLA+ variable of a role variable: its own name, or `Role_name` when
 * another role has a variable of the same name (TLA+ has one namespace).
 */
export function roleVarName(program: { roles: ReadonlyMap<string, { vars: readonly { name: string }[] }> }, role: string, name: string): string {
  let owners = 0;
  for (const r of program.roles.values()) if (r.vars.some((v) => v.name === name)) owners++;
  return owners > 1 ? tlaName(`${role}_${name}`) : tlaName(name);
}

/**
 * The names a program's module defines at its top level, as TLA+ writes them:
 * principals and their sets, constants, types, functions, role variables,
 * invariants, properties and transition operators. A name the program binds
 * (a quantifier, a set builder, a parameter) that is one of these would
 * redefine it, which TLA+ forbids; the translation renames such a binder.
 */
export function moduleLevelNames(program: {
  readonly principalSets: ReadonlyMap<string, readonly string[]>;
  readonly constants: ReadonlyMap<string, unknown>;
  readonly types: ReadonlyMap<string, unknown>;
  readonly functions: ReadonlyMap<string, unknown>;
  readonly invariants: ReadonlyMap<string, unknown>;
  readonly properties: ReadonlyMap<string, unknown>;
  readonly roles: ReadonlyMap<string, { readonly vars: readonly { readonly name: string }[]; readonly transitions: readonly { readonly name: string }[] }>;
}): Set<string> {
  const out = new Set<string>();
  for (const [set, members] of program.principalSets) {
    out.add(tlaName(set));
    for (const m of members) out.add(tlaName(m));
  }
  for (const m of [program.constants, program.types, program.functions, program.invariants, program.properties]) for (const k of m.keys()) out.add(tlaName(k));
  for (const [role, r] of program.roles) {
    for (const v of r.vars) out.add(roleVarName(program, role, v.name));
    for (const t of r.transitions) out.add(transitionOperator(role, t.name));
  }
  return out;
}

/** The TLA+ action operator of a transition: `Role_Transition`. */
export function transitionOperator(role: string, transition: string): string {
  return `${tlaName(role)}_${tlaName(transition)}`;
}

/** The operator TLC names in a trace step for a kind of MOMMIE step. */
export function stepOperator(step: { readonly kind: 'fire'; readonly role: string; readonly transition: string } | { readonly kind: 'deliver' } | { readonly kind: 'byzantine' }): string {
  switch (step.kind) {
    case 'fire':
      return transitionOperator(step.role, step.transition);
    case 'deliver':
      return 'Deliver';
    case 'byzantine':
      return 'ByzantinePublish';
  }
}

