// A deploy file as written, before any program is known: what parseDeploy
// produces and checkDeploy resolves. `mommie keys` reads only [Nodes] from it,
// which is why parsing needs no program.

import type { Span } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import type { Endpoint, MechanismKind } from './deployment.js';
import type { LimitEntry } from './limits.js';

export type { LimitEntry };

export const SECTIONS = ['Nodes', 'Authentication', 'Non-repudiation', 'Timeouts', 'Constants', 'Dissemination', 'Limits'] as const;
export type SectionName = (typeof SECTIONS)[number];

/** Sections a deploy file must have (docs/deploy.md says why). */
export const REQUIRED_SECTIONS: readonly SectionName[] = ['Nodes', 'Authentication'];

export interface Name {
  readonly name: string;
  readonly span: Span;
}

/** A principal position: a principal, a principal set of the program, or `*`. */
export type PrincipalRef = (Name & { readonly kind: 'name' }) | { readonly kind: 'everyone'; readonly span: Span };

export interface MechanismSyntax {
  readonly kind: MechanismKind;
  /** The third party of `TTP(t)`. */
  readonly ttp?: Name;
  readonly span: Span;
}

export interface NodeEntry {
  readonly name: Name;
  readonly endpoint: Endpoint;
  /** The `host:port` text. */
  readonly addressSpan: Span;
  readonly span: Span;
}

/** `a, b <-> c : MECH` */
export interface AuthEntry {
  readonly left: readonly PrincipalRef[];
  readonly right: readonly PrincipalRef[];
  readonly mechanism: MechanismSyntax;
  readonly span: Span;
}

/** `x -> AUDITORS : MECH` */
export interface NonRepEntry {
  readonly issuers: readonly PrincipalRef[];
  readonly auditors: readonly PrincipalRef[];
  readonly mechanism: MechanismSyntax;
  readonly span: Span;
}

/** `Role.Transition = 500ms [DOUBLING(param)]`, or `default = 1s` (role and transition absent). */
export interface TimeoutEntry {
  readonly role?: Name;
  readonly transition?: Name;
  readonly ms: number;
  /** `DOUBLING(p)`: the timer doubles for each instance already fired that differs from this one only in parameter p. */
  readonly doubling?: Name;
  readonly span: Span;
}

export type ConstantValueSyntax =
  | { readonly kind: 'int'; readonly value: number; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'name'; readonly name: string; readonly span: Span };

export interface ConstantEntry {
  readonly name: Name;
  readonly value: ConstantValueSyntax;
  readonly span: Span;
}

export type OptimizerArgSyntax =
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  | { readonly kind: 'int'; readonly value: number; readonly span: Span }
  | { readonly kind: 'duration'; readonly ms: number; readonly span: Span };

export interface OptimizerSyntax {
  readonly name: Name;
  readonly args: readonly OptimizerArgSyntax[];
  readonly escalationMs?: number;
  readonly span: Span;
}

/** `publishers -> verifiers [Type, ...] : opt; opt; ...`, continued by lines that start with `:`. */
export interface DisseminationEntry {
  readonly publishers: readonly PrincipalRef[];
  readonly verifiers: readonly PrincipalRef[];
  readonly recordTypes: readonly Name[];
  readonly optimizers: readonly OptimizerSyntax[];
  readonly span: Span;
}

export interface DeploySyntax {
  readonly file: string;
  /** The text, for turning spans into lines in messages. */
  readonly source: SourceText;
  /** The header span of each section present. */
  readonly sections: ReadonlyMap<SectionName, Span>;
  readonly nodes: readonly NodeEntry[];
  readonly authentication: readonly AuthEntry[];
  readonly nonRepudiation: readonly NonRepEntry[];
  readonly timeouts: readonly TimeoutEntry[];
  readonly constants: readonly ConstantEntry[];
  readonly dissemination: readonly DisseminationEntry[];
  readonly limits: readonly LimitEntry[];
}
