// The framing layer of TLC's `-tool` output: turns lines into messages.
//
// A message starts with `@!@!@STARTMSG <code>:<class> @!@!@` and ends with
// `@!@!@ENDMSG <code> @!@!@`. Messages nest (an exception message carries the
// message of its cause), and a marker need not start a line: TLC writes
// `: @!@!@STARTMSG 2154:0 @!@!@` after "The exception was a ...". Lines
// outside every message are raw output: SANY's report and the spec's
// Print/PrintT output.
//
// The framer keeps a stack of open messages. It never throws: a problem in
// the framing (an ENDMSG that closes nothing, or the wrong message; nesting
// beyond MAX_DEPTH) is recorded and reported by `finish()`.

export interface TlcMessage {
  readonly code: number;
  /** MP message class: 0 none, 1 error, 2 TLC bug, 3 warning, 4 state. */
  readonly cls: number;
  /** The text, nested messages' text included, one entry per line. */
  readonly lines: readonly string[];
  /** Messages nested inside this one, in order. */
  readonly children: readonly TlcMessage[];
}

export type FrameEvent =
  | { readonly type: 'message'; readonly message: TlcMessage }
  | { readonly type: 'text'; readonly line: string };

export interface FramingProblem {
  readonly kind: 'malformed' | 'truncated';
  readonly message: string;
}

/** Deeper than this is not TLC output (TLC nests one or two levels). */
export const MAX_DEPTH = 64;

interface OpenFrame {
  code: number;
  cls: number;
  lines: string[];
  children: TlcMessage[];
  /** Text of the current physical line not yet ended (a marker followed it). */
  partial: string | null;
}

const MARKER = /@!@!@(?:STARTMSG (-?\d{1,9}):(-?\d{1,9})|ENDMSG (-?\d{1,9})) @!@!@/g;

export class Framer {
  private readonly stack: OpenFrame[] = [];
  private problem: FramingProblem | null = null;
  private messages = 0;

  constructor(private readonly emit: (e: FrameEvent) => void) {}

  /** How many complete top-level messages were seen. */
  get messageCount(): number {
    return this.messages;
  }

  /** The first framing problem, if any. */
  get failure(): FramingProblem | null {
    return this.problem;
  }

  /** The code of the innermost open message, if any. */
  get openCode(): number | undefined {
    return this.stack[this.stack.length - 1]?.code;
  }

  /** One physical line, without its line terminator. */
  line(line: string): void {
    if (this.problem !== null) return;
    MARKER.lastIndex = 0;
    let pos = 0;
    let sawMarker = false;
    for (let m = MARKER.exec(line); m !== null; m = MARKER.exec(line)) {
      sawMarker = true;
      if (m.index > pos) this.text(line.slice(pos, m.index));
      pos = m.index + m[0].length;
      if (m[1] !== undefined) this.start(Number(m[1]), Number(m[2]));
      else this.end(Number(m[3]));
      if (this.problem !== null) return;
    }
    const rest = line.slice(pos);
    if (!sawMarker) {
      this.completeLine(rest);
      return;
    }
    if (rest !== '') this.text(rest);
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined) {
      if (top.partial !== null) {
        top.lines.push(top.partial);
        top.partial = null;
      }
    }
  }

  /** Ends the input; returns the framing problem, if any. */
  finish(): FramingProblem | null {
    if (this.problem !== null) return this.problem;
    if (this.stack.length > 0) {
      const codes = this.stack.map((f) => f.code).join(' inside ');
      this.problem = { kind: 'truncated', message: `TLC's output ended inside message ${codes}, which was never closed` };
    }
    return this.problem;
  }

  private fail(message: string): void {
    this.problem = { kind: 'malformed', message };
  }

  /** Text that ends a physical line (no marker on that line). */
  private completeLine(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.emit({ type: 'text', line: text });
      return;
    }
    if (top.partial !== null) {
      top.lines.push(top.partial + text);
      top.partial = null;
    } else {
      top.lines.push(text);
    }
  }

  /** Text followed, on the same physical line, by a marker or by more text. */
  private text(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.emit({ type: 'text', line: text });
      return;
    }
    top.partial = (top.partial ?? '') + text;
  }

  private start(code: number, cls: number): void {
    if (this.stack.length >= MAX_DEPTH) {
      this.fail(`TLC messages are nested more than ${MAX_DEPTH} deep, which TLC never does`);
      return;
    }
    this.stack.push({ code, cls, lines: [], children: [], partial: null });
  }

  private end(code: number): void {
    const top = this.stack.pop();
    if (top === undefined) {
      this.fail(`TLC's output closes message ${code}, but no message is open`);
      return;
    }
    if (top.code !== code) {
      this.fail(`TLC's output closes message ${code} while message ${top.code} is open`);
      return;
    }
    if (top.partial !== null) top.lines.push(top.partial);
    const message: TlcMessage = { code: top.code, cls: top.cls, lines: top.lines, children: top.children };
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      this.messages++;
      this.emit({ type: 'message', message });
      return;
    }
    parent.children.push(message);
    // The nested text continues the parent's text, on the parent's open line.
    const [first, ...more] = trimTrailingBlank(message.lines);
    if (first !== undefined) {
      parent.lines.push((parent.partial ?? '') + first, ...more);
      parent.partial = null;
    }
  }
}

/** Drops trailing empty lines (TLC ends state messages with one). */
export function trimTrailingBlank(lines: readonly string[]): string[] {
  let n = lines.length;
  while (n > 0 && lines[n - 1]!.trim() === '') n--;
  return lines.slice(0, n);
}
