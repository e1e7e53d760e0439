// `mommie tools doctor`: what mommie would use to run TLC, and what is wrong.
//
// The report (DoctorReport, with an io-ts codec for readers of `--json`)
// covers Java (path, version, ok / too old / missing / broken), the jar
// (path, where it was found, size, SHA-256, the TLC and SANY versions it
// prints) and tlapm (found or not, its version and which backends answer;
// optional). `ok` is true when TLC can run: tlapm never makes it false.

import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { changedSinceInstall, inspectJar, locateJar } from './jar.js';
import { javaTooOld, probeJava } from './java.js';
import { PINNED_TLA2TOOLS, releaseUrl } from './pinned.js';
import { cachedJarPath, type Host } from './platform.js';
import type { ToolProblem } from './problem.js';
import { probeTlc } from './tlc-probe.js';
import { probeTlapm } from './tlapm.js';
import { BACKENDS, backendHint, type BackendName, type BackendReport } from './tlapm-config.js';

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);

const problemCodec = t.type({ code: t.string, message: t.string, hint: t.string });

const backendCodec = t.type({
  status: t.union([t.literal('ok'), t.literal('missing')]),
  version: nullable(t.string),
  /** What to do when it is missing, one sentence; null when it answers. */
  hint: nullable(t.string),
});

export const doctorReportCodec = t.type({
  ok: t.boolean,
  java: t.type({
    status: t.union([t.literal('ok'), t.literal('too-old'), t.literal('missing'), t.literal('broken')]),
    path: nullable(t.string),
    source: nullable(t.union([t.literal('JAVA_HOME'), t.literal('PATH')])),
    version: nullable(t.string),
    major: nullable(t.number),
    problem: nullable(problemCodec),
  }),
  tla2tools: t.type({
    /** unchecked: the file is a whole jar, but TLC could not be run because Java is not usable. */
    status: t.union([t.literal('ok'), t.literal('missing'), t.literal('corrupt'), t.literal('changed'), t.literal('unusable'), t.literal('unchecked')]),
    path: nullable(t.string),
    source: nullable(t.union([t.literal('--tla2tools'), t.literal('TLA2TOOLS_JAR'), t.literal('cache')])),
    size: nullable(t.number),
    sha256: nullable(t.string),
    recordedSha256: nullable(t.string),
    /** Whether the jar is byte for byte the pinned release. */
    pinned: nullable(t.boolean),
    tlcVersion: nullable(t.string),
    tlcRevision: nullable(t.string),
    sanyVersion: nullable(t.string),
    problem: nullable(problemCodec),
  }),
  tlapm: t.type({
    status: t.union([t.literal('ok'), t.literal('missing'), t.literal('broken')]),
    path: nullable(t.string),
    source: nullable(t.union([t.literal('--tlapm'), t.literal('TLAPM'), t.literal('PATH'), t.literal('cache')])),
    version: nullable(t.string),
    /** Which backends answer `tlapm --config`; null when tlapm is not usable. */
    backends: nullable(t.type({ z3: backendCodec, zenon: backendCodec, ls4: backendCodec, isabelle: backendCodec })),
    problem: nullable(problemCodec),
  }),
  install: t.type({ version: t.string, url: t.string, sha256: t.string, path: t.string }),
});
export type DoctorReport = t.TypeOf<typeof doctorReportCodec>;

export async function runDoctor(host: Host, tla2toolsFlag?: string, tlapmFlag?: string): Promise<DoctorReport> {
  const [javaR, tlapmR] = await Promise.all([probeJava(host), probeTlapm(host, tlapmFlag)]);

  let java: DoctorReport['java'];
  if (isLeft(javaR)) {
    const status = javaR.left.code === 'java-broken' ? 'broken' : 'missing';
    java = { status, path: null, source: null, version: null, major: null, problem: javaR.left };
  } else {
    const old = javaTooOld(javaR.right);
    java = {
      status: old === undefined ? 'ok' : 'too-old',
      path: javaR.right.path,
      source: javaR.right.source,
      version: javaR.right.version,
      major: javaR.right.major,
      problem: old ?? null,
    };
  }

  const empty = { path: null, source: null, size: null, sha256: null, recordedSha256: null, pinned: null, tlcVersion: null, tlcRevision: null, sanyVersion: null };
  let jar: DoctorReport['tla2tools'];
  const loc = locateJar(host, tla2toolsFlag);
  if (isLeft(loc)) {
    jar = { ...empty, status: 'missing', problem: loc.left };
  } else {
    const where = { path: loc.right.path, source: loc.right.source };
    const facts = inspectJar(loc.right.path);
    if (isLeft(facts)) {
      jar = { ...empty, ...where, status: facts.left.code === 'jar-corrupt' ? 'corrupt' : facts.left.code === 'jar-changed' ? 'changed' : 'missing', problem: facts.left };
    } else {
      const f = facts.right;
      const known = { ...empty, ...where, size: f.size, sha256: f.sha256, recordedSha256: f.recordedSha256, pinned: f.sha256 === PINNED_TLA2TOOLS.sha256 };
      const changed = changedSinceInstall(loc.right.path, f);
      if (changed !== undefined) {
        jar = { ...known, status: 'changed', problem: changed };
      } else if (java.status !== 'ok' || java.path === null) {
        jar = { ...known, status: 'unchecked', problem: null };
      } else {
        const probe = await probeTlc(java.path, loc.right.path, host);
        jar = isLeft(probe)
          ? { ...known, status: 'unusable', problem: probe.left }
          : { ...known, status: 'ok', tlcVersion: probe.right.tlc.raw, tlcRevision: probe.right.tlc.revision, sanyVersion: probe.right.sany, problem: null };
      }
    }
  }

  const tlapm: DoctorReport['tlapm'] = isLeft(tlapmR)
    ? { status: tlapmR.left.code === 'tlapm-broken' ? 'broken' : 'missing', path: null, source: null, version: null, backends: null, problem: tlapmR.left }
    : {
        status: 'ok',
        path: tlapmR.right.path,
        source: tlapmR.right.source,
        version: tlapmR.right.version,
        backends: backendsOf(tlapmR.right.backends),
        problem: null,
      };

  return {
    ok: java.status === 'ok' && jar.status === 'ok',
    java,
    tla2tools: jar,
    tlapm,
    install: {
      version: PINNED_TLA2TOOLS.version,
      url: releaseUrl(PINNED_TLA2TOOLS.baseUrl, PINNED_TLA2TOOLS.version),
      sha256: PINNED_TLA2TOOLS.sha256,
      path: cachedJarPath(host, PINNED_TLA2TOOLS.version),
    },
  };
}

function backendsOf(r: BackendReport): NonNullable<DoctorReport['tlapm']['backends']> {
  const one = (b: BackendName) => ({ ...r[b], hint: r[b].status === 'ok' ? null : backendHint(b) });
  return { z3: one('z3'), zenon: one('zenon'), ls4: one('ls4'), isabelle: one('isabelle') };
}

const PAD = '           ';

function problemLines(p: ToolProblem | { message: string; hint: string } | null): string[] {
  return p === null ? [] : [`${PAD}${p.message}`, `${PAD}${p.hint}`];
}

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The report as the terminal shows it. */
export function formatDoctorReport(r: DoctorReport): string {
  const out: string[] = [];
  const j = r.java;
  if (j.path !== null) {
    out.push(`java:      ${j.status === 'ok' ? 'ok' : j.status} - ${j.path} (version ${j.version ?? '?'}, from ${j.source ?? '?'})`);
  } else {
    out.push(`java:      ${j.status}`);
  }
  out.push(...problemLines(j.problem));

  const a = r.tla2tools;
  if (a.path !== null) {
    out.push(`tla2tools: ${a.status} - ${a.path} (from ${a.source ?? '?'})`);
    if (a.size !== null && a.sha256 !== null) {
      const pin = a.pinned === true ? `the pinned TLA+ tools ${r.install.version}` : `not the pinned ${r.install.version} release`;
      out.push(`${PAD}${mib(a.size)}, sha256 ${a.sha256} (${pin})`);
    }
    if (a.tlcVersion !== null) out.push(`${PAD}${a.tlcVersion}`);
    if (a.sanyVersion !== null) out.push(`${PAD}SANY Version ${a.sanyVersion}`);
    if (a.status === 'unchecked') out.push(`${PAD}(TLC was not run: Java is not usable)`);
  } else {
    out.push(`tla2tools: ${a.status}`);
  }
  out.push(...problemLines(a.problem));

  const p = r.tlapm;
  if (p.path !== null) {
    out.push(`tlapm:     ok - ${p.path} (version ${p.version ?? 'unknown'}, from ${p.source ?? '?'})`);
    if (p.backends !== null) {
      const b = p.backends;
      const answer = BACKENDS.filter((n) => b[n].status === 'ok').map((n) => (b[n].version !== null ? `${n} ${b[n].version}` : n));
      const missing = BACKENDS.filter((n) => b[n].status === 'missing');
      out.push(`${PAD}backends: ${answer.join(', ') || 'none'}${missing.length > 0 ? `; not found: ${missing.join(', ')}` : ''}`);
      for (const n of missing) out.push(`${PAD}${b[n].hint ?? ''}`);
    }
  } else out.push(`tlapm:     ${p.status === 'broken' ? 'broken' : 'not found'} (optional, for \`mommie prove\`)`, ...problemLines(p.problem));

  out.push(`install:   \`mommie tools install\` puts TLA+ tools ${r.install.version} at ${r.install.path}`);
  out.push('');
  out.push(r.ok ? 'TLC is usable.' : 'TLC is not usable: see above for what to do.');
  return out.join('\n');
}
