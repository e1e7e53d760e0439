// The deploy file's [Limits]: what one node lets its peers make it hold, and
// how long it waits for a connection to authenticate (issue 22 item 3,
// docs/deploy.md "Limits", docs/security.md). Every limit has a default that
// suits the specs' deployments; a [Limits] entry changes one. The transport
// and the link read them from the deployment.

import type { Span } from '../diagnostics/diagnostic.js';

/** `MaxUnackedPerPeer = 1024`, `HandshakeTimeout = 3s`, as written (parse.ts). */
export interface LimitEntry {
  readonly name: { readonly name: string; readonly span: Span };
  readonly value: { readonly kind: 'int'; readonly value: number; readonly span: Span } | { readonly kind: 'duration'; readonly ms: number; readonly span: Span };
  readonly span: Span;
}

export interface LinkLimits {
  /** A connection that has not completed its handshake within this long is closed (ms), counted `no-handshake`. */
  readonly handshakeTimeoutMs: number;
  /** Connections in their handshake held at once, per node; past it the oldest is closed, counted `too-many`. */
  readonly maxHandshaking: number;
  /** Frames sent to one peer and not yet acknowledged; more wait, unencoded, until the peer acks (it is slowed, nothing is dropped). */
  readonly maxUnackedPerPeer: number;
  /**
   * Frames waiting for room toward one peer (past its MaxUnackedPerPeer),
   * at most; past it the link holds nothing more for that peer and
   * re-derives this node's statements for it from the log when it acks
   * again (runtime/rederive.ts).
   */
  readonly maxBacklogPerPeer: number;
  /** Bytes written to one peer's connection that it has not read yet; past it, frames wait in the link (backpressure). */
  readonly maxBufferedBytesPerPeer: number;
  /** Digested items held for missing records, per authenticated peer; past it, that peer's frames that would hold more are left unacknowledged. */
  readonly maxHeldPerPeer: number;
  /** Fetch answers waiting to go to one peer; past it, that peer's fetch requests are left unacknowledged until it takes them. */
  readonly maxFetchAnswersPerPeer: number;
  /** A node process checkpoints its state and compacts its log every this many logged events (0: never; runtime/checkpoint.ts). */
  readonly checkpointEvery: number;
}

export const DEFAULT_LINK_LIMITS: LinkLimits = {
  handshakeTimeoutMs: 3000,
  maxHandshaking: 16,
  maxUnackedPerPeer: 1024,
  maxBacklogPerPeer: 1024,
  maxBufferedBytesPerPeer: 16 << 20,
  maxHeldPerPeer: 256,
  maxFetchAnswersPerPeer: 64,
  checkpointEvery: 10_000,
};

type Kind = 'count' | 'duration' | 'bytes';

/** Each limit as written in [Limits], with its field, kind and bounds. */
export const LIMITS: Readonly<Record<string, { readonly field: keyof LinkLimits; readonly kind: Kind; readonly min: number; readonly max: number }>> = {
  HandshakeTimeout: { field: 'handshakeTimeoutMs', kind: 'duration', min: 10, max: 600_000 },
  MaxHandshaking: { field: 'maxHandshaking', kind: 'count', min: 1, max: 65_536 },
  MaxUnackedPerPeer: { field: 'maxUnackedPerPeer', kind: 'count', min: 1, max: 1 << 20 },
  MaxBacklogPerPeer: { field: 'maxBacklogPerPeer', kind: 'count', min: 1, max: 1 << 20 },
  MaxBufferedBytesPerPeer: { field: 'maxBufferedBytesPerPeer', kind: 'bytes', min: 1 << 16, max: 1 << 30 },
  MaxHeldPerPeer: { field: 'maxHeldPerPeer', kind: 'count', min: 1, max: 1 << 20 },
  MaxFetchAnswersPerPeer: { field: 'maxFetchAnswersPerPeer', kind: 'count', min: 1, max: 1 << 16 },
  CheckpointEvery: { field: 'checkpointEvery', kind: 'count', min: 0, max: 1 << 30 },
};

/** The limits of a deploy file's [Limits] entries over the defaults; each entry that names no limit or gives a value out of range is reported. */
export function checkLimits(entries: readonly LimitEntry[], report: (message: string, span: Span) => void): LinkLimits {
  const out: Record<keyof LinkLimits, number> = { ...DEFAULT_LINK_LIMITS };
  for (const e of entries) {
    const l = LIMITS[e.name.name];
    if (l === undefined) {
      report(`there is no limit ${e.name.name} (the limits: ${Object.keys(LIMITS).join(', ')})`, e.name.span);
      continue;
    }
    const v = e.value;
    if (l.kind === 'duration' ? v.kind !== 'duration' : v.kind !== 'int') {
      report(`${e.name.name} is ${l.kind === 'duration' ? 'a duration such as 3s' : l.kind === 'bytes' ? 'a number of bytes' : 'a count'}`, v.span);
      continue;
    }
    const n = v.kind === 'duration' ? v.ms : v.value;
    if (n < l.min || n > l.max) {
      const unit = l.kind === 'duration' ? 'ms' : '';
      report(`${e.name.name} = ${n}${unit} is outside ${l.min}${unit}..${l.max}${unit}`, v.span);
      continue;
    }
    out[l.field] = n;
  }
  return out;
}
