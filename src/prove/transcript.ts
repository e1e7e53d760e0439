// A recorded tlapm run (its stderr and exit status) read as a live run is:
// the same framing, decoding and collecting, without a process. For tests on
// committed transcripts, and for reading a run's saved output.

import { ObligationCollector } from './collect.js';
import { decodeFrame, incompleteProofOf, type IncompleteProof, type ToolboxMessage } from './messages.js';
import type { TlapmOutcome } from './run.js';
import { frameTranscript } from './toolbox.js';

export interface TranscriptRun {
  /** How results name the module's file. */
  readonly displayFile: string;
  readonly exitCode: number | null;
  readonly interrupted?: boolean;
  readonly seconds?: number;
  /** The run had --strict. */
  readonly strict?: boolean;
}

export function readTranscript(stderr: string, run: TranscriptRun): TlapmOutcome & { readonly messages: readonly ToolboxMessage[] } {
  const collector = new ObligationCollector(run.displayFile);
  const messages: ToolboxMessage[] = [];
  const tail: string[] = [];
  const incomplete: IncompleteProof[] = [];
  for (const e of frameTranscript(stderr)) {
    if (e.kind === 'stray') {
      if (e.line.trim() !== '') tail.push(e.line);
      const i = incompleteProofOf(e.line);
      if (i !== null) incomplete.push(i);
      continue;
    }
    const m = decodeFrame(e.frame);
    messages.push(m);
    collector.add(m);
  }
  const interrupted = run.interrupted === true;
  return {
    exitCode: run.exitCode,
    signal: null,
    interrupted,
    obligations: collector.results(interrupted),
    expected: collector.expectedCount(),
    problems: collector.problemsSoFar(),
    malformed: collector.malformedMessages(),
    tail: tail.slice(-40),
    seconds: run.seconds ?? 0,
    spawnError: null,
    strict: run.strict === true,
    incomplete,
    messages,
  };
}
