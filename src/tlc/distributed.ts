// Distributed TLC (`verify --engine tlc --distributed`): TLC's own server and
// workers over Java RMI (tlc2.tool.distributed.TLCServer and TLCWorker), on
// the module `verify --engine tlc` generates. mommie starts the server, prints
// the command a worker host runs, and with `localWorkers` starts workers on
// this machine too (for a test, or to use its cores).
//
// Two things TLC does not offer are added by a small launcher class, compiled
// by the JVM from source at start (`java File.java`, JDK 11+; no code is
// shipped compiled): RMI's server sockets bound to one address (loopback by
// default: RMI has no authentication, so a server on every interface lets
// anyone who reaches it run code paths in it), and the server's -tool output
// (TLC's framed messages, which the parser reads).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { jvmOptions, privateJavaTmp, runParsed, type TlcProcessRun, type TlcTools } from './run.js';
import type { TlcEvent } from './output.js';

/** TLC's message "TLC server at HOST is ready" (EC.TLC_DISTRIBUTED_SERVER_RUNNING). */
const SERVER_READY = 7000;

/** TLC's default registry port, as its server and workers assume without a property. */
export const TLC_DEFAULT_PORT = 10997;

const LAUNCHER_CLASS = 'MommieTlc';

/**
 * `java -cp tla2tools.jar MommieTlc.java server|worker ARGS`: binds RMI's
 * server sockets to the address in the system property mommie.bind, and turns
 * on TLC's -tool output, then runs TLC's own main.
 */
export const LAUNCHER_SOURCE = `import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.rmi.server.RMISocketFactory;
import java.util.Arrays;

public final class ${LAUNCHER_CLASS} {
  public static void main(String[] args) throws Exception {
    final InetAddress bind = InetAddress.getByName(System.getProperty("mommie.bind", "127.0.0.1"));
    RMISocketFactory.setSocketFactory(new RMISocketFactory() {
      @Override public ServerSocket createServerSocket(int port) throws IOException { return new ServerSocket(port, 50, bind); }
      @Override public Socket createSocket(String host, int port) throws IOException { return new Socket(host, port); }
    });
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (args.length > 0 && args[0].equals("server")) {
      tlc2.TLCGlobals.tool = true;
      tlc2.tool.distributed.TLCServer.main(rest);
    } else if (args.length > 0 && args[0].equals("worker")) {
      tlc2.tool.distributed.TLCWorker.main(rest);
    } else {
      System.err.println("usage: ${LAUNCHER_CLASS} server|worker ARGS");
      System.exit(2);
    }
  }
}
`;

export interface DistributedOptions {
  /** The address the server's RMI sockets listen on (default 127.0.0.1). */
  readonly bind: string;
  /** The address workers are told to call back (the server's name in its stubs). */
  readonly advertise: string;
  /** The RMI registry's port; 0 picks a free one. */
  readonly port: number;
  /** Workers started on this machine, on loopback. */
  readonly localWorkers: number;
}

export interface DistributedRunOptions extends DistributedOptions {
  readonly cwd: string;
  readonly module: string;
  readonly config: string;
  readonly metadir: string;
  readonly deadlock: boolean;
  readonly heapMB?: number;
  readonly timeoutMs?: number;
  readonly onEvent?: (e: TlcEvent) => void;
  readonly isInterrupted?: () => boolean;
  /** Once the server listens: the command a worker host runs. */
  readonly onServerReady?: (workerCommand: string) => void;
}

export interface DistributedRun extends TlcProcessRun {
  readonly port: number;
  /** A local worker that failed before the server finished, with the end of its stderr. */
  readonly workerFailure?: string;
}

/** What a worker host runs to join the server at `server:port` (the same jar as the server's). */
export function workerCommand(jar: string, server: string, port: number): string {
  return `java -Dtlc2.tool.distributed.TLCServer.port=${port} -Djava.rmi.server.hostname=<this host's address> -cp ${jar} tlc2.tool.distributed.TLCWorker ${server}`;
}

/** A port nothing listens on now (it may be taken before TLC binds it; TLC then fails to start, and says so). */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs TLC's server on one generated module until it finishes, with
 * `localWorkers` workers of this machine. Local workers are killed when the
 * server ends, whatever the reason.
 */
export async function runDistributedTlc(tools: TlcTools, opts: DistributedRunOptions): Promise<DistributedRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'mommie-tlcd-'));
  const javaTmp = privateJavaTmp();
  const workers: ResultPromise[] = [];
  const remove = (): void => {
    for (const w of workers) w.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
    rmSync(javaTmp, { recursive: true, force: true });
  };
  process.once('exit', remove);
  try {
    const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
    const launcher = join(scratch, `${LAUNCHER_CLASS}.java`);
    writeFileSync(launcher, LAUNCHER_SOURCE);
    const port = opts.port === 0 ? await freePort(opts.bind) : opts.port;
    const rmi = (bind: string, advertise: string): string[] => [`-Dmommie.bind=${bind}`, `-Djava.rmi.server.hostname=${advertise}`, `-Dtlc2.tool.distributed.TLCServer.port=${port}`];
    let workerFailure: string | undefined;
    const startWorkers = (): void => {
      for (let i = 0; i < opts.localWorkers; i++) {
        const w = execa(tools.java, [...jvmOptions(javaTmp, undefined), ...rmi('127.0.0.1', '127.0.0.1'), '-cp', tools.jar, launcher, 'worker', '127.0.0.1'], { reject: false, stdout: 'ignore', stderr: 'pipe', forceKillAfterDelay: 2000 });
        workers.push(w);
        void w.then((r) => {
          if (r.exitCode !== 0 && r.signal === undefined && workerFailure === undefined) workerFailure = `a local worker exited with code ${String(r.exitCode)}: ${String(r.stderr ?? '').trim().slice(-600)}`;
        });
      }
    };
    const args = [
      ...jvmOptions(javaTmp, opts.heapMB),
      ...rmi(opts.bind, opts.advertise),
      '-cp', tools.jar, launcher, 'server',
      // TLCServer checks deadlock unless told not to; its -deadlock means "do not".
      ...(opts.deadlock ? [] : ['-deadlock']),
      '-metadir', opts.metadir,
      '-config', opts.config, opts.module,
    ];
    const run = await runParsed(tools.java, args, {
      cwd: opts.cwd,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      isInterrupted: () => opts.isInterrupted?.() === true || workerFailure !== undefined,
      onEvent: (e) => {
        if (e.kind === 'message' && e.code === SERVER_READY) {
          opts.onServerReady?.(workerCommand(tools.jar, opts.advertise, port));
          startWorkers();
        }
        opts.onEvent?.(e);
      },
    });
    return { ...run, port, ...(workerFailure !== undefined ? { workerFailure } : {}) };
  } finally {
    process.off('exit', remove);
    remove();
  }
}
