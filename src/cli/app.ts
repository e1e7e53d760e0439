import { checkCommand, parseCommand, type Command } from './commands.js';
import { tlaCommand } from './tla.js';
import { verifyCommand } from './verify.js';
import { toolsCommand } from './tools.js';
import { deployCheckCommand } from './deploy.js';
import { deployTuneCommand } from './deploy-tune.js';
import { keysCommand } from './keys.js';
import { runIdCommand } from './run-id.js';
import { runCommand } from './run.js';
import { buildCommand } from './build.js';
import { replayCommand } from './replay.js';
import { refineCommand } from './refine.js';
import { proveCommand } from './prove.js';
import { lincheckCommand } from './lincheck.js';
import { serveCommand } from './serve.js';
import { EXIT } from './exit-codes.js';
import { processOut, type Out } from './output.js';

const COMMANDS: readonly Command[] = [checkCommand, parseCommand, verifyCommand, proveCommand, tlaCommand, toolsCommand, deployCheckCommand, deployTuneCommand, keysCommand, runIdCommand, buildCommand, runCommand, replayCommand, refineCommand, lincheckCommand, serveCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: mommie <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'mommie <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[], out: Out): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(usage());
    return name === undefined ? EXIT.BAD_INPUT : EXIT.OK;
  }
  if (name === '--version') {
    out.stdout('mommie 0.1.0');
    return EXIT.OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    out.stderr(`mommie: unknown command '${name}'\n${usage()}`);
    return EXIT.BAD_INPUT;
  }
  return await cmd.run(rest, out);
}

