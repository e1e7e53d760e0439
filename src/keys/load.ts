// Reading a principal's key file at start-up. A file that others can read is
// refused rather than used: its secrets may already be someone else's, and
// saying so at once is kinder than finding out after a forged statement.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { diag } from '../diagnostics/diagnostic.js';
import { decodeKeyFile, type KeyRingResult } from './file.js';

/** Key files are small; anything larger is not one. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;
const PRINCIPAL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function keyFilePath(dir: string, principal: string): string {
  return join(dir, `${principal}.keys.json`);
}

/** Whether `path` names a key file itself rather than a directory of them (a node started alone on its own host: `--keys FILE`). */
export function isKeyFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * `principal`'s key ring, from `dir/<principal>.keys.json`, or from `dir`
 * itself when it is a file (which must then be `principal`'s: the file names
 * its principal, checked by decodeKeyFile).
 */
export function loadKeyRing(dir: string, principal: string): KeyRingResult {
  const fail = (code: 'MOM640' | 'MOM641', path: string, message: string): KeyRingResult => ({ ok: false, diagnostic: diag(code, path, message) });
  if (!PRINCIPAL_NAME.test(principal)) return fail('MOM640', dir, `'${principal}' is not a principal name, so it has no key file`);
  const path = isKeyFile(dir) ? dir : keyFilePath(dir, principal);
  let mode: number;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return fail('MOM640', path, `${path} is not a file`);
    mode = st.mode & 0o777;
    size = st.size;
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
    const why = code === 'ENOENT' ? `no key file for ${principal} in ${dir} ('mommie keys DEPLOY -o ${dir}' writes them)` : `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`;
    return fail('MOM640', path, why);
  }
  // Windows has no group/other bits to speak of; its ACLs are out of scope here.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    return fail('MOM641', path, `${path} can be read by group or others (mode ${mode.toString(8).padStart(4, '0')}); its private keys must be the node's alone: chmod 600 ${path}`);
  }
  if (size > MAX_KEY_FILE_BYTES) return fail('MOM640', path, `${path} is ${size} bytes, too large to be a key file`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return fail('MOM640', path, `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return decodeKeyFile(path, text, principal);
}
