import { readFileSync, statSync } from 'node:fs';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';

export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export type ReadResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly diagnostic: Diagnostic };

/** What kind of text file is read, for messages that name it. */
export interface TextFileKind {
  /** The extension a path should have, e.g. `.mom`. */
  readonly ext: string;
  /** The kind in the plural, e.g. `MOMMIE programs`. */
  readonly plural: string;
  /** One of the kind, e.g. `a MOMMIE program`. */
  readonly one: string;
  /** Said after the path of an empty file. */
  readonly empty: string;
  /** Said after the path of a file of white space only. */
  readonly blank: string;
}

export const PROGRAM_FILE: TextFileKind = {
  ext: '.mom',
  plural: 'MOMMIE programs',
  one: 'a MOMMIE program',
  empty: 'is empty; a program starts with PROGRAM Name',
  blank: 'holds only white space; a program starts with PROGRAM Name',
};

/**
 * Reads a source file as strict UTF-8. Refuses, with a coded diagnostic,
 * what the front end must not try to parse: directories, huge files, binary
 * or non-UTF-8 content, empty files.
 */
export function readSource(path: string): ReadResult {
  return readTextFile(path, PROGRAM_FILE);
}

export function decodeSource(path: string, bytes: Uint8Array): ReadResult {
  return decodeText(path, bytes, PROGRAM_FILE);
}

/** Reads any input text file of the toolchain (programs, deploy files) with the same codes and limits. */
export function readTextFile(path: string, kind: TextFileKind): ReadResult {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return fail('MOM002', path, `${path} is a directory; give the path of a ${kind.ext} file`);
    size = st.size;
  } catch (e) {
    return fail('MOM001', path, `cannot read ${path}: ${reason(e)}`);
  }
  if (size > MAX_SOURCE_BYTES) {
    return fail('MOM005', path, `${path} is ${(size / 1024 / 1024).toFixed(1)} MiB; ${kind.plural} are limited to ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail('MOM001', path, `cannot read ${path}: ${reason(e)}`);
  }
  return decodeText(path, bytes, kind);
}

export function decodeText(path: string, bytes: Uint8Array, kind: TextFileKind): ReadResult {
  if (bytes.length === 0) return fail('MOM004', path, `${path} ${kind.empty}`);
  if (bytes.length > MAX_SOURCE_BYTES) {
    return fail('MOM005', path, `${path} is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`);
  }
  if (bytes.includes(0)) return fail('MOM003', path, `${path} contains NUL bytes: it looks like a binary file, not ${kind.one}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('MOM003', path, `${path} is not valid UTF-8 text; save it as UTF-8`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return fail('MOM004', path, `${path} ${kind.blank}`);
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
