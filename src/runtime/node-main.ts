#!/usr/bin/env node
// The entry of a node process of a TCP run: `node node-main.js --program P
// --deploy D --keys DIR --node NAME --trace-dir DIR --constants JSON ...`.
// Not a user command: `mommie run --network tcp` (runtime/tcp-run.ts) starts one
// per node and reads its stdout (runtime/proc-protocol.ts). A separate entry
// rather than a hidden CLI subcommand keeps the CLI's command list what users
// can type, and lets the supervisor start nodes without going through it.

import { parseArgs } from 'node:util';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { ValueJsonCodec } from '../trace/value-json.js';
import { startCpuProfile } from './cpu-profile.js';
import type { NodeProcessArgs } from './node-args.js';
import { runNodeProcess } from './node-process.js';

const Constants = t.record(t.string, ValueJsonCodec);

function parse(argv: string[]): NodeProcessArgs | string {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        program: { type: 'string' }, deploy: { type: 'string' }, keys: { type: 'string' }, node: { type: 'string' },
        'trace-dir': { type: 'string' }, model: { type: 'string' }, constants: { type: 'string' },
        requests: { type: 'string' }, clients: { type: 'string' }, concurrency: { type: 'string' }, log: { type: 'string' }, strict: { type: 'boolean' }, reference: { type: 'boolean' }, 'log-sync': { type: 'string' },
        build: { type: 'string' }, assertions: { type: 'string' },
        // Only there so that a run's processes can be found by it (pgrep -f); not read.
        run: { type: 'string' },
        'run-id': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  const need = (name: string, x: string | undefined): string => {
    if (x === undefined) throw new Error(`--${name} is required`);
    return x;
  };
  try {
    let constants: unknown;
    try {
      constants = JSON.parse(v.constants ?? '{}');
    } catch {
      return '--constants is not JSON';
    }
    const c = Constants.decode(constants);
    if (isLeft(c)) return '--constants is not an object of constant values';
    const count = (name: string, x: string | undefined, dflt: number): number => {
      const n = x === undefined ? dflt : Number(x);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not '${x}'`);
      return n;
    };
    const log = v.log ?? 'new';
    if (log !== 'new' && log !== 'resume' && log !== 'rejoin') return `--log takes new, resume or rejoin, not '${log}'`;
    const logSync = v['log-sync'] ?? 'fsync';
    if (logSync !== 'fsync' && logSync !== 'none') return `--log-sync takes fsync or none, not '${logSync}'`;
    const assertions = v.assertions;
    if (assertions !== undefined && assertions !== 'stop' && assertions !== 'log' && assertions !== 'count') return `--assertions takes stop, log or count, not '${assertions}'`;
    return {
      program: need('program', v.program), deploy: need('deploy', v.deploy), keys: need('keys', v.keys), node: need('node', v.node),
      traceDir: need('trace-dir', v['trace-dir']), run: need('run-id', v['run-id']), ...(v.model !== undefined ? { model: v.model } : {}), constants: c.right,
      ...(v.clients !== undefined ? { clients: count('clients', v.clients, 0) } : {}),
      requests: count('requests', v.requests, 0), concurrency: Math.max(1, count('concurrency', v.concurrency, 1)), log, strict: v.strict === true,
      ...(v.reference === true ? { reference: true } : {}), logSync,
      ...(v.build !== undefined ? { build: v.build } : {}), ...(assertions !== undefined ? { assertions } : {}),
    };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const args = parse(process.argv.slice(2));
if (typeof args === 'string') {
  process.stderr.write(`mommie node: ${args}\n`);
  process.exitCode = 1;
} else {
  const writeProfile = await startCpuProfile(args.node);
  try {
    process.exitCode = await runNodeProcess(args);
    await writeProfile();
  } catch (e) {
    // Only a bug gets here; the supervisor shows stderr with the node's name.
    process.stderr.write(`mommie node ${args.node}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 3;
  }
  // Listeners on stdin and signals would keep the process up after the node stopped.
  process.exit();
}
