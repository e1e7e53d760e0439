// Framing of tlapm's `--toolbox` messages (tlapm's src/toolbox_msg.ml).
//
// With `--toolbox 0 0` tlapm writes, on stderr, messages of the form
//
//   @!!BEGIN
//   @!!type:obligation
//   @!!id:2
//   @!!loc:10:3:10:5
//   @!!status:failed
//   @!!reason:timeout
//   @!!obl:ASSUME NEW VARIABLE x
//   PROVE  x' = x
//
//   @!!END
//
// A field runs from its `@!!name:` to the next `@!!` line, so values (the
// obligation, a reason, a message) may span lines. Between messages tlapm also
// writes plain text to the same stream (its human report, backends'
// complaints); those lines are kept apart as `stray`, never mixed into a
// message. The framer works on chunks as they arrive, so a run's messages are
// seen while it runs; it never throws.

export interface RawFrame {
  /** Field names in the order tlapm wrote them, with their text (trailing blank lines dropped). */
  readonly fields: ReadonlyMap<string, string>;
  /** The frame's lines, for a diagnostic when it does not decode. */
  readonly text: string;
}

export type FramerEvent = { readonly kind: 'frame'; readonly frame: RawFrame } | { readonly kind: 'stray'; readonly line: string };

const PREFIX = '@!!';
const FIELD = /^@!!([A-Za-z_-]+):(.*)$/;

export class ToolboxFramer {
  private pending = '';
  private lines: string[] | null = null;

  /** Feeds a chunk of stderr; returns the events completed by it. */
  push(chunk: string): FramerEvent[] {
    this.pending += chunk;
    const out: FramerEvent[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).replace(/\r$/, '');
      this.pending = this.pending.slice(nl + 1);
      this.line(line, out);
    }
    return out;
  }

  /** The stream ended: a last unterminated line, and a frame tlapm never closed (its text comes out as stray lines). */
  end(): FramerEvent[] {
    const out: FramerEvent[] = [];
    if (this.pending !== '') this.line(this.pending, out);
    this.pending = '';
    if (this.lines !== null) {
      for (const l of this.lines) out.push({ kind: 'stray', line: l });
      this.lines = null;
    }
    return out;
  }

  private line(line: string, out: FramerEvent[]): void {
    if (line === `${PREFIX}BEGIN`) {
      // A BEGIN inside a frame means the last one was cut short: keep its text.
      if (this.lines !== null) for (const l of this.lines) out.push({ kind: 'stray', line: l });
      this.lines = [line];
      return;
    }
    if (this.lines === null) {
      out.push({ kind: 'stray', line });
      return;
    }
    this.lines.push(line);
    if (line === `${PREFIX}END`) {
      out.push({ kind: 'frame', frame: frameOf(this.lines) });
      this.lines = null;
    }
  }
}

function frameOf(lines: readonly string[]): RawFrame {
  const fields = new Map<string, string>();
  let name: string | null = null;
  let value: string[] = [];
  const flush = (): void => {
    if (name === null) return;
    while (value.length > 0 && value[value.length - 1]!.trim() === '') value.pop();
    while (value.length > 0 && value[0]!.trim() === '') value.shift();
    // A repeated field keeps its first value; tlapm writes each at most once.
    if (!fields.has(name)) fields.set(name, value.join('\n'));
    name = null;
    value = [];
  };
  for (const l of lines.slice(1, -1)) {
    const m = FIELD.exec(l);
    if (m !== null) {
      flush();
      name = m[1]!;
      value = [m[2]!];
    } else if (name !== null) {
      value.push(l);
    }
  }
  flush();
  return { fields, text: lines.join('\n') };
}

/** Every event of a whole transcript (tests, recorded runs). */
export function frameTranscript(text: string): FramerEvent[] {
  const f = new ToolboxFramer();
  return [...f.push(text), ...f.end()];
}
