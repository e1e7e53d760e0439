// Where an HTML report may go: a new file, an earlier report of the same
// command (recognised by the page's <meta name="generator">), or anything
// with --force. Never silently over a user's file.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

function isEarlierReport(path: string, generator: string): boolean {
  try {
    const head = readFileSync(path, 'utf8').slice(0, 1000);
    return head.startsWith('<!DOCTYPE html>') && head.includes(`<meta name="generator" content="${generator}">`);
  } catch {
    return false;
  }
}

/** Why `path` must not be written (undefined: it may). */
export function htmlOutProblem(path: string, generator: string, force: boolean): string | undefined {
  if (force || !existsSync(path) || isEarlierReport(path, generator)) return undefined;
  return `${path} exists and is not an earlier '${generator}' report; pass --force to overwrite it`;
}

/** Writes the page; an error is a message, not an exception. */
export function writeHtml(path: string, html: string): string | undefined {
  try {
    writeFileSync(path, html);
    return undefined;
  } catch (e) {
    return `cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`;
  }
}
