import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFile } from '../analysis/frontend.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import { translate, type TlaFiles } from '../tla/module.js';
import { formatSanyErrors, runSany } from '../tlc/sany.js';
import { resolveTlc } from '../tools/resolve.js';
import { commandLine, ONE_FILE } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import { printDiagnostics, summary, type Out } from './output.js';

const HELP = `Usage: mommie tla FILE [-m MODEL]... -o DIR [--force] [--tla2tools JAR] [--no-sany]

Translates a MOMMIE program to TLA+: DIR/<Program>.tla (the specification:
Init, Next, Spec with fairness, one action per transition, the invariants and
properties) and, per model, DIR/MC_<Program>_<Model>.tla and .cfg for TLC.

Then SANY, TLA+'s parser, checks every written module when tla2tools.jar is
found (--tla2tools, TLA2TOOLS_JAR, or 'mommie tools install'); without it the
modules are written and mommie says SANY was not run.

Options:
  -m, --model NAME   only this model (repeatable; default: every model)
  -o, --out DIR      where to write (created if missing)
  --deadlock         make the .cfg check deadlock (off by default, as in verify)
  --force            overwrite files that already exist in DIR
  --tla2tools PATH   the tla2tools.jar whose SANY checks the modules
  --no-sany          do not run SANY
  -h, --help         show this help

Exit codes: 0 written (and accepted by SANY when it ran), 1 bad input (nothing
is written), 3 SANY rejected the generated TLA+ (a bug in mommie; the files
are left in DIR for the bug report).`;

export const tlaCommand: Command = {
  name: 'tla',
  help: HELP,
  async run(args, out) {
    const cl = commandLine(
      'tla',
      args,
      {
        model: { type: 'string', short: 'm', multiple: true },
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        deadlock: { type: 'boolean' },
        tla2tools: { type: 'string' },
        'no-sany': { type: 'boolean' },
      },
      ONE_FILE,
      HELP,
      out,
    );
    if (!cl.ok) return cl.exitCode;
    const v = cl.values;
    if (v.out === undefined) {
      out.stderr(`mommie tla: give -o DIR, where the modules go\n${HELP}`);
      return EXIT.BAD_INPUT;
    }
    const fe = checkFile(cl.positionals[0]!);
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
    if (v['no-sany'] === true) return EXIT.OK;
    return checkWithSany(v.out, files, v.tla2tools, out);
  },
};

/** SANY on each MC module (which extends the main one), or on the main module when there is no model. */
async function checkWithSany(dir: string, files: TlaFiles, tla2tools: string | undefined, out: Out): Promise<number> {
  const tools = await resolveTlc(tla2tools !== undefined ? { tla2tools } : {});
  if (isLeft(tools)) {
    out.stderr(`SANY: not run (${tools.left.message.replace(/\.$/, '')}; 'mommie tools doctor' says more)`);
    return EXIT.OK;
  }
  const modules = [...files.files.keys()].filter((f) => f.endsWith('.tla') && f.startsWith('MC_'));
  const targets = modules.length > 0 ? modules : [`${files.moduleName}.tla`];
  const r = await runSany({ java: tools.right.java, jar: tools.right.jar }, dir, targets);
  if (isLeft(r)) {
    const p = r.left;
    const what = p.kind === 'rejected' ? `SANY rejected TLA+ that mommie generated (a bug in mommie's translation; the files are left in ${dir}):\n${formatSanyErrors(p.errors)}` : `SANY could not check the modules in ${dir}: ${p.message}`;
    out.stderr(`mommie tla: ${what}`);
    return EXIT.INTERNAL;
  }
  out.stderr(`SANY: accepted ${targets.join(', ')} (${tools.right.jar})`);
  return EXIT.OK;
}
