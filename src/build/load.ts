// `mommie run --build OUT`: the build's modules loaded into the running
// process and handed to the semantics as body programs (by Role.Transition)
// and host functions (the functions the program leaves open).

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { BodyProgram } from '../semantics/body.js';
import { EvalError } from '../semantics/errors.js';
import type { HostFunction } from '../semantics/eval.js';
import { bodyProgram, type HostBody } from './adapter.js';
import type { AssertSink } from './assertions.js';
import { AT_GLOBAL, decodeManifest, MANIFEST_FILE, sha256, type BuildManifest } from './manifest.js';
import { fromHost, toHost } from './values.js';

export interface LoadedBuild {
  readonly manifest: BuildManifest;
  readonly bodies: ReadonlyMap<string, BodyProgram>;
  readonly host: ReadonlyMap<string, HostFunction>;
}

// The last place an instrumented program marked (assert-transform.ts): one
// slot, since a body program runs to completion before the next starts.
let lastAt: string | undefined;
const takeAt = (): string | undefined => {
  const a = lastAt;
  lastAt = undefined;
  return a;
};

/** Whether the build in `dir` is instrumented (false when it is no build: loadBuild says why). */
export function peekAssert(dir: string): boolean {
  try {
    return decodeManifest(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')))?.assert ?? false;
  } catch {
    return false;
  }
}

export async function loadBuild(dir: string, program: CheckedProgram, source: SourceText, assert: AssertSink | undefined): Promise<LoadedBuild | { readonly error: string }> {
  let manifest: BuildManifest | undefined;
  try {
    manifest = decodeManifest(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')));
  } catch (e) {
    return { error: `${dir} is not a build of mommie build (${e instanceof Error ? e.message : String(e)})` };
  }
  if (manifest === undefined) return { error: `${join(dir, MANIFEST_FILE)} is not of the shape mommie build writes` };
  if (manifest.programSha256 !== sha256(source.text)) return { error: `${dir} was built from another version of ${program.file} (${manifest.program}): run mommie build again` };
  if (assert !== undefined && !manifest.assert) return { error: `${dir} was built without --assert: its body programs are not instrumented` };
  // Stack traces of a failing body program point into the user's .ts.
  process.setSourceMapsEnabled(true);
  const g = globalThis as unknown as { [AT_GLOBAL]?: (at: string, v: unknown) => unknown };
  g[AT_GLOBAL] = (at, v) => {
    lastAt = at;
    return v;
  };
  const importDefault = async (file: string): Promise<{ readonly [name: string]: unknown } | string> => {
    try {
      const m = (await import(pathToFileURL(resolve(dir, file)).href)) as { readonly default?: unknown };
      return typeof m.default === 'object' && m.default !== null ? (m.default as { readonly [name: string]: unknown }) : `${file} has no default export object`;
    } catch (e) {
      return `${file} does not load: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
  const host = new Map<string, HostFunction>();
  if (manifest.functions !== null) {
    const m = await importDefault(manifest.functions);
    if (typeof m === 'string') return { error: m };
    for (const [name, f] of Object.entries(m)) {
      const decl = program.functions.get(name);
      if (typeof f !== 'function' || decl === undefined) continue;
      host.set(name, (args) => {
        let r: unknown;
        try {
          r = (f as (...a: unknown[]) => unknown)(...args.map((a) => toHost(a, program)));
        } catch (e) {
          throw new EvalError('MOM703', `the program's function ${name} threw: ${e instanceof Error ? e.message : String(e)}`, decl.name.span);
        }
        const v = fromHost(r, program);
        if (typeof v === 'object' && 'error' in v) throw new EvalError('MOM703', `the program's function ${name} returned no MOMMIE value: ${v.error}`, decl.name.span);
        return v;
      });
    }
  }
  const bodies = new Map<string, BodyProgram>();
  for (const [role, r] of Object.entries(manifest.roles)) {
    const m = await importDefault(r.module);
    if (typeof m === 'string') return { error: m };
    for (const [transition, t] of Object.entries(r.transitions)) {
      const f = m[transition];
      if (typeof f !== 'function') return { error: `${r.source}: ${transition} is not a function` };
      const body = f as HostBody;
      bodies.set(`${role}.${transition}`, bodyProgram({ program, source, body: (ctx) => body.call(m, ctx), at: t.at, takeAt, ...(assert !== undefined ? { assert } : {}) }));
    }
  }
  return { manifest, bodies, host };
}
