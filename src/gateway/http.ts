// The HTTP/JSON gateway (`mommie serve`, issue 26 item 3): a client node's
// input transitions for programs in any language. One POST per call, the
// declared answer as JSON; `GET /transitions` lists what can be called. It
// serves any `Client` of the client API (src/api/): a node opened over TCP
// (`mommie serve`), or a node of a simulation (the tests).
//
//   GET  /transitions             200 {"node", "transitions": [{"name", "params": [{"name", "type", "requestId"}], "answer"}]}
//   POST /transitions/NAME        body: the arguments as a JSON object (request ids left out)
//                                 200 {"answer": ...}
//   ?timeoutMs=N                  the call's timeout (else the gateway's)
//
// Every refusal is a status code and {"error": reason, "message", "sent"}:
// 400 malformed JSON or not an object, 401 no or a wrong bearer token, 404
// unknown transition or path, 405 another method, 409 already fired, 413 a
// body over the limit, 422 arguments outside their types (or a body that
// failed), 429 over the calls in flight (or the window stayed full), 503 the
// node stopped, 504 {"outcome": "unknown"} when no answer came in time (the
// request was sent and may still take effect). A bad request never stops the
// gateway.

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exprText } from '../analysis/walk.js';
import { showDomain } from '../analysis/types.js';
import { NotSentError, OutcomeUnknownError, type NotSentReason } from '../api/errors.js';
import type { CallableInput } from '../api/inputs.js';
import type { Client } from '../api/simulation.js';

export interface GatewayOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Largest request body, bytes (64 KiB by default in `mommie serve`). */
  readonly maxBodyBytes: number;
  /** Calls waiting for their answer at once; more are refused with 429. */
  readonly maxInFlight: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** A call's timeout when the request names none, ms. */
  readonly timeoutMs?: number;
}

export interface GatewayCounts {
  calls: number;
  answered: number;
  refused: Record<number, number>;
}

export interface Gateway {
  readonly port: number;
  readonly counts: GatewayCounts;
  close(): Promise<void>;
}

/** NotSentError's reasons as status codes. */
const STATUS_OF: Readonly<Record<NotSentReason, number>> = {
  'unknown-transition': 404,
  'no-answer': 404,
  arguments: 422,
  fired: 409,
  'guard-timeout': 429,
  aborted: 422,
  stopped: 503,
};

/** What `GET /transitions` says of one input: its parameters' types as the program writes them, and its answer's expression. */
export function describeCall(c: CallableInput): { name: string; params: { name: string; type: string; requestId: boolean }[]; answer?: string } {
  const range = (d: { lo: Parameters<typeof exprText>[0]; hi: Parameters<typeof exprText>[0] }): string => `${exprText(d.lo)}..${exprText(d.hi)}`;
  const answer = c.transition.answer?.decl;
  return {
    name: c.name,
    params: c.params.map((p) => ({ name: p.name, type: showDomain(p.domain, range), requestId: p.requestId })),
    ...(answer !== undefined ? { answer: exprText(answer.value) } : {}),
  };
}

export async function startGateway(client: Client, o: GatewayOptions): Promise<Gateway> {
  const counts: GatewayCounts = { calls: 0, answered: 0, refused: {} };
  let inFlight = 0;
  const token = o.token === undefined ? undefined : Buffer.from(o.token);
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    if (status !== 200) counts.refused[status] = (counts.refused[status] ?? 0) + 1;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const refuse = (res: ServerResponse, status: number, error: string, message: string): void => send(res, status, { error, message, sent: false });
  const authorized = (req: IncomingMessage): boolean => {
    if (token === undefined) return true;
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const b = Buffer.from(given ?? '');
    return b.length === token.length && timingSafeEqual(b, token);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(req)) return refuse(res, 401, 'unauthorized', 'this gateway needs Authorization: Bearer <token>');
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/transitions') {
      if (req.method !== 'GET') return refuse(res, 405, 'method', 'GET /transitions');
      return send(res, 200, { node: client.name, transitions: client.calls.map(describeCall) });
    }
    const m = /^\/transitions\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(url.pathname);
    if (m === null) return refuse(res, 404, 'not-found', `no such path ${url.pathname} (GET /transitions, POST /transitions/NAME)`);
    if (req.method !== 'POST') return refuse(res, 405, 'method', `POST ${url.pathname}`);
    const body = await readBody(req, o.maxBodyBytes);
    if (body === 'too-large') {
      res.setHeader('connection', 'close');
      return refuse(res, 413, 'too-large', `the body is over ${o.maxBodyBytes} bytes`);
    }
    let args: unknown;
    try {
      args = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (e) {
      return refuse(res, 400, 'malformed', `the body is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return refuse(res, 400, 'malformed', 'the body must be a JSON object of the arguments');
    const timeoutText = url.searchParams.get('timeoutMs');
    const timeoutMs = timeoutText === null ? o.timeoutMs : Number(timeoutText);
    if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0)) return refuse(res, 400, 'malformed', `timeoutMs=${timeoutText}: a whole number of milliseconds above 0`);
    if (inFlight >= o.maxInFlight) return refuse(res, 429, 'too-many', `${inFlight} calls are waiting for their answers, the most this gateway allows (--max-in-flight)`);
    inFlight++;
    counts.calls++;
    try {
      const answer = await client.submit(m[1]!, args as Record<string, unknown>, timeoutMs === undefined ? {} : { timeoutMs });
      counts.answered++;
      send(res, 200, { answer });
    } catch (e) {
      if (e instanceof NotSentError) return refuse(res, STATUS_OF[e.reason], e.reason, e.message);
      if (e instanceof OutcomeUnknownError) return send(res, 504, { outcome: 'unknown', message: e.message, call: e.call, sent: true });
      throw e;
    } finally {
      inFlight--;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // A bug of ours, not the caller's: said, and the gateway goes on.
      if (!res.headersSent) send(res, 500, { error: 'internal', message: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request's body, or 'too-large' as soon as it passes `max` bytes (the rest is not read). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > max) return 'too-large';
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > max) return 'too-large';
    parts.push(b);
  }
  return Buffer.concat(parts);
}
