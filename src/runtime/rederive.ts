// A node's own statements found again in its log, for a peer the link did
// not hold them for (issue 22 item 3; runtime/link.ts rederiveFrom). A peer
// that is down must not cost memory without bound, and fair delivery must
// still hold: so past MaxBacklogPerPeer the link keeps only a cursor (the
// log position of the earliest statement it did not hold), and when the
// peer acks again it takes pages from here and sends them to that peer only.
//
// The log is the source because every step is on it before its statements
// leave the node (node.ts commits before publishing): whatever the link
// dropped, the file has. A log that starts from a checkpoint (compacted,
// runtime/checkpoint.ts) no longer has the events before it; for a cursor
// that reaches back past them the checkpoint stands in: the statements it
// lists as published in the two intervals before it, and this node's own
// statements among those it retains (a node knows what it published until
// it forgets it). Log positions are event numbers (`n`); position 0, and
// every position the checkpoint covers, is that block, paged by index.
//
// Statements this node forgot (FORGET) and that are older than the log and
// its checkpoint's two intervals are not found again: see docs/security.md.

import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { StatementJsonCodec, type StatementJson } from '../trace/events.js';
import { CheckpointRefCodec, readCheckpoint, type CheckpointRef } from '../trace/checkpoint.js';
import { jsonKey } from '../trace/rerun.js';
import { recordFromJson } from '../trace/value-json.js';
import type { OpenedStatement } from './codec.js';
import type { Cursor, RederiveSource } from './link.js';

/** What this reads of a log line: the start event's checkpoint, a fire's position and publications. */
const StartLine = t.intersection([t.type({ k: t.literal('start') }), t.partial({ from: CheckpointRefCodec })]);
const FireLine = t.type({ k: t.literal('fire'), n: t.number, pub: t.readonlyArray(StatementJsonCodec) });

/** A start event is never longer than this (its constants and run header). */
const MAX_START_BYTES = 1 << 20;

export class LogRederiver implements RederiveSource {
  /** The checkpoint block last read: this node's statements it holds, by the checkpoint's digest. */
  private block: { readonly digest: string; readonly statements: readonly StatementJson[] } | undefined;

  constructor(
    /** The node's log (`<traceDir>/<node>.ndjson`). */
    private readonly path: string,
    private readonly me: string,
  ) {}

  lower(c: Cursor | undefined, at: number): Cursor {
    const covered = this.from()?.n ?? 0;
    // Everything the checkpoint covers is one block, read from its start.
    const target: Cursor = { pos: at <= covered ? 0 : at, idx: 0 };
    if (c === undefined) return target;
    const cp = c.pos <= covered ? 0 : c.pos;
    if (target.pos < cp) return target;
    // The same step again (or the block again): from its first statement.
    if (target.pos === cp) return { pos: cp, idx: 0 };
    return c;
  }

  page(peer: string, c: Cursor, max: number): { readonly statements: readonly OpenedStatement[]; readonly next: Cursor; readonly end: boolean } {
    const text = this.read();
    const lines = text.split('\n');
    const from = startFrom(lines[0] ?? '');
    const covered = from?.n ?? 0;
    const out: OpenedStatement[] = [];
    const mine = (s: StatementJson): boolean => s.i === this.me && s.v.includes(peer);
    let pos = c.pos;
    let idx = c.idx;
    if (pos <= covered) {
      if (from !== undefined) {
        const block = this.blockOf(from).filter(mine);
        // A cursor the log's compaction overtook starts the (new) block from its first statement.
        let i = pos === 0 ? idx : 0;
        for (; i < block.length && out.length < max; i++) push(out, block[i]!);
        if (i < block.length) return { statements: out, next: { pos: 0, idx: i }, end: false };
      }
      pos = covered + 1;
      idx = 0;
    }
    let last = covered;
    for (let l = 1; l < lines.length; l++) {
      const line = lines[l]!;
      // Only fires publish; the rest is not decoded.
      if (!line.includes('"k":"fire"')) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        continue; // the partial last line of a write under way
      }
      const d = FireLine.decode(json);
      if (isLeft(d)) continue;
      const e = d.right;
      last = e.n;
      if (e.n < pos) continue;
      const pubs = e.pub.filter(mine);
      let i = e.n === pos ? idx : 0;
      for (; i < pubs.length && out.length < max; i++) push(out, pubs[i]!);
      if (i < pubs.length) return { statements: out, next: { pos: e.n, idx: i }, end: false };
    }
    return { statements: out, next: { pos: Math.max(last + 1, pos), idx: 0 }, end: true };
  }

  /** The checkpoint the log continues from, if it was compacted (its first line only is read: this runs for every frame not held). */
  private from(): CheckpointRef | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'r');
      let buf = Buffer.alloc(16 << 10);
      let len = 0;
      for (;;) {
        const got = readSync(fd, buf, len, buf.length - len, len);
        len += got;
        const nl = buf.subarray(0, len).indexOf(10);
        if (nl >= 0) return startFrom(buf.subarray(0, nl).toString('utf8'));
        if (got === 0 || len >= MAX_START_BYTES) return startFrom(buf.subarray(0, len).toString('utf8'));
        if (len === buf.length) buf = Buffer.concat([buf, Buffer.alloc(buf.length)]);
      }
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  private read(): string {
    try {
      return readFileSync(this.path, 'utf8');
    } catch {
      return '';
    }
  }

  /** This node's statements the checkpoint `ref` holds: published in its two intervals, then those it retains; each once. */
  private blockOf(ref: CheckpointRef): readonly StatementJson[] {
    if (this.block?.digest === ref.digest) return this.block.statements;
    const r = readCheckpoint(join(dirname(this.path), ref.file), { node: this.me, digest: ref.digest });
    const statements: StatementJson[] = [];
    if (r.ok) {
      const seen = new Set<string>();
      for (const s of [...r.checkpoint.resume.published, ...r.checkpoint.state.known]) {
        if (s.i !== this.me) continue;
        const k = jsonKey(s);
        if (seen.has(k)) continue;
        seen.add(k);
        statements.push(s);
      }
    }
    this.block = { digest: ref.digest, statements };
    return statements;
  }
}

function startFrom(line: string): CheckpointRef | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const d = StartLine.decode(json);
  return isLeft(d) ? undefined : d.right.from;
}

function push(out: OpenedStatement[], s: StatementJson): void {
  const record = recordFromJson(s.r);
  if (record !== undefined) out.push({ issuer: s.i, verifiers: s.v, auditors: s.a, record });
}
