// A module-resolution hook (node:module `register`) that gives each simulated
// node its own instance of a build's modules. build/load.ts imports a role
// module once per node as `Replica.js?mommie-node=r1`; this hook carries the
// node's query on to every relative import of such a module, so the
// helpers a body program imports are that node's too, as they are over TCP,
// where each node is a process. Packages (bare specifiers) stay shared.

import type { ResolveHook } from 'node:module';

export const NODE_PARAM = 'mommie-node';

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const r = await nextResolve(specifier, context);
  const parent = context.parentURL;
  if (parent === undefined || !(specifier.startsWith('./') || specifier.startsWith('../'))) return r;
  const node = new URL(parent).searchParams.get(NODE_PARAM);
  if (node === null || !r.url.startsWith('file:') || r.url.includes('?')) return r;
  return { ...r, url: `${r.url}?${NODE_PARAM}=${encodeURIComponent(node)}` };
};
