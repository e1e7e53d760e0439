// The TLA+ tools release `mommie tools install` downloads.
//
// v1.7.4 is the newest stable release of tlaplus/tlaplus. v1.8.0 ("Clarke")
// is a rolling pre-release: its tla2tools.jar is rebuilt from every commit to
// master, so it has no stable hash to pin. The SHA-256 below is not published
// by the TLA+ project (its release notes list SHA-1 sums); it is the digest
// that several independent projects pin for this exact URL (a Bazel http_file
// rule, build scripts that verify before running), all agreeing, together
// with the size 2,274,532 bytes. docs/tlc.md records this decision.

export interface PinnedRelease {
  /** The TLA+ tools release (a tag v<version> of tlaplus/tlaplus). */
  readonly version: string;
  /** What TLC prints for this jar. */
  readonly tlcVersion: string;
  /** Where releases live; `MOMMIE_TLA2TOOLS_URL` replaces it (a mirror with the same layout). */
  readonly baseUrl: string;
  readonly sha256: string;
  readonly size: number;
}

export const PINNED_TLA2TOOLS: PinnedRelease = {
  version: '1.7.4',
  tlcVersion: '2.19 (rev: 5a47802)',
  baseUrl: 'https://github.com/tlaplus/tlaplus/releases/download',
  sha256: '936a262061c914694dfd669a543be24573c45d5aa0ff20a8b96b23d01e050e88',
  size: 2_274_532,
};

/** `<base>/v<version>/tla2tools.jar`. */
export function releaseUrl(base: string, version: string): string {
  return `${base.replace(/\/+$/, '')}/v${version}/tla2tools.jar`;
}
