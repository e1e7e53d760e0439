import { COMMANDS } from './command-table.js';
import { EXIT } from './exit-codes.js';
import type { Out } from './output.js';

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
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    out.stderr(`mommie: unknown command '${name}'\n${usage()}`);
    return EXIT.BAD_INPUT;
  }
  return await (await entry.load()).run(rest, out);
}

