// `mommie build PROGRAM --bodies DIR -o OUT [--assert]`: body programs
// compiled against the checked program (build/compile.ts). The TypeScript
// compiler is loaded only here, so other commands do not pay for it.

import { checkFile } from '../analysis/frontend.js';
import { loadDeployment } from '../deploy/load.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { DEFAULT_WORK_LIMIT } from '../build/work.js';
import { commandLine, positiveInt } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import { printDiagnostics, summary, type Out } from './output.js';
import { writeFileSync } from 'node:fs';

const BUILD_HELP = `Usage: mommie build PROGRAM [--deploy DEPLOY] --bodies DIR -o OUT [--assert] [--work-limit N]
       mommie build PROGRAM --client -o OUT.ts

Compiles hand-written TypeScript body programs for some of the program's
transitions. Writes DIR/mommie.ts, the declarations generated from the
program (records and their constructors, principals, each role's state, each
transition's context with its binding and a typed publish), type-checks
DIR/<Role>.ts (one module per role, default-exporting a body program per
transition: \`export default { Execute(ctx) { ... } } satisfies ReplicaBodies\`)
and DIR/functions.ts (the functions the program leaves open), and writes an
ES module build with source maps to OUT. Transitions without a body program
run their body spec. Run it with 'mommie run PROGRAM --deploy D --build OUT'.
Body programs must be synchronous (no async, await or Promise: a step is
atomic), and every build counts their loop iterations and calls: a step that
makes more than the work limit is stopped (MOM706) instead of hanging the run.

With --client, writes instead TypeScript declarations of the program's
calls for the client API (docs/api.md, "Typed calls"): per role, each input
with an ANSWER, its arguments (request ids left out) and its answer's type,
as \`interface ClientCalls\`; \`sim.node<ClientCalls>('c1')\` is then typed.

Options:
  --client       write the client API's declarations to OUT.ts
  --deploy FILE  check that the deployment is one of the program first (the
                 build itself does not depend on it: constants are the run's)
  --bodies DIR   the body programs
  -o, --out OUT  the build directory
  --assert       instrument the body programs: at run time each step is
                 compared with its body spec (docs/assertions.md)
  --work-limit N loop iterations and calls one step may make (default
                 ${DEFAULT_WORK_LIMIT.toLocaleString('en-US')})
  -h, --help     show this help

Exit codes: 0 built, 1 the program or a body program has errors (each at its
file:line:col, TypeScript's as MOM700, asynchrony as MOM705).`;

export const buildCommand: Command = {
  name: 'build',
  help: BUILD_HELP,
  async run(args, out) {
    const parsed = commandLine('build', args, { bodies: { type: 'string' }, out: { type: 'string', short: 'o' }, assert: { type: 'boolean' }, deploy: { type: 'string' }, 'work-limit': { type: 'string' }, client: { type: 'boolean' } }, { min: 1, max: 1, expected: 'give exactly one program' }, BUILD_HELP, out);
    if (!parsed.ok) return parsed.exitCode;
    const v = parsed.values;
    if (v.client === true) return buildClient(parsed.positionals[0]!, v.out, v.bodies !== undefined || v.assert === true, out);
    if (v.bodies === undefined || v.out === undefined) {
      out.stderr('mommie build: --bodies DIR and -o OUT are required');
      return EXIT.BAD_INPUT;
    }
    const workLimit = positiveInt('build', '--work-limit', v['work-limit'], out);
    if (workLimit === 'bad') return EXIT.BAD_INPUT;
    const fe = checkFile(parsed.positionals[0]!);
    printDiagnostics(out, fe);
    if (!fe.ok || fe.program === undefined || fe.source === undefined) {
      out.stderr(summary([fe]));
      return EXIT.BAD_INPUT;
    }
    if (v.deploy !== undefined) {
      const dep = loadDeployment(v.deploy, fe.program);
      for (const d of dep.diagnostics) out.stderr(formatDiagnostic(d, d.file === v.deploy ? dep.source : fe.source));
      if (!dep.ok) {
        out.stderr(`mommie build: ${v.deploy} is not a deployment of ${fe.program.name}`);
        return EXIT.BAD_INPUT;
      }
    }
    const { buildBodies } = await import('../build/compile.js');
    const r = buildBodies({ program: fe.program, programText: fe.source.text, bodiesDir: v.bodies, outDir: v.out, assert: v.assert === true, ...(workLimit !== undefined ? { workLimit } : {}) });
    if (!r.ok) {
      for (const d of r.diagnostics) out.stderr(formatDiagnostic(d.diagnostic, d.source));
      out.stderr(`mommie build: ${r.diagnostics.length} error${r.diagnostics.length === 1 ? '' : 's'} in ${v.bodies}; nothing was written to ${v.out}`);
      return EXIT.BAD_INPUT;
    }
    const bodies = Object.values(r.manifest.roles).flatMap((m) => Object.keys(m.transitions).map((t) => `${m.source.replace(/\.ts$/, '')}.${t}`));
    out.stderr(`built ${v.out}${v.assert === true ? ' (instrumented: --assert)' : ''}: ${bodies.length} body program${bodies.length === 1 ? '' : 's'} (${bodies.join(', ') || 'none'})${r.manifest.functions !== null ? ', functions' : ''}; every other transition runs its body spec`);
    return EXIT.OK;
  },
};

/** `--client`: the client API's declarations of the program's calls, to `outFile`. */
async function buildClient(programPath: string, outFile: string | undefined, bodiesGiven: boolean, out: Out): Promise<number> {
  if (outFile === undefined) {
    out.stderr('mommie build: --client needs -o OUT.ts (the declarations file)');
    return EXIT.BAD_INPUT;
  }
  if (bodiesGiven) {
    out.stderr('mommie build: --client writes declarations only; build body programs (--bodies, --assert) separately');
    return EXIT.BAD_INPUT;
  }
  const fe = checkFile(programPath);
  printDiagnostics(out, fe);
  if (!fe.ok || fe.program === undefined) {
    out.stderr(summary([fe]));
    return EXIT.BAD_INPUT;
  }
  const { clientDeclarations } = await import('../api/declarations.js');
  try {
    writeFileSync(outFile, clientDeclarations(fe.program, programPath));
  } catch (e) {
    out.stderr(`mommie build: cannot write ${outFile}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.BAD_INPUT;
  }
  out.stderr(`wrote ${outFile}: the calls of ${fe.program.name}'s clients, for the client API`);
  return EXIT.OK;
}
