// Reading a deploy file safely, as src/input/read.ts reads programs: the same
// codes (MOM001-MOM005) and limits, with messages that speak of deploy files.

import { readFileSync, statSync } from 'node:fs';
import { diag } from '../diagnostics/diagnostic.js';
import { MAX_SOURCE_BYTES, type ReadResult } from '../input/read.js';

const MIB = 1024 * 1024;

export function readDeployFile(path: string): ReadResult {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return fail('MOM002', path, `${path} is a directory; give the path of a .deploy file`);
    size = st.size;
  } catch (e) {
    return fail('MOM001', path, `cannot read ${path}: ${reason(e)}`);
  }
  if (size > MAX_SOURCE_BYTES) return fail('MOM005', path, `${path} is ${(size / MIB).toFixed(1)} MiB; deploy files are limited to ${MAX_SOURCE_BYTES / MIB} MiB`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail('MOM001', path, `cannot read ${path}: ${reason(e)}`);
  }
  return decodeDeploy(path, bytes);
}

export function decodeDeploy(path: string, bytes: Uint8Array): ReadResult {
  if (bytes.length > MAX_SOURCE_BYTES) return fail('MOM005', path, `${path} is larger than ${MAX_SOURCE_BYTES / MIB} MiB`);
  if (bytes.includes(0)) return fail('MOM003', path, `${path} contains NUL bytes: it looks like a binary file, not a deploy file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('MOM003', path, `${path} is not valid UTF-8 text; save it as UTF-8`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return fail('MOM004', path, `${path} is empty; a deploy file has at least a [Nodes] and an [Authentication] section`);
  return { ok: true, text };
}

function fail(code: 'MOM001' | 'MOM002' | 'MOM003' | 'MOM004' | 'MOM005', path: string, message: string): ReadResult {
  return { ok: false, diagnostic: diag(code, path, message) };
}

function reason(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}
