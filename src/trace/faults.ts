// The fault bounds a run is replayed against: which principals are correct,
// crashed or Byzantine comes from the model (the run's `--model`, or replay's),
// never from a log's own `faulty` field — a log may only agree with it. With no
// model every principal is correct (but the clients `--clients` left out,
// crashed from the start as a model crashes the clients it does not need).
//   correct    its log says correct, and there is one: a node that ran wrote
//              a log, and a missing one would hide its steps from replay and
//              from the invariants;
//   Byzantine  its log (if any: over TCP Byzantine nodes do not run) says so;
//              what it may publish is checked at each of its steps;
//   crashed    from the start: it takes no step, so a log of it holds nothing
//              but its start and stop.
// A crash during a run (`--faults crash=...`, a killed process) is a correct
// node whose log stops: replay checks safety, and a prefix of a correct
// node's behaviour is one.

import { dirname, join } from 'node:path';
import type { CheckedProgram, RoleInfo } from '../analysis/program.js';
import type { ModelInstance } from '../semantics/model.js';
import type { Located, ReplayRejection } from './read-log.js';
import type { Checkpoint } from './checkpoint.js';

/** One node's log, with the node's status in the model the run is checked against. */
export interface NodeLog {
  readonly file: string;
  readonly node: string;
  readonly status: 'correct' | 'crashed' | 'byzantine' | 'ttp';
  readonly events: readonly Located[];
  /** The node's role, for a correct principal. */
  readonly role?: RoleInfo;
  /** A compacted log: the checkpoint its events continue from (issue 23 item 5). */
  readonly base?: Checkpoint;
  /** Checkpoints beside the log that its events reach: replay checks each is the state they lead to. */
  readonly later?: readonly Checkpoint[];
}

/** A log as read, with what it says about itself. */
export interface ClaimedLog {
  readonly file: string;
  readonly node: string;
  readonly claimed: 'correct' | 'crashed' | 'byzantine' | 'ttp';
  readonly events: readonly Located[];
  readonly base?: Checkpoint;
  readonly later?: readonly Checkpoint[];
}

/** How messages name the model: `model M`, or the run without one. */
export function modelLabel(model: ModelInstance): string {
  return model.decl.id === -1 ? 'the run, which has no model (every principal correct)' : `model ${model.name}`;
}

/** The logs with the model's status for each node; the first log that disagrees with the model, or a missing one. */
export function assignFaults(program: CheckedProgram, model: ModelInstance, logs: readonly ClaimedLog[], hint: string): NodeLog[] | { readonly rejection: ReplayRejection } {
  const label = modelLabel(model);
  const out: NodeLog[] = [];
  const reject = (l: ClaimedLog, line: number, message: string): { rejection: ReplayRejection } => ({ rejection: { file: l.file, line, node: l.node, message } });
  for (const l of logs) {
    if (l.base !== undefined && l.claimed !== 'correct') return reject(l, 1, `${l.node}'s log continues from a checkpoint, but only a correct node's process takes checkpoints`);
    const idx = model.nodeIndex.get(l.node);
    const info = idx === undefined ? undefined : model.nodes[idx];
    if (l.claimed === 'ttp') {
      if (info !== undefined) return reject(l, 1, `${l.node} is a principal of ${program.name}, yet its log is a trusted third party's (a TTP is a node outside the program)`);
      out.push({ file: l.file, node: l.node, status: 'ttp', events: l.events });
      continue;
    }
    if (info === undefined) return reject(l, 1, `${l.node} is not a principal of ${program.name}`);
    switch (info.status) {
      case 'correct':
        if (l.claimed !== 'correct') return reject(l, 1, `${l.node}'s log says it is ${l.claimed}, but ${l.node} is correct in ${label}: a log does not choose its own faults${hint}`);
        if (info.role === undefined) return reject(l, 1, `${l.node} runs no role`);
        out.push({ file: l.file, node: l.node, status: 'correct', events: l.events, role: info.role, ...(l.base !== undefined ? { base: l.base } : {}), ...(l.later !== undefined ? { later: l.later } : {}) });
        break;
      case 'byzantine':
        if (l.claimed !== 'byzantine') return reject(l, 1, `${l.node}'s log says it is ${l.claimed}, but ${l.node} is Byzantine in ${label}: it runs no role, it only publishes what the model lets it`);
        out.push({ file: l.file, node: l.node, status: 'byzantine', events: l.events });
        break;
      case 'crashed': {
        const step = l.events.find(({ event: e }) => e.k !== 'stop');
        if (step !== undefined) return reject(l, step.line, `${l.node} is crashed from the start in ${label}, yet its log has a ${step.event.k} event: a crashed node takes no step`);
        out.push({ file: l.file, node: l.node, status: 'crashed', events: l.events });
        break;
      }
    }
  }
  const dir = logs[0] === undefined ? '.' : dirname(logs[0].file);
  for (const n of model.nodes) {
    if (n.status !== 'correct' || n.role === undefined || logs.some((l) => l.node === n.name)) continue;
    return { rejection: { file: join(dir, `${n.name}.ndjson`), line: 0, node: n.name, message: `no log of ${n.name}, which is correct in ${label}: every node that runs writes one, and replay needs them all (a missing log would hide its steps; give every log of the run)${hint}` } };
  }
  return out;
}
