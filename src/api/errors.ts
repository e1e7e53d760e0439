// The two ways a call of the client API fails (docs/api.md, "Errors"):
// refused before the input step, so nothing was sent and nothing will take
// effect (NotSentError); or sent, and no answer came in time, so the request
// is still in flight and may yet take effect (OutcomeUnknownError).

/** Why a call was refused before its input step. */
export type NotSentReason =
  /** The node's role has no input transition of that name. */
  | 'unknown-transition'
  /** The input declares no ANSWER: there is nothing to wait for. */
  | 'no-answer'
  /** Arguments missing, unknown, or outside their types (or a request id the API fills given). */
  | 'arguments'
  /** The instance with these arguments has fired already (fire-once). */
  | 'fired'
  /** The guard never held before the call's timeout (e.g. the window stayed full). */
  | 'guard-timeout'
  /** The body of the input step failed: the step was set aside and published nothing. */
  | 'aborted'
  /** The node is closed or stopped. */
  | 'stopped';

export class NotSentError extends Error {
  override readonly name = 'NotSentError';
  constructor(
    readonly reason: NotSentReason,
    message: string,
  ) {
    super(message);
  }
}

export class OutcomeUnknownError extends Error {
  override readonly name = 'OutcomeUnknownError';
  constructor(
    message: string,
    /** The call as it was sent: its transition and every argument, the request id the API chose included. */
    readonly call: { readonly transition: string; readonly args: Readonly<Record<string, unknown>> },
  ) {
    super(message);
  }
}
