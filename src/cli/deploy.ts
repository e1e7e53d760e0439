import { checkFile } from '../analysis/frontend.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic, locate } from '../diagnostics/format.js';
import type { SourceText } from '../diagnostics/source.js';
import { loadDeployment } from '../deploy/load.js';
import { deployCheck, type SiteDissemination, type SiteReport } from '../deploy/verdict.js';
import { commandLine } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import type { Out } from './output.js';

const HELP = `Usage: mommie deploy-check PROGRAM DEPLOY [--json]

Checks a deployment configuration (DEPLOY, a .deploy file) against the
MOMMIE program it deploys: every principal has a node, every name resolves,
and every statement the program needs can be given by the mechanisms that
serve its principals. Each PUBLISH, and each pattern that asks for auditors,
is compared with the resolution rule (docs/deploy.md); one that no mechanism
can give is refused, naming the PUBLISH site, the principals and the
mechanism. Warnings say which deploy constants no model checked and which
statements rely on a trusted third party. [Dissemination] rules are checked
against what the program publishes: an OPTIMISTIC target must be a verifier
and what it relays must stay checkable, OPTIMISTIC(QUORUM) needs a quorum
size from the program's patterns, DIGEST a field that is a record. On
success, how each PUBLISH travels is printed on stdout: its mechanisms, then
the dissemination steps that apply (e.g. \`then OPTIMISTIC(r1) 200ms →
fallback\`).

Options:
  --json     print {ok, program, deploy, diagnostics: [...], sites: [...]} on stdout
  -h, --help show this help

Exit codes: 0 accepted (warnings allowed), 1 refused, or bad input (the
program or the deploy file has errors).`;

function siteLine(s: SiteReport, source: SourceText | undefined): string {
  const p = source?.position(s.span.start);
  const at = p === undefined ? s.file : `${s.file}:${p.line}:${p.column}`;
  const routes = s.routes.map((r) => `${r.issuers.join(', ')} -> ${r.verifiers.join(', ')}: ${r.mechanism}`).join('; ');
  // The [Dissemination] steps; who they are for only when they are not for every route.
  const issuers = new Set(s.routes.flatMap((r) => r.issuers));
  const verifiers = new Set(s.routes.flatMap((r) => r.verifiers));
  const whole = (g: SiteDissemination): boolean => s.dissemination.length === 1 && g.issuers.length === issuers.size && g.verifiers.length === verifiers.size;
  const steps = s.dissemination.map((g) => `${whole(g) ? '' : `${g.issuers.join(', ')} -> ${g.verifiers.join(', ')}: `}${g.text}`).join('; ');
  return `${at}  ${s.text}  ${routes === '' ? '(sent to no other node)' : routes}${steps === '' ? '' : `  then ${steps}`}`;
}

export const deployCheckCommand: Command = {
  name: 'deploy-check',
  help: HELP,
  run(args, out) {
    const cl = commandLine('deploy-check', args, { json: { type: 'boolean' } }, { min: 2, max: 2, expected: 'give a program and a deploy file' }, HELP, out);
    if (!cl.ok) return cl.exitCode;
    const [programPath, deployPath] = cl.positionals as [string, string];
    const json = cl.values.json === true;
    const fe = checkFile(programPath);
    const sources = new Map<string, SourceText | undefined>([[programPath, fe.source]]);
    // The program's own warnings belong to 'mommie check'; here only what stops the check.
    const programErrors = fe.diagnostics.filter((d) => d.severity === 'error');
    if (!fe.ok || fe.program === undefined) return finish(out, json, programPath, deployPath, programErrors, [], sources);
    const loaded = loadDeployment(deployPath, fe.program, fe.source);
    sources.set(deployPath, loaded.source);
    if (loaded.deployment === undefined || loaded.syntax === undefined) return finish(out, json, programPath, deployPath, loaded.diagnostics, [], sources);
    const report = deployCheck({ program: fe.program, ...(fe.source ? { programSource: fe.source } : {}), syntax: loaded.syntax, deployment: loaded.deployment });
    return finish(out, json, programPath, deployPath, [...loaded.diagnostics, ...report.diagnostics], report.sites, sources);
  },
};

function finish(out: Out, json: boolean, program: string, deploy: string, diagnostics: readonly Diagnostic[], sites: readonly SiteReport[], sources: ReadonlyMap<string, SourceText | undefined>): number {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const ok = errors === 0;
  if (json) {
    out.stdout(
      JSON.stringify(
        {
          ok,
          program,
          deploy,
          diagnostics: diagnostics.map((d) => locate(d, sources.get(d.file))),
          sites: sites.map((s) => {
            const p = sources.get(s.file)?.position(s.span.start);
            return { kind: s.kind, file: s.file, line: p?.line, column: p?.column, text: s.text, role: s.role, transition: s.transition, auditors: s.auditors, routes: s.routes, dissemination: s.dissemination, ok: s.ok };
          }),
        },
        null,
        2,
      ),
    );
  } else {
    for (const d of diagnostics) out.stderr(formatDiagnostic(d, sources.get(d.file)));
    if (ok) {
      const publishes = sites.filter((s) => s.kind === 'publish');
      for (const s of publishes) out.stdout(siteLine(s, sources.get(s.file)));
    }
    const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
    out.stderr(`${deploy}: ${ok ? 'accepted' : 'refused'} for ${program}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  }
  return ok ? EXIT.OK : EXIT.BAD_INPUT;
}
