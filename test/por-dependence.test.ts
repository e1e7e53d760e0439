// The analysis behind the reduction over fires (src/check/dependence.ts,
// docs/checker.md "Reduction over fires") on the cases the issue names:
// Bracha's ReadyOnEchoes and ReadyOnReadies exclude each other, PBFT's
// SendPrepare guard (NOT EXISTS s IN accepted : s.seqNo == pp.seqNo) makes
// two of its fires dependent, and add-only updates read only by guards that
// growth makes true (SendCommit, CommitLocal) commute with everything.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import type { CheckedProgram } from '../src/analysis/program.js';
import { carrierTypes, RoleDependence } from '../src/check/dependence.js';
import { ROOT } from './helpers/cli.js';

function roleOf(file: string, role: string): RoleDependence {
  const fe = checkFile(join(ROOT, file));
  const program: CheckedProgram = fe.program!;
  return new RoleDependence(program.roles.get(role)!, program, carrierTypes(program));
}

describe('which fires of one node commute', () => {
  it("Bracha: ReadyOnEchoes and ReadyOnReadies conflict (NOT readied, readied <- TRUE), each with itself too; Deliver's first value is a growth", () => {
    const p = roleOf('specs/BrachaBroadcast.mom', 'Process');
    expect(p.conflict('ReadyOnEchoes', 'ReadyOnReadies')).toMatch(/readied/);
    expect(p.conflict('ReadyOnEchoes', 'ReadyOnEchoes')).toMatch(/readied/);
    expect(p.conflict('EchoInitial', 'EchoInitial')).toMatch(/echoed/);
    // Echoing and readying touch different variables.
    expect(p.conflict('EchoInitial', 'ReadyOnEchoes')).toBeUndefined();
    expect(p.describe('Deliver').writes.get('delivered')).toBe('union');
    expect(p.describe('ReadyOnEchoes').deathConjuncts.length).toBe(1);
  });

  it("PBFT: SendPrepare conflicts with itself and with AssignSeqNo; SendCommit and CommitLocal conflict with nothing; AssignSeqNo is impossible on a backup", () => {
    const r = roleOf('specs/PBFTNormal.mom', 'Replica');
    expect(r.conflict('SendPrepare', 'SendPrepare')).toMatch(/accepted/);
    expect(r.conflict('AssignSeqNo', 'SendPrepare')).toMatch(/accepted/);
    expect(r.conflict('AssignSeqNo', 'AssignSeqNo')).toMatch(/nextSeq/);
    for (const t of ['AssignSeqNo', 'SendPrepare', 'SendCommit', 'CommitLocal']) expect(r.conflict('SendCommit', t), t).toBeUndefined();
    expect(r.conflict('CommitLocal', 'CommitLocal')).toBeUndefined();
    // Execute reads lastExec in its pattern and state in its body: it conflicts with itself.
    expect(r.conflict('Execute', 'Execute')).toBeDefined();
    expect(r.describe('AssignSeqNo').nodeConjuncts.length).toBe(1);
    expect(r.describe('AssignSeqNo').deathConjuncts.length).toBe(1);
  });

  it('PrimaryBackup: SuspectPrimary is read through UNLESS, and nothing reads what it writes', () => {
    const r = roleOf('specs/PrimaryBackup.mom', 'Replica');
    expect([...r.describe('SuspectPrimary').knownReads]).toEqual(['Order']);
    expect(r.unread()).toEqual(['SuspectPrimary']);
    expect(r.conflict('Execute', 'Execute')).toMatch(/executeSeqNo/);
  });
});
