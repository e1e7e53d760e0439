// `npm run bench`: prints figures, one section per part of the toolchain.
// A bench reports; it does not fail: targets are printed as PASS/FAIL and the
// exit code is 0 unless a section itself crashes.
//
//   node dist/bench/run.js              every section
//   node dist/bench/run.js frontend     only the named sections
//
// To add a section (e.g. model-checker states/s), write bench/<name>.ts
// exporting `async function run<Name>Bench(): Promise<void>` that prints its
// own section (see stats.ts for measure/section/peakRss), and list it below.

import { cpus, totalmem } from 'node:os';
import { runAssertionsBench } from './assertions.js';
import { runCheckerBench } from './checker.js';
import { runCheckerCoreBench } from './checker-core.js';
import { runCostBench } from './cost.js';
import { runDurabilityBench } from './durability.js';
import { runForgetBench } from './forget.js';
import { runFrontendBench } from './frontend.js';
import { runHandwrittenBench } from './handwritten.js';
import { runInstructionsBench } from './instructions.js';
import { runOptimizationsBench } from './optimizations.js';
import { runReductionBench } from './reduction.js';
import { runTlcBench } from './tlc.js';
import { runTuneBench } from './tune.js';
import { runRuntimeBench } from './runtime.js';
import { runSessionBench } from './session.js';
import { runSimulateBench } from './simulate.js';
import { runViewChangeBench } from './viewchange.js';
import { peakRss } from './stats.js';

/** `alone`: run only when named (`checker` ends with what `checker-core` prints). */
const SECTIONS: readonly { readonly name: string; readonly run: () => Promise<void>; readonly alone?: boolean }[] = [
  { name: 'frontend', run: runFrontendBench },
  { name: 'checker', run: async () => { await runCheckerBench(); await runCheckerCoreBench(); } },
  { name: 'checker-core', run: runCheckerCoreBench, alone: true },
  { name: 'reduction', run: runReductionBench },
  { name: 'tlc', run: runTlcBench },
  { name: 'simulate', run: runSimulateBench },
  { name: 'runtime', run: runRuntimeBench },
  { name: 'handwritten', run: runHandwrittenBench },
  { name: 'session', run: runSessionBench },
  { name: 'durability', run: runDurabilityBench },
  { name: 'cost', run: runCostBench },
  { name: 'instructions', run: runInstructionsBench, alone: true },
  { name: 'optimizations', run: runOptimizationsBench },
  { name: 'tune', run: runTuneBench },
  { name: 'assertions', run: runAssertionsBench },
  { name: 'viewchange', run: runViewChangeBench },
  { name: 'forget', run: runForgetBench },
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(`unknown bench section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const cpu = cpus();
  console.log(`mommie bench, ${new Date().toISOString()}`);
  console.log(`node ${process.version} on ${process.platform}/${process.arch}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  for (const s of SECTIONS) {
    if (wanted.length > 0 ? !wanted.includes(s.name) : s.alone === true) continue;
    try {
      await s.run();
    } catch (e) {
      console.error(`bench section ${s.name} crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = 1;
    }
  }
  console.log(`\n${peakRss()}`);
}

await main();
