// Asks a tla2tools.jar which TLC (and SANY) it holds.
//
// `java -cp JAR tlc2.TLC -version` prints the version line first (recent
// TLCs then complain about the option and exit 1, which is fine); when no
// version line comes out, the NAME section of `tlc2.TLC -h` is read instead.
// SANY's version comes from the NAME section of `tla2sany.SANY -help`; older
// SANYs (TLA+ tools 1.7.4) have no -help and print their version only when
// they parse a module, so an empty module is parsed in a temporary directory.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { parseTlcVersion } from '../tlc/version.js';
import type { TlcVersion } from '../tlc/result.js';
import type { Host } from './platform.js';
import { problem, type ToolProblem } from './problem.js';

export interface TlcProbe {
  readonly tlc: TlcVersion;
  /** e.g. `2.2 created 08 July 2020`; null when SANY did not say. */
  readonly sany: string | null;
}

const TIMEOUT_MS = 60_000;

async function run(java: string, jar: string, args: string[], host: Host, cwd?: string): Promise<{ text: string; exitCode: number | undefined; timedOut: boolean }> {
  const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
  const r = await execa(java, ['-cp', jar, ...args], { reject: false, timeout: TIMEOUT_MS, env: host.env, extendEnv: false, stdin: 'ignore', ...(cwd !== undefined ? { cwd } : {}) });
  return { text: stripAnsi(`${String(r.stdout ?? '')}\n${String(r.stderr ?? '')}`), exitCode: r.exitCode, timedOut: r.timedOut };
}

export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** `... - Version 2.2 created 08 July 2020` in a NAME section. */
export function parseNameSectionVersion(text: string, tool: string): string | undefined {
  const m = new RegExp(`^\\s*${tool} - .* - Version (.+?)\\s*$`, 'm').exec(stripAnsi(text));
  return m?.[1];
}

export async function probeTlc(java: string, jar: string, host: Host): Promise<Either<ToolProblem, TlcProbe>> {
  const [tlcOut, sanyOut] = await Promise.all([run(java, jar, ['tlc2.TLC', '-version'], host), run(java, jar, ['tla2sany.SANY', '-help'], host)]);
  let tlc = parseTlcVersion(tlcOut.text);
  let failure = tlcOut;
  if (tlc === undefined) {
    const help = await run(java, jar, ['tlc2.TLC', '-h'], host);
    const v = parseNameSectionVersion(help.text, 'TLC');
    if (v !== undefined) tlc = { raw: `TLC2 Version ${v}`, version: v.split(/\s/)[0]!, revision: /\(rev: ([0-9A-Za-z]+)\)/.exec(v)?.[1] ?? null };
    failure = help;
  }
  if (tlc === undefined) {
    const first = (failure.text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 160);
    const why = failure.timedOut ? `did not answer within ${TIMEOUT_MS / 1000} seconds` : first === '' ? 'printed nothing' : `printed '${first}'`;
    return left(
      problem(
        'tlc-unusable',
        `Java could not run TLC from ${jar}: tlc2.TLC ${why}.`,
        'The file may not be tla2tools.jar or may be damaged; run `mommie tools install --force`, or point TLA2TOOLS_JAR at a good tla2tools.jar.',
      ),
    );
  }
  return right({ tlc, sany: parseNameSectionVersion(sanyOut.text, 'SANY') ?? (await sanyVersionByParsing(java, jar, host)) ?? null });
}

/** `****** SANY2 Version 2.1 created 24 February 2014`, printed when SANY parses a module. */
export function parseSanyBanner(text: string): string | undefined {
  return /^\**\s*SANY2? Version (.+?)\s*$/m.exec(stripAnsi(text))?.[1];
}

async function sanyVersionByParsing(java: string, jar: string, host: Host): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'mommie-sany-probe-'));
  try {
    writeFileSync(join(dir, 'Probe.tla'), '---- MODULE Probe ----\n====\n');
    return parseSanyBanner((await run(java, jar, ['tla2sany.SANY', 'Probe.tla'], host, dir)).text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
