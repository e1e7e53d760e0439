// `mommie keys`: one key file per node, each created exclusively with mode
// 0600 in a directory created 0700. Existing files are never overwritten:
// keys already handed to a node must not silently stop matching its peers'.

import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { encodeKeyFile } from './file.js';
import { keyFilePath } from './load.js';
import { generateKeyRingData } from './ring.js';

export type WriteKeysResult = { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly diagnostic: Diagnostic };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function writeKeyFiles(dir: string, principals: readonly string[]): Promise<WriteKeysResult> {
  const fail = (message: string): WriteKeysResult => ({ ok: false, diagnostic: diag('MOM645', dir, message) });
  const names = [...new Set(principals)].sort();
  const targets = names.map((p) => keyFilePath(dir, p));
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) return fail(`${dir} exists and is not a directory`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    return fail(`cannot create ${dir}: ${message(e)}`);
  }
  const existing = targets.filter((f) => existsSync(f));
  if (existing.length > 0) {
    return fail(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; mommie keys never overwrites key files (move them away, or choose another directory)`);
  }
  const data = await generateKeyRingData(names);
  const written: string[] = [];
  for (const p of names) {
    const path = keyFilePath(dir, p);
    let fd: number | undefined;
    try {
      // 'wx': fails if the file appeared since the check above, instead of replacing it.
      fd = openSync(path, 'wx', 0o600);
      written.push(path);
      fchmodSync(fd, 0o600);
      writeSync(fd, encodeKeyFile(data.get(p)!));
    } catch (e) {
      // Keys from this run are useless without the rest of the set.
      for (const f of written) {
        try {
          unlinkSync(f);
        } catch {
          // Already gone: nothing to undo.
        }
      }
      return fail(`cannot write ${path}: ${message(e)}; no key file was left from this run`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return { ok: true, files: written };
}
