// `mommie deploy-tune PROGRAM --nodes BASE.deploy [--objective ...] -o OUT.deploy`:
// the deployment a cost model measured on this machine predicts best for an
// objective, among candidates deploy-check accepts (src/tune/).

import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkFile } from '../analysis/frontend.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic, locate } from '../diagnostics/format.js';
import type { SourceText } from '../diagnostics/source.js';
import { readDeployFile } from '../deploy/read.js';
import { tune } from '../tune/index.js';
import { decodeTuneArgs } from '../tune/options.js';
import { constantsText, deployHeader, OBJECTIVE_WORDS, rankingTable, resultJson } from '../tune/report.js';
import type { TuneErrorCode } from '../tune/types.js';
import { commandLine } from './args.js';
import { tcpMeasurer } from './tune-tcp.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import type { Out } from './output.js';

const HELP = `Usage: mommie deploy-tune PROGRAM --nodes BASE.deploy -o OUT.deploy [options]

Chooses a deployment of PROGRAM for an objective: the [Authentication]
mechanisms, [Non-repudiation] signatures and [Dissemination] optimizers that
a cost model predicts best, among candidates that deploy-check accepts.
BASE.deploy gives where the nodes run: its [Nodes], [Timeouts] and
[Constants] are kept; its own [Authentication], [Non-repudiation] and
[Dissemination] are one candidate, and where the search starts. The other
candidates change one choice at a time (coordinate descent): per pair of
principal sets HMAC or ED25519, per issuer set that needs auditors ED25519,
per publisher set and record type nothing, OPTIMISTIC(a constant such as
PRIMARY), OPTIMISTIC(QUORUM), BATCH(16, 2ms), or an OPTIMISTIC step with
BATCH. Each candidate runs on the simulated network to count what a request
costs (frames, bytes, MACs, signatures, statements, hops); the constants
(crypto µs per operation, TCP loopback cost per frame and byte, processing
per statement) are measured on this machine first, and printed. The ranking
goes to stdout, best first; the best candidate is written to OUT.deploy with
the predictions and the constants as // comments. docs/optimizations.md,
"deploy-tune", states the model.

Options:
  --nodes FILE          the base deploy file (required)
  -o, --out FILE        where the chosen deploy file goes (required)
  --force               overwrite OUT.deploy if it exists (otherwise mommie refuses)
  --objective WHAT      throughput (requests/s), latency (ms per request) or
                        bytes (bytes on the wire per request); default throughput
  --requests N          requests in each candidate's simulated run (60)
  --clients K           run only the first K clients, as 'mommie run' does
  --concurrency K       requests each client keeps in flight (1)
  --seed S              the simulated network's seed (1)
  --max-candidates N    simulate at most N candidates, the base's included (30)
  --rounds N            rounds of coordinate descent at most (2)
  --allow-plaintext     offer PLAINTEXT for pairs (only where the channel is
                        already authenticated, e.g. a private link)
  --allow-rsa           offer RSA-2048 beside Ed25519 for signatures
  --cores N             cores the deployment's processes share (this machine's)
  --quick               measure briefly: rough constants, for trying it out
  --calibrate-tcp N     also run the calibration deployment over TCP loopback
                        for N requests (one process per node, as 'mommie run
                        --network tcp'), and take the processing cost per
                        statement and the model's efficiency from that run:
                        predictions for real processes, not the simulation
  --json                print {ok, ..., ranked: [...], rejected: [...]} on stdout
  -h, --help            show this help

Exit codes: 0 chosen and written, 1 bad input (the program or the base file
has errors, a bad option, OUT.deploy exists, or no candidate passes
deploy-check), 3 internal error (e.g. the loopback probe failed).`;

const EXIT_OF: Readonly<Record<TuneErrorCode, number>> = {
  'bad-base': EXIT.BAD_INPUT,
  'not-runnable': EXIT.BAD_INPUT,
  'no-candidate': EXIT.BAD_INPUT,
  'measure-failed': EXIT.INTERNAL,
};

function failure(out: Out, json: boolean, message: string, diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, SourceText | undefined>, code: number): number {
  if (json) out.stdout(JSON.stringify({ ok: false, error: message, diagnostics: diagnostics.map((d) => locate(d, sources.get(d.file))) }, null, 2));
  else {
    for (const d of diagnostics) out.stderr(formatDiagnostic(d, sources.get(d.file)));
    out.stderr(`mommie deploy-tune: ${message}`);
  }
  return code;
}

export const deployTuneCommand: Command = {
  name: 'deploy-tune',
  help: HELP,
  async run(args, out) {
    const cl = commandLine('deploy-tune', args, {
      nodes: { type: 'string' }, out: { type: 'string', short: 'o' }, force: { type: 'boolean' }, objective: { type: 'string' },
      requests: { type: 'string' }, clients: { type: 'string' }, concurrency: { type: 'string' }, seed: { type: 'string' },
      'max-candidates': { type: 'string' }, rounds: { type: 'string' }, 'allow-plaintext': { type: 'boolean' }, 'allow-rsa': { type: 'boolean' },
      cores: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'boolean' }, 'calibrate-tcp': { type: 'string' },
    }, { min: 1, max: 1, expected: 'give exactly one program' }, HELP, out);
    if (!cl.ok) return cl.exitCode;
    const v = cl.values;
    const json = v.json === true;
    const bad = (msg: string): number => failure(out, json, msg, [], new Map(), EXIT.BAD_INPUT);
    if (v.nodes === undefined) return bad('--nodes BASE.deploy is required (where the nodes run, and the deployment to start from)');
    if (v.out === undefined) return bad('-o OUT.deploy is required (where the chosen deployment goes)');
    const decoded = decodeTuneArgs(v);
    if (!decoded.ok) return bad(decoded.message);
    const calibrateTcp = v['calibrate-tcp'];
    if (calibrateTcp !== undefined && !/^\s*[1-9]\d{0,6}\s*$/.test(calibrateTcp)) return bad(`--calibrate-tcp ${calibrateTcp}: give a number of requests from 1 to 9999999`);
    const target = v.out;
    if (existsSync(target) && v.force !== true) return bad(`${target} exists; pass --force to overwrite it`);
    if (!existsSync(dirname(target))) return bad(`cannot write ${target}: there is no directory ${dirname(target)}`);

    const programPath = cl.positionals[0]!;
    const fe = checkFile(programPath);
    const sources = new Map<string, SourceText | undefined>([[programPath, fe.source]]);
    if (!fe.ok || fe.program === undefined) {
      return failure(out, json, `${programPath} is not a program mommie can check (errors above); nothing to tune`, fe.diagnostics.filter((d) => d.severity === 'error'), sources, EXIT.BAD_INPUT);
    }
    const read = readDeployFile(v.nodes);
    if (!read.ok) return failure(out, json, `cannot read the base deploy file ${v.nodes}`, [read.diagnostic], sources, EXIT.BAD_INPUT);

    const result = await tune({
      program: fe.program, ...(fe.source !== undefined ? { programSource: fe.source } : {}),
      base: { file: v.nodes, text: read.text }, objective: decoded.objective, options: decoded.options,
      ...(json ? {} : { onProgress: (line: string) => out.stderr(line) }),
      ...(calibrateTcp === undefined ? {} : {
        measureTcp: tcpMeasurer({
          programPath, requests: Number(calibrateTcp), concurrency: decoded.options.concurrency,
          ...(decoded.options.clients === undefined ? {} : { clients: decoded.options.clients }), timeoutMs: 180_000,
        }),
      }),
    });
    if (!result.ok) {
      const e = result.error;
      return failure(out, json, e.message, e.diagnostics, new Map([...sources, ...e.sources]), EXIT_OF[e.code]);
    }
    const chosen = result.ranked[0]!;
    const text = deployHeader(result, chosen, programPath, v.nodes) + chosen.text;
    try {
      // Exclusive unless --force: a file made meanwhile is not overwritten either.
      const fd = openSync(target, v.force === true ? 'w' : 'wx');
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists; pass --force to overwrite it' : e instanceof Error ? e.message : String(e);
      return bad(`cannot write ${target}: ${why}`);
    }
    if (json) {
      out.stdout(JSON.stringify({ ok: true, program: programPath, base: v.nodes, output: target, options: decoded.options, chosen: { rank: 1, description: chosen.description, predicted: chosen.prediction }, ...resultJson(result) }, null, 2));
      return EXIT.OK;
    }
    const refused = result.rejected.length;
    out.stdout(`measured on this machine: ${constantsText(result.constants)}`);
    out.stdout(`objective: ${result.objective} (${OBJECTIVE_WORDS[result.objective]}); ${result.ranked.length} candidates simulated (${decoded.options.requests} requests each, seed ${decoded.options.seed})${refused > 0 ? `, ${refused} refused by deploy-check or the simulation` : ''}`);
    for (const n of result.notes) out.stdout(`note: ${n}`);
    out.stdout('');
    out.stdout(rankingTable(result).join('\n'));
    out.stdout('');
    if (!result.base.scored) out.stdout(`${v.nodes} as written is no candidate: ${result.base.reasons.join('; ')}`);
    out.stdout(`wrote ${target}: ${chosen.description}`);
    return EXIT.OK;
  },
};

