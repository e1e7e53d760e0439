// TLC's version line, as message 2262 and `tlc2.TLC -version` print it:
//
//   TLC2 Version 2.19 of 08 August 2024 (rev: 5a47802)      (a release)
//   TLC2 Version 2026.11.25.032050 (rev: cc6b616)           (a build from source)
//   TLC2 TLC Server Version 2.19 of 08 August 2024          (distributed TLC's server)

import type { TlcVersion } from './result.js';

const VERSION_LINE = /TLC2 (?:TLC Server )?Version (\S+)(?: of [^(\r\n]*?)?\s*(?:\(rev: ([0-9A-Za-z]+)\))?[ \t]*$/m;

/** Finds the version line anywhere in `text`; undefined when there is none. */
export function parseTlcVersion(text: string): TlcVersion | undefined {
  const m = VERSION_LINE.exec(text);
  if (m === null) return undefined;
  const raw = m[0].slice(m[0].indexOf('TLC2 ')).trim();
  return { raw, version: m[1]!, revision: m[2] ?? null };
}
