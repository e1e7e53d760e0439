// The command-line preamble every command shares: parse options strictly,
// answer --help, check the number of positional arguments. A problem is one
// sentence naming the command, then its usage, and exit 1.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from './exit-codes.js';
import type { Out } from './output.js';

type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** How many positional arguments a command takes, and what to call them when the count is wrong. */
export interface Positionals {
  readonly min: number;
  readonly max: number;
  /** Says what is expected, e.g. "give exactly one file". */
  readonly expected: string;
}

export const ONE_FILE: Positionals = { min: 1, max: 1, expected: 'give exactly one file' };
export const NO_ARGUMENTS: Positionals = { min: 0, max: 0, expected: 'takes no arguments' };

function parse<T extends OptionsSpec>(args: string[], spec: T) {
  return parseArgs({ args, options: { ...spec, ...HELP_OPTION }, allowPositionals: true, strict: true });
}

export type CommandLine<T extends OptionsSpec> =
  | { readonly ok: true; readonly values: ReturnType<typeof parse<T>>['values']; readonly positionals: string[] }
  | { readonly ok: false; readonly exitCode: number };

export function commandLine<T extends OptionsSpec>(command: string, args: string[], spec: T, positionals: Positionals, help: string, out: Out): CommandLine<T> {
  let parsed;
  try {
    parsed = parse(args, spec);
  } catch (e) {
    out.stderr(`mommie ${command}: ${e instanceof Error ? e.message : String(e)}\n${help}`);
    return { ok: false, exitCode: EXIT.BAD_INPUT };
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    out.stdout(help);
    return { ok: false, exitCode: EXIT.OK };
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) {
    const extra = n > positionals.max && positionals.max === 0 ? ` (unexpected '${parsed.positionals[0]}')` : '';
    out.stderr(`mommie ${command}: ${positionals.expected}${extra}\n${help}`);
    return { ok: false, exitCode: EXIT.BAD_INPUT };
  }
  return { ok: true, values: parsed.values, positionals: parsed.positionals };
}

/** A positive whole number option; undefined when absent, 'bad' after saying why. */
export function positiveInt(command: string, option: string, value: string | undefined, out: Out): number | undefined | 'bad' {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    out.stderr(`mommie ${command}: ${option} takes a positive whole number, not '${value}'`);
    return 'bad';
  }
  return n;
}

/** A positive number option (fractions allowed); undefined when absent, 'bad' after saying why. */
export function positiveNumber(command: string, option: string, value: string | undefined, out: Out): number | undefined | 'bad' {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    out.stderr(`mommie ${command}: ${option} takes a positive number, not '${value}'`);
    return 'bad';
  }
  return n;
}
