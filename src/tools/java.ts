// Finding `java` and reading its version.
//
// Order: $JAVA_HOME/bin/java when JAVA_HOME is set (a JAVA_HOME without
// bin/java is a problem, not silently skipped: the user asked for it), else
// the first `java` on PATH. `java -version` prints to stderr, e.g.
//
//   openjdk version "17.0.15" 2025-04-15       -> 17
//   java version "1.8.0_392"                   -> 8
//   openjdk version "21-ea" 2023-09-19         -> 21
//
// possibly after "Picked up JAVA_TOOL_OPTIONS: ..." lines. TLC needs 11+.

import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { exeName, isExecutableFile, nonEmpty, which, type Host } from './platform.js';
import { problem, type ToolProblem } from './problem.js';

export const MIN_JAVA_MAJOR = 11;

export type JavaSource = 'JAVA_HOME' | 'PATH';

export interface JavaVersion {
  /** The quoted version string, e.g. `17.0.15` or `1.8.0_392`. */
  readonly version: string;
  readonly major: number;
}

export interface JavaInfo extends JavaVersion {
  readonly path: string;
  readonly source: JavaSource;
}

/** Reads `java -version` output; undefined when it names no version. */
export function parseJavaVersion(output: string): JavaVersion | undefined {
  const m = /^\s*\S+ version "([^"\r\n]{1,64})"/m.exec(output);
  if (m === null) return undefined;
  const version = m[1]!;
  const parts = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (parts === null) return undefined;
  const first = Number(parts[1]);
  // Up to Java 8 versions read 1.<major>.<minor>_<update>.
  const major = first === 1 && parts[2] !== undefined ? Number(parts[2]) : first;
  if (!Number.isSafeInteger(major) || major <= 0) return undefined;
  return { version, major };
}

/** Where `java` is, without running it. */
export function findJava(host: Host): Either<ToolProblem, { path: string; source: JavaSource }> {
  const javaHome = nonEmpty(host.env['JAVA_HOME']);
  const exe = exeName('java', host.platform);
  if (javaHome !== undefined) {
    const path = join(javaHome, 'bin', exe);
    if (isExecutableFile(path, host)) return right({ path, source: 'JAVA_HOME' });
    return left(
      problem(
        'java-home-invalid',
        `JAVA_HOME is set to ${javaHome}, but ${path} is not an executable file.`,
        `Set JAVA_HOME to the directory of a JDK ${MIN_JAVA_MAJOR} or newer (the one that contains bin/${exe}), or unset it to use the java on PATH.`,
      ),
    );
  }
  const path = which('java', host);
  if (path !== undefined) return right({ path, source: 'PATH' });
  return left(
    problem(
      'java-missing',
      'No Java runtime was found: JAVA_HOME is not set and there is no java on PATH.',
      `Install a JDK ${MIN_JAVA_MAJOR} or newer (for example Eclipse Temurin or your system's openjdk package) and put its bin directory on PATH, or set JAVA_HOME.`,
    ),
  );
}

const probed = new Map<string, Promise<Either<ToolProblem, JavaVersion>>>();

/** Runs `java -version` (once per path and process). */
export function javaVersionOf(path: string, host: Host): Promise<Either<ToolProblem, JavaVersion>> {
  let p = probed.get(path);
  if (p === undefined) {
    p = runJavaVersion(path, host);
    probed.set(path, p);
  }
  return p;
}

async function runJavaVersion(path: string, host: Host): Promise<Either<ToolProblem, JavaVersion>> {
  const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
  const r = await execa(path, ['-version'], { reject: false, timeout: 30_000, env: host.env, extendEnv: false, stdin: 'ignore' });
  const output = `${String(r.stderr ?? '')}\n${String(r.stdout ?? '')}`;
  const v = r.exitCode === 0 ? parseJavaVersion(output) : undefined;
  if (v !== undefined) return right(v);
  const why = r.timedOut
    ? 'did not answer within 30 seconds'
    : r.exitCode === 0
      ? `printed no version ('${firstLine(output)}')`
      : `failed (${r.exitCode === undefined ? (r.signal ?? 'could not start') : `exit ${r.exitCode}`}${firstLine(output) === '' ? '' : `: ${firstLine(output)}`})`;
  return left(
    problem(
      'java-broken',
      `${path} -version ${why}.`,
      `Repair or reinstall that Java, or point JAVA_HOME at a working JDK ${MIN_JAVA_MAJOR} or newer.`,
    ),
  );
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 160);
}

/** The problem with a Java too old for TLC, if it is. */
export function javaTooOld(info: JavaInfo): ToolProblem | undefined {
  if (info.major >= MIN_JAVA_MAJOR) return undefined;
  return problem(
    'java-too-old',
    `${info.path} is Java ${info.major} (${info.version}); TLC needs Java ${MIN_JAVA_MAJOR} or newer.`,
    `Install a JDK ${MIN_JAVA_MAJOR} or newer and put it first on PATH, or set JAVA_HOME to it.`,
  );
}

/** Finds java and reads its version (too old is not a problem here; see javaTooOld). */
export async function probeJava(host: Host): Promise<Either<ToolProblem, JavaInfo>> {
  const found = findJava(host);
  if (found._tag === 'Left') return found;
  const v = await javaVersionOf(found.right.path, host);
  if (v._tag === 'Left') return v;
  return right({ ...found.right, ...v.right });
}
