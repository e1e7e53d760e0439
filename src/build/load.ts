// `mommie run --build OUT`: the build's modules loaded into the running
// process and handed to the semantics as body programs (by Role.Transition)
// and host functions (the functions the program leaves open).
//
// Each node has its own instance of the role modules and of the helpers
// they import: over TCP each node is its own process, and on the simulated
// network each node imports them under its own URL (build/instance-hooks.ts),
// so a body program that keeps something in a module variable behaves alike
// on both. functions.ts is loaded once per process: the program's functions
// are functions (the checker takes them to be pure), called from guards and
// body specs where no node is at hand.

import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { BodyProgram } from '../semantics/body.js';
import { EvalError } from '../semantics/errors.js';
import type { HostFunction } from '../semantics/eval.js';
import { bodyProgram, boundPassed, type HostBody } from './adapter.js';
import type { AssertSink } from './assertions.js';
import { NODE_PARAM } from './instance-hooks.js';
import { decodeManifest, MANIFEST_FILE, MANIFEST_VERSION, sha256, type BuildManifest } from './manifest.js';
import { thrownAt } from './places.js';
import { fromHost, toHost } from './values.js';
import { WorkBound } from './work.js';

export interface LoadedBuild {
  readonly manifest: BuildManifest;
  readonly bodies: ReadonlyMap<string, BodyProgram>;
  readonly host: ReadonlyMap<string, HostFunction>;
}

export interface LoadOptions {
  /** Load the role modules for this node alone (a TCP node process); by default one instance per node that runs a role. */
  readonly node?: string;
}

type Exports = { readonly [name: string]: unknown };

/** Whether the build in `dir` is instrumented (false when it is no build: loadBuild says why). */
export function peekAssert(dir: string): boolean {
  try {
    return decodeManifest(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')))?.assert ?? false;
  } catch {
    return false;
  }
}

function readManifest(dir: string): BuildManifest | { readonly error: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  } catch (e) {
    return { error: `${dir} is not a build of mommie build (${e instanceof Error ? e.message : String(e)})` };
  }
  const manifest = decodeManifest(json);
  if (manifest !== undefined) return manifest;
  const version = typeof json === 'object' && json !== null ? (json as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && version !== MANIFEST_VERSION) return { error: `${dir} was built by another version of mommie build (layout ${version}, this one reads ${MANIFEST_VERSION}): run mommie build again` };
  return { error: `${join(dir, MANIFEST_FILE)} is not of the shape mommie build writes` };
}

let hooksRegistered = false;

export async function loadBuild(dir: string, program: CheckedProgram, source: SourceText, assert: AssertSink | undefined, opts: LoadOptions = {}): Promise<LoadedBuild | { readonly error: string }> {
  const manifest = readManifest(dir);
  if ('error' in manifest) return manifest;
  if (manifest.programSha256 !== sha256(source.text)) return { error: `${dir} was built from another version of ${program.file} (${manifest.program}): run mommie build again` };
  if (assert !== undefined && !manifest.assert) return { error: `${dir} was built without --assert: its body programs are not instrumented` };
  // Stack traces, and the places of writes, point into the user's .ts.
  process.setSourceMapsEnabled(true);
  const work = new WorkBound(manifest.workLimit);
  const importDefault = async (file: string, node?: string): Promise<Exports | string> => {
    const url = pathToFileURL(resolve(dir, file)).href + (node === undefined ? '' : `?${NODE_PARAM}=${encodeURIComponent(node)}`);
    work.enter();
    try {
      const m = (await import(url)) as { readonly default?: unknown };
      return typeof m.default === 'object' && m.default !== null ? (m.default as Exports) : `${file} has no default export object`;
    } catch (e) {
      return `${file} does not load: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      const exceeded = work.leave();
      if (exceeded !== undefined) return `${file} does not load: its top-level code did more than ${work.limit} loop iterations and calls (at ${exceeded})`;
    }
  };

  const host = new Map<string, HostFunction>();
  if (manifest.functions !== null) {
    const m = await importDefault(manifest.functions);
    if (typeof m === 'string') return { error: m };
    for (const [name, f] of Object.entries(m)) {
      const decl = program.functions.get(name);
      if (typeof f === 'function' && decl !== undefined) host.set(name, hostFunction(name, f as (...a: unknown[]) => unknown, decl, program, work));
    }
  }

  const nodesOf = (role: string): readonly string[] => {
    const all = program.principalSets.get(program.roles.get(role)?.set ?? '') ?? [];
    return opts.node === undefined ? all : all.filter((n) => n === opts.node);
  };
  const instanced = opts.node === undefined && Object.keys(manifest.roles).some((r) => nodesOf(r).length > 1);
  // node:module's register is Node 20.6 and later; before it, only the role modules themselves are per node.
  if (instanced && !hooksRegistered && typeof nodeModule.register === 'function') {
    nodeModule.register(new URL('./instance-hooks.js', import.meta.url));
    hooksRegistered = true;
  }
  const bodies = new Map<string, BodyProgram>();
  for (const [role, r] of Object.entries(manifest.roles)) {
    const perNode = new Map<string, Exports>();
    for (const node of nodesOf(role)) {
      const m = await importDefault(r.module, instanced ? node : undefined);
      if (typeof m === 'string') return { error: m };
      perNode.set(node, m);
    }
    for (const [transition, t] of Object.entries(r.transitions)) {
      for (const m of perNode.values()) if (typeof m[transition] !== 'function') return { error: `${r.source}: ${transition} is not a function` };
      const bodyOf = (node: string): HostBody | undefined => {
        const m = perNode.get(node);
        const f = m?.[transition] as HostBody | undefined;
        return m === undefined || f === undefined ? undefined : (ctx) => f.call(m, ctx);
      };
      bodies.set(`${role}.${transition}`, bodyProgram({ program, source, bodyOf, at: t.at, work, ...(assert !== undefined ? { assert } : {}) }));
    }
  }
  return { manifest, bodies, host };
}

/** A function of functions.ts as the evaluator calls it: checked values in and out, within the work bound, synchronous. */
function hostFunction(name: string, f: (...a: unknown[]) => unknown, decl: { readonly name: { readonly span: { start: number; end: number } } }, program: CheckedProgram, work: WorkBound): HostFunction {
  const fail = (message: string): EvalError => new EvalError('MOM703', `the program's function ${name} ${message}`, decl.name.span);
  return (args) => {
    let r: unknown;
    let threw: { readonly e: unknown } | undefined;
    work.enter();
    try {
      r = f(...args.map((a) => toHost(a, program)));
    } catch (e) {
      threw = { e };
    } finally {
      const exceeded = work.leave();
      if (exceeded !== undefined) throw boundPassed(fail, exceeded, work.limit);
    }
    if (threw !== undefined) {
      if (threw.e instanceof EvalError) throw threw.e;
      throw fail(`threw${thrownAt(threw.e)}: ${threw.e instanceof Error ? threw.e.message : String(threw.e)}`);
    }
    if (typeof r === 'object' && r !== null && typeof (r as { then?: unknown }).then === 'function') {
      void Promise.resolve(r).then(undefined, () => undefined);
      throw fail('returned a Promise: the program\'s functions must be synchronous');
    }
    const v = fromHost(r, program);
    if (typeof v === 'object' && 'error' in v) throw fail(`returned no MOMMIE value: ${v.error}`);
    return v;
  };
}
