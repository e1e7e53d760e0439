// What the tlapm at hand offers beyond its toolbox messages: where its
// library is (`tlapm --where`: TLAPS.tla, FiniteSetTheorems.tla, ...), so that
// mommie can tell the library's theorems from the user's and give TLC the
// library's modules; and whether it has `--strict` (tlaplus/tlapm 80172c6,
// June 2026), which lists every missing or OMITTED proof of the checked module.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface TlapmFeatures {
  /** The directory holding TLAPS.tla; null when tlapm does not say. */
  readonly library: string | null;
  readonly strict: boolean;
}

const TIMEOUT_MS = 30_000;

async function text(tlapm: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
  const r = await execa(tlapm, args, { reject: false, timeout: TIMEOUT_MS, env, extendEnv: false, stdin: 'ignore' });
  return `${String(r.stdout ?? '')}\n${String(r.stderr ?? '')}`;
}

/** `--help`'s option list names `--strict`. */
export function hasStrict(help: string): boolean {
  return /^\s*--strict\b/m.test(help);
}

/** The first line of `--where` that is a directory holding TLAPS.tla. */
export function libraryOf(where: string, exists: (path: string) => boolean = existsSync): string | null {
  for (const line of where.split('\n').map((l) => l.trim())) {
    if (line !== '' && exists(join(line, 'TLAPS.tla'))) return line;
  }
  return null;
}

export async function tlapmFeatures(tlapm: string, env: NodeJS.ProcessEnv): Promise<TlapmFeatures> {
  const [where, help] = await Promise.all([text(tlapm, ['--where'], env), text(tlapm, ['--help'], env)]);
  return { library: libraryOf(where), strict: hasStrict(help) };
}
