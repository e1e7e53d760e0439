// Runs the built CLI (dist/, made by `npm test`'s tsc step) as a user would.
import { execa } from 'execa';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { VerifyResult } from '../../src/check/result.js';
import { decodeVerifyResult } from '../../src/report/codec.js';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function mommie(args: readonly string[], opts: { cwd?: string; timeoutMs?: number; env?: Readonly<Record<string, string>> } = {}): Promise<CliRun> {
  const r = await execa('node', [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
    env: { NO_COLOR: '1', ...opts.env },
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A `verify --json` run's output, validated by the result codec. */
export function decodedVerify(r: CliRun): VerifyResult {
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`verify --json printed no JSON (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
  const d = decodeVerifyResult(json);
  if (isLeft(d)) throw new Error(d.left);
  return d.right;
}
