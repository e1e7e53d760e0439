import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFile } from '../analysis/frontend.js';
import { translate } from '../tla/module.js';
import { options, type Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import { printDiagnostics, summary } from './output.js';

const HELP = `Usage: mommie tla FILE [-m MODEL]... -o DIR [--force]

Translates a MOMMIE program to TLA+: DIR/<Program>.tla (the specification:
Init, Next, Spec with fairness, one action per transition, the invariants and
properties) and, per model, DIR/MC_<Program>_<Model>.tla and .cfg for TLC.

Options:
  -m, --model NAME   only this model (repeatable; default: every model)
  -o, --out DIR      where to write (created if missing)
  --deadlock         make the .cfg check deadlock (off by default, as in verify)
  --force            overwrite files that already exist in DIR
  -h, --help         show this help

Exit codes: 0 written, 1 bad input (nothing is written).`;

export const tlaCommand: Command = {
  name: 'tla',
  summary: 'translate a program to TLA+ (module and TLC configs)',
  help: HELP,
  run(args, out) {
    const parsed = options(
      args,
      { model: { type: 'string', short: 'm', multiple: true }, out: { type: 'string', short: 'o' }, force: { type: 'boolean' }, deadlock: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      out,
      HELP,
    );
    if (parsed === undefined) return EXIT.BAD_INPUT;
    const v = parsed.values;
    if (v.help === true) {
      out.stdout(HELP);
      return EXIT.OK;
    }
    if (parsed.positionals.length !== 1 || v.out === undefined) {
      out.stderr(`mommie tla: give one file and -o DIR\n${HELP}`);
      return EXIT.BAD_INPUT;
    }
    const fe = checkFile(parsed.positionals[0]!);
    printDiagnostics(out, fe);
    if (!fe.ok || fe.program === undefined) {
      out.stderr(summary([fe]));
      return EXIT.BAD_INPUT;
    }
    const unknown = (v.model ?? []).filter((m) => !fe.program!.models.has(m));
    if (unknown.length > 0) {
      out.stderr(`mommie tla: no model ${unknown.join(', ')}; the models are ${[...fe.program.models.keys()].join(', ')}`);
      return EXIT.BAD_INPUT;
    }
    const files = translate(fe.program, fe.source, { ...(v.model ? { models: v.model } : {}), deadlock: v.deadlock === true });
    const clashes = [...files.files.keys()].filter((f) => existsSync(join(v.out!, f)));
    if (clashes.length > 0 && v.force !== true) {
      out.stderr(`mommie tla: ${clashes.map((f) => join(v.out!, f)).join(', ')} already exist; pass --force to overwrite`);
      return EXIT.BAD_INPUT;
    }
    try {
      mkdirSync(v.out, { recursive: true });
      for (const [name, text] of files.files) writeFileSync(join(v.out, name), text);
    } catch (e) {
      out.stderr(`mommie tla: cannot write to ${v.out}: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.BAD_INPUT;
    }
    out.stderr(`wrote ${[...files.files.keys()].map((f) => join(v.out!, f)).join(', ')}`);
    return EXIT.OK;
  },
};
