import { writeFileSync, existsSync } from 'node:fs';
import { checkFile, type FrontEndResult } from '../analysis/frontend.js';
import { githubAnnotation } from '../diagnostics/github.js';
import { commandLine, ONE_FILE } from './args.js';
import { dumpProgram } from './dump.js';
import { EXIT } from './exit-codes.js';
import { locatedDiagnostics, printDiagnostics, summary, type Out } from './output.js';

export interface Command {
  readonly name: string;
  /** The one-line summary is in command-table.ts, which lists the commands without loading them. */
  readonly help: string;
  run(args: string[], out: Out): number | Promise<number>;
}

const CHECK_HELP = `Usage: mommie check [--json | --format text|json|github] FILE...

Parses and checks MOMMIE programs: syntax, names, types, and the
well-formedness rules (quorum thresholds, PUBLISH as ME, finite domains, ...).
Diagnostics go to stderr as file:line:col: error MOMnnn: message, with the
source line and a caret.

Options:
  --json     print {files: [{file, ok, diagnostics: [...]}], ok} on stdout
  --format github
             print each diagnostic as a GitHub Actions annotation on stdout
             (::error file=F,line=L,col=C,...::MOMnnn: message), so a CI job
             marks the program's lines; the usual text still goes to stderr
  -h, --help show this help

Exit codes: 0 every file is well formed (warnings allowed), 1 errors.`;

export const checkCommand: Command = {
  name: 'check',
  help: CHECK_HELP,
  run(args, out) {
    const parsed = commandLine('check', args, { json: { type: 'boolean' }, format: { type: 'string' } }, { min: 1, max: Infinity, expected: 'no input files' }, CHECK_HELP, out);
    if (!parsed.ok) return parsed.exitCode;
    const format = parsed.values.format ?? (parsed.values.json === true ? 'json' : 'text');
    if (format !== 'text' && format !== 'json' && format !== 'github') {
      out.stderr(`mommie check: unknown format '${format}' (use text, json or github)`);
      return EXIT.BAD_INPUT;
    }
    if (parsed.values.json === true && format !== 'json') {
      out.stderr('mommie check: --json is --format json; give one of them');
      return EXIT.BAD_INPUT;
    }
    const results: FrontEndResult[] = parsed.positionals.map((f) => checkFile(f));
    const ok = results.every((r) => r.ok);
    if (format === 'github') {
      for (const r of results) for (const d of locatedDiagnostics(r)) out.stdout(githubAnnotation(d));
      for (const r of results) printDiagnostics(out, r);
      out.stderr(summary(results));
    } else if (format === 'json') {
      out.stdout(JSON.stringify({ ok, files: results.map((r) => ({ file: r.file, ok: r.ok, diagnostics: locatedDiagnostics(r) })) }, null, 2));
    } else {
      for (const r of results) printDiagnostics(out, r);
      out.stderr(summary(results));
    }
    return ok ? EXIT.OK : EXIT.BAD_INPUT;
  },
};

const PARSE_HELP = `Usage: mommie parse FILE [--out OUT.json] [--force]

Checks one MOMMIE program and writes the checked program as JSON: the parse
tree with node ids, and the side tables (what each name resolved to, the type
of each expression). For debugging and golden tests.

Options:
  -o, --out FILE  write the JSON to FILE instead of stdout
  --force         overwrite FILE if it exists (otherwise mommie refuses)
  -h, --help      show this help

Exit codes: 0 written, 1 the program has errors (nothing is written).`;

export const parseCommand: Command = {
  name: 'parse',
  help: PARSE_HELP,
  run(args, out) {
    const parsed = commandLine('parse', args, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } }, ONE_FILE, PARSE_HELP, out);
    if (!parsed.ok) return parsed.exitCode;
    const r = checkFile(parsed.positionals[0]!);
    printDiagnostics(out, r);
    if (!r.ok || r.program === undefined) {
      out.stderr(summary([r]));
      return EXIT.BAD_INPUT;
    }
    const json = JSON.stringify(dumpProgram(r.program), null, 2);
    const target = parsed.values.out;
    if (target === undefined) {
      out.stdout(json);
      return EXIT.OK;
    }
    if (existsSync(target) && parsed.values.force !== true) {
      out.stderr(`mommie parse: ${target} exists; pass --force to overwrite it`);
      return EXIT.BAD_INPUT;
    }
    try {
      writeFileSync(target, json + '\n');
    } catch (e) {
      out.stderr(`mommie parse: cannot write ${target}: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.BAD_INPUT;
    }
    out.stderr(`wrote ${target}`);
    return EXIT.OK;
  },
};
