// What an HTML report is made of, independent of which command wrote it.
//
// A page is a title, a few summary lines, tables and sequence charts. The
// charts are the part a designer reads: a counterexample drawn as a sequence
// chart, one vertical lifeline per principal and one row per step, time
// running down.
//
// The chart model is deliberately generic, so that a model checker's MOMMIE
// steps (`mommie verify`) and a refinement's wire-level steps (items
// travelling between principals with authenticators, `mommie refine`) draw
// the same way:
//
//   SequenceChart { id, title, lifelines, steps, loopStart? }
//
//   step kinds (each on one lifeline, except a note, which may stand alone):
//     fire       a transition ran on the lifeline: a box with `label`, its
//                binding in `detail`; may send messages (`sends`) and may
//                name the deliveries it consumed (`uses`, step indices);
//                `quorum: true` when those deliveries completed a quorum
//     publish    the lifeline sent messages outside any transition
//     byzantine  a faulty lifeline sent messages (drawn in red)
//     deliver    `message` (the id of an earlier `sends` entry) reached the
//                lifeline: an arrow from the sending step to this row
//     crash      the lifeline stops: a cross, the lifeline dashed below it
//     note       free text (an initial state, a stutter, a TTP's remark)
//
//   Messages are identified by `id`, unique among the messages of one chart
//   that are distinct (the same statement published twice may share an id:
//   a delivery is drawn from the latest earlier step that sent it). A
//   delivery of an id no step sent is drawn from the top of the chart.
//   `notes` are lines shown beside a step (role-variable changes); `title`
//   is a tooltip. `loopStart` (0-based) marks a liveness lasso: the steps
//   from it to the last repeat forever; when it is the last step, the
//   behaviour stutters there forever.
//
// Every string is plain text: the renderer escapes it.

export type Tone = 'ok' | 'bad' | 'warn' | 'plain';

/** A table cell: text, optionally coloured, linked (`#chart-id`) or with a tooltip. */
export interface Cell {
  readonly text: string;
  readonly tone?: Tone;
  /** A link target inside the page, e.g. `#cex-ByzantineBackup-ValidReplies`. */
  readonly href?: string;
  readonly title?: string;
  /** Right-aligned, as numbers are (a number given as a CellInput is). */
  readonly numeric?: boolean;
}
export type CellInput = string | number | Cell;

export interface Table {
  readonly title?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly CellInput[])[];
}

export interface Lifeline {
  readonly name: string;
  /** Faulty from the start: crashed lifelines are dashed, Byzantine ones red. */
  readonly status?: 'correct' | 'crashed' | 'byzantine';
  /** Shown under the name (a role, a deployment site). */
  readonly note?: string;
}

export interface ChartMessage {
  readonly id: string;
  /** The message as the reader should see it: a statement, a wire item with its authenticators. */
  readonly label: string;
  readonly title?: string;
}

interface StepCommon {
  /** Lines beside the step, e.g. `r2.executeSeqNo: 0 → 1`. */
  readonly notes?: readonly string[];
  /** Tooltip text added to the step's own. */
  readonly title?: string;
}

export type ChartStep = StepCommon &
  (
    | {
        readonly kind: 'fire';
        readonly lifeline: string;
        /** The transition's name, shown in the box. */
        readonly label: string;
        /** Its binding, e.g. `pp=PrePrepare(seqNo: 1)`. */
        readonly detail?: string;
        /** Words after the step's line, e.g. `on timeout`. */
        readonly suffix?: string;
        readonly sends?: readonly ChartMessage[];
        /** 0-based indices of earlier deliver steps this step consumed. */
        readonly uses?: readonly number[];
        readonly quorum?: boolean;
      }
    | {
        readonly kind: 'publish' | 'byzantine';
        readonly lifeline: string;
        readonly sends: readonly ChartMessage[];
        /** What the lifeline does, e.g. `relays`: the line reads `r2 relays`, the messages under it; without it, `r2 publishes <message>`. A Byzantine box shows it too. */
        readonly label?: string;
      }
    | {
        readonly kind: 'deliver';
        readonly lifeline: string;
        readonly message: string;
        /**
         * What the receiver does with it, e.g. `accepts`: the line reads
         * `r2 accepts <message>`; without it, `deliver <message> to r2`.
         */
        readonly label?: string;
      }
    | { readonly kind: 'crash'; readonly lifeline: string; readonly label?: string }
    | { readonly kind: 'note'; readonly lifeline?: string; readonly label: string }
  );

export interface SequenceChart {
  /** Unique in the page: an HTML id (the renderer makes it safe). */
  readonly id: string;
  readonly title: string;
  readonly subtitle?: string;
  readonly lifelines: readonly Lifeline[];
  readonly steps: readonly ChartStep[];
  /** 0-based index of the step a lasso returns to; the last step's index means stuttering. */
  readonly loopStart?: number;
  /** The number shown for steps[0] (1 by default, as the text reports count). */
  readonly firstNumber?: number;
  /** Steps per page; a long trace is drawn one page at a time (default 200). */
  readonly pageSize?: number;
}

export interface Page {
  readonly title: string;
  /** Lines under the title. */
  readonly summary?: readonly string[];
  /** Colours the title's badge. */
  readonly status?: Tone;
  readonly statusText?: string;
  /**
   * Trusted markup (inline SVG plots made by a renderer of this project, never
   * user text), shown at the top of the page under `figuresTitle`.
   */
  readonly figures?: readonly string[];
  readonly figuresTitle?: string;
  readonly tables?: readonly Table[];
  readonly charts?: readonly SequenceChart[];
  /** `<meta name="generator">`: lets a command recognise its own earlier report before replacing it. */
  readonly generator?: string;
}
