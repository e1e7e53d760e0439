import { isLeft } from 'fp-ts/lib/Either.js';
import { formatDoctorReport, runDoctor } from '../tools/doctor.js';
import { installTla2tools } from '../tools/install.js';
import { PINNED_TLA2TOOLS } from '../tools/pinned.js';
import { currentHost } from '../tools/platform.js';
import { commandLine, NO_ARGUMENTS } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import type { Out } from './output.js';

const HELP = `Usage: mommie tools <command> [options]

Manages the external tools mommie runs: Java, the TLA+ tools (TLC and SANY
in tla2tools.jar) and, optionally, tlapm for \`mommie prove\`. See docs/tlc.md
and docs/prove.md.

Commands:
  install [--force]                  download tla2tools.jar of TLA+ tools ${PINNED_TLA2TOOLS.version}
                                     into the cache and check its SHA-256
  doctor [--json] [--tla2tools JAR] [--tlapm PATH]
                                     report which Java, jar and tlapm (with its
                                     backends) mommie would use, and what to do
                                     about any problem

Options:
  --force           install: download again even if the jar is installed
  --json            doctor: print the report as JSON on stdout
  --tla2tools JAR   doctor: check this jar instead of TLA2TOOLS_JAR or the cache
  --tlapm PATH      doctor: check this tlapm instead of TLAPM, PATH or the cache
  -h, --help        show this help

Environment:
  TLA2TOOLS_JAR           the tla2tools.jar to use (after --tla2tools, before the cache)
  JAVA_HOME               the JDK to use (else java on PATH); TLC needs Java 11+
  TLAPM                   the tlapm executable (else tlapm on PATH, else
                          tlapm/bin/tlapm in the cache: a TLAPS release unpacked there)
  XDG_CACHE_HOME          where the cache is (default ~/.cache, or
                          ~/Library/Caches on macOS)
  MOMMIE_TLA2TOOLS_URL    a mirror of https://github.com/tlaplus/tlaplus/releases/download
  MOMMIE_TLA2TOOLS_SHA256 the digest to expect from that mirror

Exit codes: 0 done (doctor: TLC is usable); 1 a problem, with one sentence
saying what to do.`;

async function install(args: string[], out: Out): Promise<number> {
  const cl = commandLine('tools install', args, { force: { type: 'boolean' } }, NO_ARGUMENTS, HELP, out);
  if (!cl.ok) return cl.exitCode;
  const r = await installTla2tools(currentHost(), { force: cl.values.force === true, log: (l) => out.stderr(l) });
  if (isLeft(r)) {
    out.stderr(`mommie tools install: ${r.left.message}\n${r.left.hint}`);
    return EXIT.BAD_INPUT;
  }
  const i = r.right;
  if (i.kind === 'already-installed') {
    out.stdout(`TLA+ tools ${i.version} is already installed at ${i.path} (sha256 ${i.sha256}); pass --force to download it again.`);
  } else {
    out.stdout(`installed TLA+ tools ${i.version} at ${i.path} (${i.size} bytes, sha256 ${i.sha256})`);
  }
  return EXIT.OK;
}

async function doctor(args: string[], out: Out): Promise<number> {
  const cl = commandLine('tools doctor', args, { json: { type: 'boolean' }, tla2tools: { type: 'string' }, tlapm: { type: 'string' } }, NO_ARGUMENTS, HELP, out);
  if (!cl.ok) return cl.exitCode;
  const report = await runDoctor(currentHost(), cl.values.tla2tools, cl.values.tlapm);
  out.stdout(cl.values.json === true ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
  return report.ok ? EXIT.OK : EXIT.BAD_INPUT;
}

export const toolsCommand: Command = {
  name: 'tools',
  summary: 'install TLC and check Java, TLC and tlapm (install, doctor)',
  help: HELP,
  async run(args, out) {
    const [sub, ...rest] = args;
    if (sub === undefined) {
      out.stderr(`mommie tools: name a command (install or doctor)\n${HELP}`);
      return EXIT.BAD_INPUT;
    }
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      out.stdout(HELP);
      return EXIT.OK;
    }
    if (sub === 'install') return install(rest, out);
    if (sub === 'doctor') return doctor(rest, out);
    out.stderr(`mommie tools: unknown command '${sub}' (install or doctor)\n${HELP}`);
    return EXIT.BAD_INPUT;
  },
};
