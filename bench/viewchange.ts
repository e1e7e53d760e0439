// PBFT with view change (specs/PBFTViewChange.mom, issue 25 item 5): every
// model, the ones `npm test` leaves out included, with the built-in checker
// (one worker; in process for models with liveness properties, which need
// the whole graph) and TLC (one worker), against the targets of
// 2 minutes and 15 minutes, and the built-in checker again with `--por`
// (which the models (a) and (b) need). Each row carries the load average
// when it ended.
//
//   node dist/bench/run.js viewchange

import { isLeft } from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { line, verify, type Run } from './checker.js';
import { repoRoot, section } from './stats.js';

const TARGET_S = { builtin: 120, tlc: 900 } as const;

export async function runViewChangeBench(): Promise<void> {
  section('PBFT with view change: every model, both engines');
  const file = join(repoRoot(), 'specs', 'PBFTViewChange.mom');
  const checked = checkFile(file);
  if (!checked.ok || checked.program === undefined) throw new Error(`${file} does not check`);
  const tlc = await resolveTlc();
  if (isLeft(tlc)) console.log(`TLC: skipped (${tlc.left.message.replace(/\.$/, '')})`);
  for (const [model, m] of checked.program.models) {
    const liveness = m.items.every((i) => i.kind !== 'check') && checked.program.properties.size > 0;
    const builtin = await verify(file, model, liveness ? ['--in-process'] : ['--workers', '1']);
    console.log(line(`${model}: built-in`, builtin));
    console.log(`  ${verdict(builtin, TARGET_S.builtin)}`);
    // With partial-order reduction (dead deliveries, src/check/dead.ts): the models (a) and (b) finish only so.
    const reduced = await verify(file, model, [...(liveness ? ['--in-process'] : ['--workers', '1']), '--por']);
    console.log(line(`${model}: built-in --por`, reduced));
    console.log(`  ${verdict(reduced, TARGET_S.builtin)}${reduced.verdicts === builtin.verdicts ? '' : '; verdicts differ from the full search (unfinished?)'}`);
    if (isLeft(tlc)) continue;
    const theirs = await verify(file, model, ['--engine', 'tlc', '--workers', '1']);
    console.log(line(`${model}: TLC, 1 worker`, theirs));
    console.log(`  ${verdict(theirs, TARGET_S.tlc)}${theirs.distinct === builtin.distinct && theirs.verdicts === builtin.verdicts ? '' : '; DIFFER: not the states or verdicts of the built-in checker'}`);
  }
}

function verdict(r: Run, targetS: number): string {
  return `${r.verdicts}; ${r.seconds <= targetS ? 'PASS' : 'FAIL'} (target ${targetS} s)`;
}
