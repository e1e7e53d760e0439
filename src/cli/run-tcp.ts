// `mommie run --network tcp`: the run itself (one process per node, its
// phases, its report and verdict) is runtime/tcp-run.ts; here the command
// checks what only it knows (key files), turns Ctrl-C into an interruption,
// and prints what the run says and what it concludes.

import { availableParallelism, loadavg } from 'node:os';
import { healthInputs, runHealth } from '../runtime/health.js';
import { formatRunReport } from '../runtime/report.js';
import { runOverTcp, type TcpRunResult } from '../runtime/tcp-run.js';
import { isKeyFile } from '../keys/load.js';
import { EXIT, exitForRun } from './exit-codes.js';
import type { RunContext } from './run-context.js';

export async function runTcpCommand(ctx: RunContext): Promise<number> {
  const { out } = ctx;
  const say = (s: string): void => out.stderr(`mommie run: ${s}`);
  if (ctx.keysDir === undefined) {
    say("--network tcp needs --keys DIR: each node process reads its own key file ('mommie keys DEPLOY -o DIR' writes them)");
    return EXIT.BAD_INPUT;
  }
  // One node on its own host holds only its own key file.
  if (isKeyFile(ctx.keysDir) && ctx.node === undefined) {
    say(`--keys ${ctx.keysDir} is one key file: that is for a node started alone (--node NAME); a full start needs the directory 'mommie keys' wrote, with every node's`);
    return EXIT.BAD_INPUT;
  }
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: TcpRunResult;
  const loadAtStart = loadavg()[0]!;
  try {
    result = await runOverTcp(
      { ...ctx, keysDir: ctx.keysDir },
      {
        // With --json, stdout is the report and stderr keeps only what explains the outcome.
        say: (line, chatter) => {
          if (!(chatter && ctx.json)) say(line);
        },
        nodeSaid: (node, line) => out.stderr(`[${node}] ${line}`),
      },
      interrupt.signal,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (result.kind === 'refused') {
    for (const line of result.reasons) say(line);
    return EXIT.BAD_INPUT;
  }
  const { traceDir } = result;
  const load = { start: loadAtStart, end: loadavg()[0]!, cores: availableParallelism() };
  const report = { ...result.report, health: runHealth(result.report, healthInputs(ctx.model, ctx.deployment, false, load)) };
  if (ctx.json) out.stdout(JSON.stringify({ ...report, traceDir }, null, 2));
  else {
    out.stdout(formatRunReport(report).join('\n'));
    out.stdout(`traces: ${traceDir} ('mommie replay ${ctx.programPath} ${traceDir}' checks them)`);
  }
  return exitForRun(report.verdict?.outcome ?? 'failed');
}
