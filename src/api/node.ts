// openNode (docs/api.md): one node of a deployment over TCP in the caller's
// process, opened as `mommie run --network tcp --node NAME` opens it
// (runtime/open-node.ts): its program, deployment and key file, its log in
// `logDir` (recovered when there is one: the node carries on where its last
// incarnation stopped), its address bound. A lock file in `logDir` keeps a
// second process from opening the same node on the same log.

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { realHost } from '../runtime/host.js';
import { loadNodeModel, openNode as openRuntimeNode } from '../runtime/open-node.js';
import { sharedRunId } from '../runtime/run-id.js';
import { Caller, DEFAULT_TIMEOUT_MS, type EarlierAnswer, type SubmitOptions } from './caller.js';
import { OpenError, type CallMap, type Client, type UntypedCalls } from './simulation.js';

export interface NodeOptions {
  /** The program (.mom). */
  readonly program: string;
  /** Its deployment: the node's address and its peers'. */
  readonly deploy: string;
  /** The node's key file (`mommie keys`), or the directory holding it. */
  readonly keys: string;
  /** Which node of the deployment this process is. */
  readonly node: string;
  /** Where its log lives (`<node>.ndjson`), and its lock. */
  readonly logDir: string;
  /** The run's identity (32 hex digits; `mommie run-id` writes one), else the one in `logDir/run-id` (made there if none), as `--node` does. */
  readonly runId?: string;
  /** Take crashed principals and constants from this model of the program. */
  readonly model?: string;
  /** A `mommie build` whose body programs supply the service's functions and bodies. */
  readonly build?: string;
  /** When the log is forced to disk (default fsync: nothing leaves before it is durable). */
  readonly logSync?: 'fsync' | 'none';
  /** A call's default timeout, ms (10,000). */
  readonly timeoutMs?: number;
}

export interface OpenedNode<C extends CallMap = UntypedCalls> extends Client<C> {
  /** The TCP port it listens on. */
  readonly port: number;
  /** Set when the node was rebuilt from its log: events re-done, and calls of the earlier incarnation still unanswered. */
  readonly recovered?: { readonly events: number; readonly inFlight: number };
  /** Answers to calls an earlier incarnation made (before a restart), as they come. */
  onAnswer(listener: (a: EarlierAnswer) => void): void;
  /** Stops the node: waiting calls are refused, calls in flight get OutcomeUnknownError; the log is closed and the lock released. */
  close(): Promise<void>;
}

export async function openNode<C extends CallMap = UntypedCalls>(o: NodeOptions): Promise<OpenedNode<C>> {
  try {
    mkdirSync(o.logDir, { recursive: true });
  } catch (e) {
    throw new OpenError(`cannot create the log directory ${o.logDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const unlock = lock(o.logDir, o.node);
  try {
    // The call map is the declarations' promise about this program; the calls are checked at run time either way.
    return (await opened(o, unlock)) as unknown as OpenedNode<C>;
  } catch (e) {
    unlock();
    throw e;
  }
}

async function opened(o: NodeOptions, unlock: () => void): Promise<OpenedNode> {
  const run = o.runId !== undefined ? { ok: true as const, run: o.runId } : sharedRunId(o.logDir);
  if (!run.ok) throw new OpenError(run.message);
  const args = {
    program: o.program, deploy: o.deploy, keys: o.keys, node: o.node, traceDir: o.logDir, run: run.run,
    ...(o.model !== undefined ? { model: o.model } : {}), requests: 0, concurrency: 1, log: 'resume' as const, strict: false,
    logSync: o.logSync ?? 'fsync', ...(o.build !== undefined ? { build: o.build } : {}),
  };
  const loaded = await loadNodeModel(args, (line) => void process.stderr.write(line + '\n'));
  if (!loaded.ok) throw new OpenError(loaded.message);
  if (loaded.value.isTtp) throw new OpenError(`${o.node} is a trusted third party of the deployment: it runs no role and takes no calls (mommie run --node ${o.node} runs it)`);
  let caller: Caller | undefined;
  let logFailed: Error | undefined;
  const r = await openRuntimeNode(args, loaded.value, { step: (_n, what) => void (what.kind === 'fire' ? caller?.afterStep() : undefined) }, (e) => {
    // Nothing the node sends may leave unlogged: it stops.
    logFailed = e;
    void close(`its log cannot be written to disk (${e.message})`);
  });
  if (!r.ok) throw new OpenError(r.message);
  const { node, system, transport, log, recovered } = r.value;
  caller = new Caller(node, system, realHost, (f) => setImmediate(f), o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const c = caller;
  const inFlight = recovered === undefined ? 0 : c.adoptEarlier(recovered.resume.inputs);
  node.start();
  let closing: Promise<void> | undefined;
  const close = (reason: string): Promise<void> => {
    closing ??= (async () => {
      c.close(reason);
      node.stop(reason);
      log.close();
      await transport.close();
      unlock();
    })();
    return closing;
  };
  return {
    name: o.node, port: transport.port, calls: c.callable,
    ...(recovered !== undefined ? { recovered: { events: recovered.events, inFlight } } : {}),
    submit: (t: string, a: object, so?: SubmitOptions) => (logFailed !== undefined ? Promise.reject(new OpenError(`${o.node} stopped: its log cannot be written to disk (${logFailed.message})`)) : c.submit(t, a, so)),
    onAnswer: (f) => c.onAnswer(f),
    close: () => close('closed by the application'),
  };
}

/** Takes `<dir>/<node>.lock` for this process (a stale one, whose process is gone, is taken over); the release. */
function lock(dir: string, node: string): () => void {
  const path = join(dir, `${node}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OpenError(`cannot take the lock ${path}: ${e instanceof Error ? e.message : String(e)}`);
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new OpenError(`${node} is open already, in process ${holder}${holder === process.pid ? ' (this one)' : ''}: its lock ${path} is held (two processes on one log would contradict each other)`);
      }
      // Its process is gone: the lock is stale.
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      rmSync(path, { force: true });
    };
  }
  throw new OpenError(`cannot take the lock ${path}: another process keeps taking it`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
