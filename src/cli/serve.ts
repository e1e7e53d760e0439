import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { OpenError, openNode } from '../api/index.js';
import { startGateway } from '../gateway/http.js';
import { readRunId } from '../runtime/run-id.js';
import { commandLine, ONE_FILE, positiveInt } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';

const HELP = `Usage: mommie serve PROGRAM --deploy FILE --keys DIR --node NAME --listen HOST:PORT [options]

Opens one client node of a deployment in this process (as 'mommie run
--network tcp --node NAME' does: its log in --log, recovered after a crash)
and serves its input transitions over HTTP/JSON, for programs in any
language (docs/api.md):

  GET  /transitions          the inputs, their parameters' types, their answers
  POST /transitions/NAME     the arguments as a JSON object; 200 {"answer": ...}

Refusals: 400 malformed JSON, 401 no or a wrong bearer token, 404 unknown
transition, 409 already fired, 413 body over --max-body, 422 arguments
outside their types, 429 over --max-in-flight, 503 node stopped, 504
{"outcome":"unknown"} (sent, no answer in time: it may still take effect).

The gateway holds the node's keys: it listens on loopback only, unless
--allow-remote is given, which needs a bearer token (--token-file).

Options:
  --deploy FILE        the deployment
  --keys PATH          the node's key file, or the directory holding it
  --node NAME          the client node to open
  --listen HOST:PORT   where to serve (port 0 picks a free one; printed)
  --log DIR            the node's log directory (default ./mommie-NAME)
  --run-id FILE        the run's identity, as 'mommie run-id DEPLOY -o FILE'
                       wrote it and 'mommie run --run-id' takes it; else
                       the one in --log (made there if none)
  --build DIR          a 'mommie build' whose body programs the node runs
  --max-body BYTES     largest request body (65536)
  --max-in-flight N    calls waiting for their answers at once (64)
  --timeout MS         a call's timeout when the request names none (10000)
  --allow-remote       listen on an address other than loopback
  --token-file FILE    the bearer token every request must carry
  -h, --help           show this help

Exit codes: 0 stopped by a signal (SIGINT, SIGTERM), 1 bad input (the
node cannot be opened, the address cannot be bound).`;

export const serveCommand: Command = {
  name: 'serve',
  help: HELP,
  async run(args, out) {
    const cl = commandLine(
      'serve',
      args,
      {
        deploy: { type: 'string' }, keys: { type: 'string' }, node: { type: 'string' }, listen: { type: 'string' },
        log: { type: 'string' }, 'run-id': { type: 'string' }, build: { type: 'string' },
        'max-body': { type: 'string' }, 'max-in-flight': { type: 'string' }, timeout: { type: 'string' },
        'allow-remote': { type: 'boolean' }, 'token-file': { type: 'string' },
      },
      ONE_FILE,
      HELP,
      out,
    );
    if (!cl.ok) return cl.exitCode;
    const v = cl.values;
    const bad = (s: string): number => {
      out.stderr(`mommie serve: ${s}`);
      return EXIT.BAD_INPUT;
    };
    for (const k of ['deploy', 'keys', 'node', 'listen'] as const) if (v[k] === undefined) return bad(`--${k} is required`);
    const listen = /^(.+):(\d+)$/.exec(v.listen!);
    if (listen === null || isIP(listen[1]!.replace(/^\[|\]$/g, '')) === 0 || Number(listen[2]) > 65535) return bad(`--listen ${v.listen}: HOST:PORT with HOST an IP address`);
    const host = listen[1]!.replace(/^\[|\]$/g, '');
    const loopback = host === '127.0.0.1' || host === '::1';
    if (!loopback && v['allow-remote'] !== true) return bad(`--listen ${v.listen}: the gateway holds ${v.node}'s keys, so it listens on loopback only; give --allow-remote (with --token-file) to listen on ${host}`);
    if (v['allow-remote'] === true && v['token-file'] === undefined) return bad('--allow-remote needs --token-file FILE: every request must then carry its bearer token');
    let token: string | undefined;
    if (v['token-file'] !== undefined) {
      try {
        token = readFileSync(v['token-file'], 'utf8').trim();
      } catch (e) {
        return bad(`cannot read --token-file ${v['token-file']}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (token.length < 16) return bad(`the token in ${v['token-file']} has ${token.length} characters; use at least 16`);
    }
    const maxBody = positiveInt('serve', '--max-body', v['max-body'], out);
    const maxInFlight = positiveInt('serve', '--max-in-flight', v['max-in-flight'], out);
    const timeoutMs = positiveInt('serve', '--timeout', v.timeout, out);
    if (maxBody === 'bad' || maxInFlight === 'bad' || timeoutMs === 'bad') return EXIT.BAD_INPUT;
    let runId: string | undefined;
    if (v['run-id'] !== undefined) {
      const r = readRunId(v['run-id']);
      if (!r.ok) return bad(r.message);
      runId = r.run;
    }
    let node;
    try {
      node = await openNode({
        program: cl.positionals[0]!, deploy: v.deploy!, keys: v.keys!, node: v.node!, logDir: v.log ?? `mommie-${v.node!}`,
        ...(runId !== undefined ? { runId } : {}), ...(v.build !== undefined ? { build: v.build } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
    } catch (e) {
      if (e instanceof OpenError) return bad(e.message);
      throw e;
    }
    let gateway;
    try {
      gateway = await startGateway(node, { host, port: Number(listen[2]), maxBodyBytes: maxBody ?? 65_536, maxInFlight: maxInFlight ?? 64, ...(token !== undefined ? { token } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    } catch (e) {
      await node.close();
      return bad(`cannot listen on ${v.listen}: ${e instanceof Error ? e.message : String(e)}`);
    }
    out.stderr(`serving ${v.node}'s ${node.calls.map((c) => c.name).join(', ') || 'no'} input${node.calls.length === 1 ? '' : 's'} on http://${host.includes(':') ? `[${host}]` : host}:${gateway.port}${token !== undefined ? ' (bearer token required)' : ''}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await gateway.close();
    await node.close();
    const refused = Object.entries(gateway.counts.refused).map(([s, k]) => `${k} × ${s}`).join(', ');
    out.stderr(`stopped: ${gateway.counts.calls} calls, ${gateway.counts.answered} answered${refused === '' ? '' : `; refused ${refused}`}`);
    return EXIT.OK;
  },
};
