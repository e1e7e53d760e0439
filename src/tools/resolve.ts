// resolveTlc: what code that runs TLC or SANY calls first.
//
//   const r = await resolveTlc({ tla2tools: flagValue });
//   if (isLeft(r)) { print r.left.message and r.left.hint; exit 1 }
//   execa(r.right.java, ['-XX:+UseParallelGC', '-cp', r.right.jar, 'tlc2.TLC', '-tool', ...])
//
// It finds the jar (flag, TLA2TOOLS_JAR, cache; jar.ts), checks that it is a
// whole jar and unchanged since install, finds java (JAVA_HOME, PATH;
// java.ts) and checks that it is Java 11 or newer. It does not run TLC
// (`mommie tools doctor` does); a jar that is a valid zip but not
// tla2tools.jar shows up when TLC is run.

import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { changedSinceInstall, inspectJar, locateJar, type JarSource } from './jar.js';
import { javaTooOld, probeJava, type JavaSource } from './java.js';
import { currentHost, type Host } from './platform.js';
import type { ToolProblem } from './problem.js';

export interface ResolvedTlc {
  /** The java executable. */
  readonly java: string;
  readonly javaMajor: number;
  readonly javaSource: JavaSource;
  /** Absolute path of tla2tools.jar. */
  readonly jar: string;
  readonly jarSource: JarSource;
}

export interface ResolveOptions {
  /** The value of a `--tla2tools PATH` flag, when the command has one. */
  readonly tla2tools?: string;
  /** Defaults to this process's environment, platform and home directory. */
  readonly host?: Partial<Host>;
}

export async function resolveTlc(options: ResolveOptions = {}): Promise<Either<ToolProblem, ResolvedTlc>> {
  const host = currentHost(options.host);
  const jar = locateJar(host, options.tla2tools);
  if (isLeft(jar)) return jar;
  const facts = inspectJar(jar.right.path);
  if (isLeft(facts)) return facts;
  const changed = changedSinceInstall(jar.right.path, facts.right);
  if (changed !== undefined) return left(changed);
  const java = await probeJava(host);
  if (isLeft(java)) return java;
  const old = javaTooOld(java.right);
  if (old !== undefined) return left(old);
  return right({ java: java.right.path, javaMajor: java.right.major, javaSource: java.right.source, jar: jar.right.path, jarSource: jar.right.source });
}
