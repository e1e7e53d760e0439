// Which of tlapm's backends answer, read from `tlapm --config`.
//
// tlapm checks each backend when asked for its configuration and prints, per
// backend it found, `Name == "command"` and (when the backend told its
// version) `Name version == "..."`; for one it did not find, `Executable
// "name" not found in this PATH:` and the PATH it searched. Only the four
// backends tlapm's default methods use are reported: Z3 (SMT, the first
// try), Zenon, LS4 (`BY PTL`) and Isabelle (`BY Isa`, and the last try
// after Z3 and Zenon fail).

export type BackendName = 'z3' | 'zenon' | 'ls4' | 'isabelle';

export const BACKENDS: readonly BackendName[] = ['z3', 'zenon', 'ls4', 'isabelle'];

export interface BackendStatus {
  readonly status: 'ok' | 'missing';
  /** What the backend says its version is; null when it does not say (LS4) or is missing. */
  readonly version: string | null;
}

export type BackendReport = Readonly<Record<BackendName, BackendStatus>>;

/** tlapm's name for the backend in `--config`. */
const CONFIG_NAME: Record<BackendName, string> = { z3: 'Z3', zenon: 'zenon', ls4: 'LS4', isabelle: 'Isabelle' };

function unquote(s: string): string {
  const t = s.trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t;
}

/** A readable version: `Z3 version 4.8.12 - 64 bit` → `4.8.12`; `zenon version 0.8.4 [a268] 2017-11-14` → `0.8.4`. */
function shortVersion(raw: string): string | null {
  const v = unquote(raw);
  if (v === '' || v === 'unknown') return null;
  const m = /\bversion\s+([0-9][0-9A-Za-z.+-]*)/i.exec(v) ?? /\b([0-9]+(?:\.[0-9]+)+[0-9A-Za-z.+-]*)/.exec(v);
  return m !== null ? m[1]! : v.slice(0, 80);
}

export function parseTlapmConfig(text: string): BackendReport {
  const lines = text.split(/\r?\n/);
  const entry = (b: BackendName): BackendStatus => {
    const name = CONFIG_NAME[b];
    const found = lines.some((l) => l.startsWith(`${name} == `));
    if (!found) return { status: 'missing', version: null };
    const v = lines.find((l) => l.startsWith(`${name} version == `));
    return { status: 'ok', version: v === undefined ? null : shortVersion(v.slice(`${name} version == `.length)) };
  };
  return { z3: entry('z3'), zenon: entry('zenon'), ls4: entry('ls4'), isabelle: entry('isabelle') };
}

/** What to do about a missing backend, one sentence. */
export function backendHint(b: BackendName): string {
  switch (b) {
    case 'z3':
      return 'Install Z3 (e.g. `apt-get install z3`) and put z3 on PATH: it is tlapm\'s first prover for every obligation.';
    case 'zenon':
      return 'Zenon ships with tlapm: reinstall TLAPS, whose lib/tlapm/backends/bin/zenon is missing.';
    case 'ls4':
      return 'LS4 ships with tlapm and proves `BY PTL` steps: reinstall TLAPS, whose lib/tlapm/backends/bin/ls4 is missing.';
    case 'isabelle':
      return 'Isabelle is needed only for `BY Isa` and as the last try after Z3 and Zenon fail; install a TLAPS release that bundles it if your proofs need it.';
  }
}
