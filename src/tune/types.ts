// What the deployment tuner reads and produces (`mommie deploy-tune`,
// docs/optimizations.md "deploy-tune"): the objective, the options, the cost
// constants measured on this machine, what a candidate's simulated run
// counted, and what the cost model predicts from both.

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import type { CheckedDeployment } from '../deploy/resolve.js';
import type { CryptoFloor } from '../wire/floor.js';

export const OBJECTIVES = ['throughput', 'latency', 'bytes'] as const;
/** throughput: most requests/s; latency: least ms per request; bytes: least bytes on the wire per request. */
export type Objective = (typeof OBJECTIVES)[number];

export interface TuneOptions {
  /** Requests in each candidate's simulated run. */
  readonly requests: number;
  /** Candidates simulated at most (the base's own file and the search's start included; candidates deploy-check refuses are not counted). */
  readonly maxCandidates: number;
  /** Rounds of coordinate descent at most. */
  readonly rounds: number;
  /** Run only the first K clients (as `mommie run --clients`); all of them when absent. */
  readonly clients?: number;
  /** Requests each client keeps in flight (as `mommie run --concurrency`). */
  readonly concurrency: number;
  /** The simulated network's seed. */
  readonly seed: number;
  /** Offer PLAINTEXT for [Authentication] pairs (it assumes an already authenticated channel). */
  readonly allowPlaintext: boolean;
  /** Offer RSA beside Ed25519 for signatures. */
  readonly allowRsa: boolean;
  /** Cores the deployment's processes share; this machine's when absent. */
  readonly cores?: number;
  /** Measure briefly (rough constants): for trying the command out, and for tests. */
  readonly quick: boolean;
}

export const DEFAULT_TUNE_OPTIONS: TuneOptions = {
  requests: 60, maxCandidates: 30, rounds: 2, concurrency: 1, seed: 1, allowPlaintext: false, allowRsa: false, quick: false,
};

/** A straight line fitted to measurements: cost = fixed + perByte × bytes (µs). */
export interface Linear {
  readonly fixedUs: number;
  readonly perByteUs: number;
}

export interface NetworkCosts {
  /** CPU of one frame over TCP loopback, sent and received (both ends' share), µs. */
  readonly frameCpu: Linear;
  /** Wall time of one hop (one frame, one way), µs. */
  readonly hop: Linear;
  /** The frame sizes probed, bytes. */
  readonly sizes: readonly number[];
}

/** The cost model's constants, measured on this machine when the tuner runs. */
export interface CostConstants {
  /** Cores the deployment's processes share. */
  readonly cores: number;
  /** µs per HMAC, Ed25519 sign / verify, RSA-2048 sign / verify (wire/floor.ts). */
  readonly crypto: CryptoFloor;
  readonly network: NetworkCosts;
  /** CPU per statement a node handles (decoding, matching, firing, encoding), crypto and transport aside, µs. */
  readonly processingUs: number;
  /**
   * A calibration run over real TCP, when one was made: what it measured,
   * and the two corrections taken from it (processingUs already includes the
   * first; predict() applies `efficiency`).
   */
  readonly tcp?: TcpCalibration;
}

/** What a TCP run of the calibration deployment measured, and what the model takes from it. */
export interface TcpCalibration {
  readonly measured: TcpMeasurement;
  /** The simulation-calibrated processing cost it replaced, µs per statement. */
  readonly simProcessingUs: number;
  /** Measured throughput / the model's (with the TCP processing cost): how much of the modelled capacity real processes reach. */
  readonly efficiency: number;
}

/** A short run over TCP loopback: one process per node, as `mommie run --network tcp` runs them. */
export interface TcpMeasurement {
  readonly completed: number;
  readonly throughputPerS: number;
  /** CPU of every node process from go to stop, per completed request, µs. */
  readonly cpuUsPerRequest: number;
}

/** What one node did over a candidate's run (totals, not per request). */
export interface NodeCounts {
  readonly node: string;
  readonly macs: number;
  readonly ed25519Signs: number;
  readonly ed25519Verifies: number;
  readonly rsaSigns: number;
  readonly rsaVerifies: number;
  /** Statements handled: delivered, plus duplicates absorbed. */
  readonly statements: number;
  readonly framesOut: number;
  readonly framesIn: number;
  readonly bytesOut: number;
  readonly bytesIn: number;
}

/** Counts per completed request over a candidate's simulated run, and its critical path. */
export interface PerRequest {
  readonly frames: number;
  readonly bytes: number;
  readonly macs: number;
  readonly ed25519Signs: number;
  readonly ed25519Verifies: number;
  readonly rsaSigns: number;
  readonly rsaVerifies: number;
  readonly statements: number;
  readonly escalations: number;
  readonly relayed: number;
  readonly lazy: number;
}

export interface Observation {
  readonly requested: number;
  readonly completed: number;
  readonly perRequest: PerRequest;
  readonly nodes: readonly NodeCounts[];
  /** Sequential hops per request: how the mean latency grows with the per-hop delay. */
  readonly hops: number;
  /** Latency that is not hops: batch windows and escalations, ms. */
  readonly waitsMs: number;
  /** Requests in flight at once (clients × concurrency, at most the requests). */
  readonly outstanding: number;
  /** Processes of the deployment (nodes and trusted third parties). */
  readonly processes: number;
}

export type Bound = 'cpu' | 'busiest-node' | 'closed-loop';

export interface Prediction {
  readonly throughputPerS: number;
  readonly latencyMs: number;
  readonly bytesPerRequest: number;
  /** CPU per request over every process. */
  readonly cpuUsPerRequest: number;
  /** The process that works most per request, and how much. */
  readonly busiest: { readonly node: string; readonly cpuUsPerRequest: number };
  /** What limits the throughput. */
  readonly bound: Bound;
}

/** Where a candidate came from. */
export type Origin = 'base' | 'generated';

export interface Candidate {
  /** One line: each choice, e.g. `C<->R HMAC, R<->R HMAC; C->R [Request] OPTIMISTIC(PRIMARY) 200ms`. */
  readonly description: string;
  readonly origin: Origin;
  /** The whole deploy file. */
  readonly text: string;
}

export interface ScoredCandidate extends Candidate {
  readonly deployment: CheckedDeployment;
  readonly observation: Observation;
  readonly prediction: Prediction;
}

export interface RejectedCandidate extends Candidate {
  /** Why: deploy-check's errors, or what went wrong in its simulated run. */
  readonly reasons: readonly string[];
  /** deploy-check's diagnostics, with the text they point into. */
  readonly diagnostics: readonly Diagnostic[];
  readonly source?: SourceText;
}

export type TuneErrorCode =
  /** The base deploy file does not parse, or its [Nodes], [Timeouts] or [Constants] do not check against the program. */
  | 'bad-base'
  /** The program cannot run as deployed (e.g. an input domain too large to enumerate). */
  | 'not-runnable'
  /** No candidate passes deploy-check and completes a request in simulation. */
  | 'no-candidate'
  /** Measuring the machine failed (e.g. the loopback probe could not connect). */
  | 'measure-failed';

export interface TuneError {
  readonly code: TuneErrorCode;
  readonly message: string;
  /** Diagnostics behind it (the base file's, or the base candidate's), with their texts. */
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, SourceText>;
}

export interface TuneResult {
  /** Best first, by the objective. */
  readonly ranked: readonly ScoredCandidate[];
  readonly rejected: readonly RejectedCandidate[];
  readonly constants: CostConstants;
  readonly objective: Objective;
  /** What the figures rest on that a reader should know (e.g. a program that admits fewer requests than asked). */
  readonly notes: readonly string[];
  /** The base's own file as a candidate: scored, or rejected and why. */
  readonly base: { readonly scored: true; readonly rank: number } | { readonly scored: false; readonly reasons: readonly string[] };
}

export type TuneOutcome = ({ readonly ok: true } & TuneResult) | { readonly ok: false; readonly error: TuneError };
