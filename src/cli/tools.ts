import { isLeft } from 'fp-ts/lib/Either.js';
import { formatDoctorReport, runDoctor } from '../tools/doctor.js';
import { installTla2tools } from '../tools/install.js';
import { installTlapm } from '../tools/install-tlapm.js';
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
  install tlapm --from FILE-or-URL --sha256 HEX [--force]
                                     put a TLAPS release tarball you downloaded
                                     (or its URL) into the cache, where mommie
                                     looks for tlapm last, after checking it has
                                     the digest you pinned (mommie pins none:
                                     tlapm's current build is a rolling
                                     pre-release; docs/prove.md)
  doctor [--json] [--tla2tools JAR] [--tlapm PATH]
                                     report which Java, jar and tlapm (with its
                                     backends) mommie would use, and what to do
                                     about any problem

Options:
  --force           install: download again even if the jar is installed;
                    install tlapm: replace the tlapm in the cache
  --from SRC        install tlapm: the tarball's path or http(s) URL
  --sha256 HEX      install tlapm: the digest the tarball must have
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
  MOMMIE_TLAPM_URL, MOMMIE_TLAPM_SHA256
                          install tlapm: --from and --sha256 when not given

Exit codes: 0 done (doctor: TLC is usable); 1 a problem, with one sentence
saying what to do.`;

async function install(args: string[], out: Out): Promise<number> {
  const cl = commandLine('tools install', args, { force: { type: 'boolean' }, from: { type: 'string' }, sha256: { type: 'string' } }, TOOL_NAME, HELP, out);
  if (!cl.ok) return cl.exitCode;
  const tool = cl.positionals[0];
  if (tool !== undefined && tool !== 'tlapm') {
    out.stderr(`mommie tools install: unknown tool '${tool}' (name none for the TLA+ tools, or tlapm)`);
    return EXIT.BAD_INPUT;
  }
  if (tool === 'tlapm') return installTlapmCommand(cl.values, out);
  if (cl.values.from !== undefined || cl.values.sha256 !== undefined) {
    out.stderr('mommie tools install: --from and --sha256 are for `tools install tlapm`; the TLA+ tools come from the pinned release (MOMMIE_TLA2TOOLS_URL for a mirror)');
    return EXIT.BAD_INPUT;
  }
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

const TOOL_NAME = { min: 0, max: 1, expected: 'takes at most one tool name (tlapm)' } as const;

async function installTlapmCommand(v: { force?: boolean; from?: string; sha256?: string }, out: Out): Promise<number> {
  const r = await installTlapm(currentHost(), {
    force: v.force === true,
    ...(v.from !== undefined ? { from: v.from } : {}),
    ...(v.sha256 !== undefined ? { sha256: v.sha256 } : {}),
    log: (l) => out.stderr(l),
  });
  if (isLeft(r)) {
    out.stderr(`mommie tools install tlapm: ${r.left.message}\n${r.left.hint}`);
    return EXIT.BAD_INPUT;
  }
  const i = r.right;
  out.stdout(
    i.kind === 'already-installed'
      ? `${i.version} is already installed at ${i.path} (from ${i.from}, sha256 ${i.sha256}); pass --force to replace it.`
      : `installed ${i.version} at ${i.path} (from ${i.from}, sha256 ${i.sha256})`,
  );
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
