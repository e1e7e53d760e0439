// What a run concludes, the same on both networks: a finding (the program
// broke one of its promises in this run), a run left unfinished (it stopped
// before it did what was asked, so it cannot vouch for it), or ok. The CLI
// turns the outcome into an exit code (docs/runtime.md, "Exit codes"); a
// run's "ok" covers exactly what `covered` lists, and nothing in `notes`.

export type RunOutcome = 'ok' | 'finding' | 'unfinished' | 'failed' | 'interrupted';

export interface RunVerdict {
  readonly outcome: RunOutcome;
  /** Promises of the program this run saw broken: each makes the outcome a finding. */
  readonly findings: readonly string[];
  /** What the run did not get to do: each makes an otherwise clean run unfinished. */
  readonly unfinished: readonly string[];
  /** How mommie itself failed during the run. */
  readonly failed: readonly string[];
  /** What the run's ok covers (said of a clean run, and of what was checked in any other). */
  readonly covered: readonly string[];
  /** What the run did not check or show, which does not change the outcome. */
  readonly notes: readonly string[];
}

/** A Byzantine principal of the run's model, and what it did of its own. */
export interface ByzantineActivity {
  readonly node: string;
  /** Statements of its own it published, and what its model allows (0 when its model lets it send nothing). */
  readonly published: number;
  readonly budget: number;
  /** Set when this network does not play Byzantine nodes at all (TCP). */
  readonly notPlayed?: boolean;
}

/** What a run did, gathered by either network (the simulated one knows more). */
export interface RunFacts {
  readonly network: 'sim' | 'tcp';
  /** The invariant seen violated (simulated network only: one process sees every node). */
  readonly invariant?: string;
  /** The model's invariants, evaluated after every step (sim, without --no-invariants). */
  readonly invariantsChecked?: readonly string[];
  /** A request not answered in time, or never (nothing was left to happen). */
  readonly unanswered?: { readonly request: string; readonly sinceMs: number; readonly never: boolean };
  /** Whether the run's model promises progress (it checks a temporal property, or the run has no model). */
  readonly progressPromised: boolean;
  readonly model?: string;
  /** Steps that aborted (a body failed), over every node. */
  readonly aborted: number;
  /** Steps of body programs that differed from their body specs (a build made with --assert), over every node. */
  readonly assertionViolations?: number;
  /** How many steps of body programs were compared, when a build with --assert ran. */
  readonly assertionsChecked?: number;
  readonly requests: { readonly asked: number; readonly started: number; readonly completed: number; readonly exhausted: boolean };
  /** --timeout came before the run was done (ms). */
  readonly timedOut?: number;
  /** Client processes that stopped before finishing their requests (TCP). */
  readonly stoppedClients?: readonly string[];
  readonly byzantine: readonly ByzantineActivity[];
  /** Why the run was cut short otherwise (TCP: every node process stopped during the run). */
  readonly cutShort?: string;
  /** mommie itself failed during the run (TCP: node processes that ended with an internal error). */
  readonly failed?: string;
  readonly interrupted?: boolean;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function runVerdict(f: RunFacts): RunVerdict {
  const findings: string[] = [];
  const unfinished: string[] = [];
  const covered: string[] = [];
  const notes: string[] = [];

  if (f.invariant !== undefined) findings.push(`invariant ${f.invariant} violated`);
  else if (f.invariantsChecked !== undefined && f.invariantsChecked.length > 0) covered.push(`${f.invariantsChecked.join(', ')} held after every step`);
  if (f.network === 'tcp') notes.push("invariants are not evaluated over TCP (no process sees every node): 'mommie replay' checks the logs");
  else if (f.invariantsChecked === undefined) notes.push('invariants were not evaluated (--no-invariants)');

  if (f.aborted > 0) findings.push(`${plural(f.aborted, 'step')} aborted: a body failed (each is listed above with its location)`);
  else covered.push('no step aborted');
  if (f.assertionViolations !== undefined && f.assertionViolations > 0) findings.push(`${plural(f.assertionViolations, 'step')} of body programs differed from their body specs`);
  else if (f.assertionsChecked !== undefined) covered.push(`${plural(f.assertionsChecked, 'step')} of body programs matched their body specs`);

  const u = f.unanswered;
  const why = u === undefined ? '' : `request ${u.request}, started at ${u.sinceMs} ms, was never answered${u.never ? ' (nothing was left to happen)' : ''}`;
  if (u !== undefined && f.progressPromised) findings.push(`no progress: ${why}`);
  else if (u !== undefined) notes.push(`${why}: model ${f.model ?? ''} checks no temporal property, so it promises no progress and this is no finding`);

  const q = f.requests;
  if (f.timedOut !== undefined) unfinished.push(`--timeout (${f.timedOut} ms) came first: ${q.completed} of ${q.started} requests started were answered (${q.asked} asked)`);
  if (f.stoppedClients !== undefined && f.stoppedClients.length > 0) {
    unfinished.push(`${f.stoppedClients.join(', ')} stopped before finishing ${f.stoppedClients.length === 1 ? 'its' : 'their'} requests`);
  }
  for (const b of f.byzantine) {
    if (b.notPlayed === true) unfinished.push(`Byzantine ${b.node} never acted: TCP does not play Byzantine nodes (run the model on the simulated network)`);
    else if (b.budget > 0 && b.published === 0) unfinished.push(`Byzantine ${b.node} never acted: it published none of the ${b.budget} statements its model allows`);
  }
  if (f.cutShort !== undefined) unfinished.push(f.cutShort);
  const acted = f.byzantine.filter((b) => b.notPlayed !== true && b.published > 0);
  if (acted.length > 0) covered.push(`Byzantine ${acted.map((b) => `${b.node} published ${b.published} of ${b.budget}`).join(', ')}`);
  if (f.invariant === undefined && u === undefined && f.timedOut === undefined && f.cutShort === undefined && f.failed === undefined && f.interrupted !== true && (f.stoppedClients ?? []).length === 0) {
    const more = q.exhausted && q.started < q.asked ? `; ${q.asked} asked, the program admits no more` : '';
    if (q.started === 0) notes.push(`no request was started (${q.asked} asked${q.exhausted ? ': the program admits none' : ''})`);
    else if (q.completed >= q.started) covered.push(`every request started was answered (${q.completed} of ${q.started}${more})`);
    else notes.push(`${q.started - q.completed} of ${q.started} requests started were not answered: their clients were crashed during the run`);
  }

  const outcome: RunOutcome = f.interrupted === true ? 'interrupted' : findings.length > 0 ? 'finding' : f.failed !== undefined ? 'failed' : unfinished.length > 0 ? 'unfinished' : 'ok';
  return { outcome, findings, unfinished, failed: f.failed === undefined ? [] : [f.failed], covered, notes };
}

/** The verdict as the text report's last lines. */
export function formatVerdict(v: RunVerdict): string[] {
  const lines: string[] = [];
  for (const x of v.findings) lines.push(`finding: ${x}`);
  for (const x of v.failed) lines.push(`failed: ${x}`);
  for (const x of v.unfinished) lines.push(`unfinished: ${x}`);
  for (const x of v.notes) lines.push(`note: ${x}`);
  const head = { ok: 'ok', finding: 'NOT OK: a finding', unfinished: 'NOT OK: the run is unfinished', failed: 'NOT OK: the run failed', interrupted: 'interrupted' }[v.outcome];
  lines.push(`verdict: ${head}${v.covered.length > 0 ? ` (checked: ${v.covered.join('; ')})` : ''}`);
  return lines;
}
