// A choice as a deploy file: the base's kept sections as written, the chosen
// sections generated; and as one line for the ranking.

import { SECTIONS, type SectionName } from '../deploy/syntax.js';
import type { Base } from './base.js';
import { NO_ENTRY, UNICAST, type Choice, type Dimension, type Space } from './space.js';

function entry(d: Dimension, option: string): { section: SectionName; line: string } | undefined {
  switch (d.kind) {
    case 'auth':
      return option === NO_ENTRY ? undefined : { section: 'Authentication', line: `${d.left.name} <-> ${d.right.name} : ${option}` };
    case 'nonrep':
      return { section: 'Non-repudiation', line: `${d.issuers.name} -> * : ${option}` };
    case 'dissemination':
      return option === UNICAST ? undefined : { section: 'Dissemination', line: `${d.publishers.name} -> ${d.verifiers.map((v) => v.name).join(', ')} [${d.recordType}] : ${option};` };
  }
}

export function renderChoice(base: Base, space: Space, choice: Choice): string {
  const generated = new Map<SectionName, string[]>([['Authentication', []]]);
  space.dimensions.forEach((d, i) => {
    const e = entry(d, choice[i]!);
    if (e !== undefined) generated.set(e.section, [...(generated.get(e.section) ?? []), e.line]);
  });
  const parts: string[] = [];
  for (const s of SECTIONS) {
    const kept = base.kept.get(s);
    if (kept !== undefined) parts.push(kept);
    const lines = generated.get(s);
    if (lines !== undefined) parts.push([`[${s}]`, ...lines].join('\n'));
  }
  return parts.join('\n\n') + '\n';
}

/** `C<->R HMAC, R<->R HMAC; C->* ED25519; C->R [Request] OPTIMISTIC(PRIMARY) 200ms`. */
export function describeChoice(space: Space, choice: Choice): string {
  const auth: string[] = [];
  const nonrep: string[] = [];
  const dissemination: string[] = [];
  space.dimensions.forEach((d, i) => {
    const o = choice[i]!;
    if (d.kind === 'auth') auth.push(`${d.left.name}<->${d.right.name} ${o === NO_ENTRY ? 'signature' : o}`);
    else if (d.kind === 'nonrep') nonrep.push(`${d.issuers.name}->* ${o}`);
    else if (o !== UNICAST) dissemination.push(`${d.publishers.name}->${d.verifiers.map((v) => v.name).join(',')} [${d.recordType}] ${o.replace(/;/g, ',')}`);
  });
  return [auth.join(', '), nonrep.join(', '), dissemination.length === 0 ? 'unicast' : dissemination.join(', ')].filter((x) => x !== '').join('; ');
}
