// A Byzantine principal of the model on the simulated network: it publishes
// what its model allows (the SENDS records, within the BUDGET) under its own
// keys — asking a TTP to countersign them where the deployment says so, as
// any issuer may — and attacks the wire: it replays frames it received to
// other nodes (TTPs included), mutates them, seals statements of other
// issuers with its own keys (for TTP(t), with a countersignature of its own
// making), and asks TTPs to countersign other issuers' statements.
// Authentication must reject all of it. The run does not end before each
// Byzantine node has published its whole budget (`satisfied`), so a model's
// Byzantine behaviour is exercised even where no correct node has work to do.

import type { StatementView, StepAction, VarChange } from '../check/result.js';
import type { ByzantineInfo, ByzantineSend, ModelInstance } from '../semantics/model.js';
import type { RecordValue } from '../semantics/value.js';
import { TRACE_VERSION, type RunHeader } from '../trace/events.js';
import type { Random, SimNetwork } from '../transport/sim.js';
import type { Transport } from '../transport/transport.js';
import type { FrameCodec, OpenedStatement, Outgoing } from './codec.js';
import { statementJson, type TraceSink } from './node.js';
import { isNothingToCarry, RecordDraw } from './byzantine-draw.js';
import { STRUCTURAL_ATTACKS } from './carrier-attacks.js';
import { certificateFields } from '../analysis/certificates.js';

/** What one Byzantine node did: its own statements, and its attacks on the wire. */
export interface ByzantineCounts {
  published: number;
  replayed: number;
  mutated: number;
  forged: number;
  /** Countersign requests to a TTP for another issuer's statement. */
  forgedRequests: number;
  /** Certificates of its own altered so that every receiver must refuse them (carrier-attacks.ts), by the reason it must give. */
  badCarriers: number;
  readonly badCarriersBy: Record<string, number>;
}

export interface ByzantineNodeReport extends ByzantineCounts {
  readonly node: string;
  /** How many statements of its own its model allows (0 when it gives it nothing to send). */
  readonly budget: number;
}

export interface ByzantineContext {
  readonly model: ModelInstance;
  readonly net: SimNetwork;
  readonly codec: FrameCodec;
  readonly trace?: TraceSink;
  /** What the log's start event says about the run (model, --clients, deploy file). */
  readonly header?: RunHeader;
  /** The deployment's trusted third parties. */
  readonly ttps: readonly string[];
  readonly maxTimeMs: number;
  /** The run's record of steps (for a violation's trace). */
  readonly keep: (a: StepAction, c: VarChange[]) => void;
  readonly view: (s: OpenedStatement) => StatementView;
}

/** How long after its last publication a Byzantine node's copies may still be on their way (ms, virtual). */
const COPIES_MS = 1_000;

/** How many draws a publication of its own tries before giving up its turn, when its SENDS has a WHERE. */
const WHERE_DRAWS = 32;

export class ByzantineNode {
  readonly name: string;
  readonly counts: ByzantineCounts = { published: 0, replayed: 0, mutated: 0, forged: 0, forgedRequests: 0, badCarriers: 0, badCarriersBy: {} };
  /** Its SENDS whose records carry statements: it may alter certificates of its own. */
  private readonly carrierSends: readonly ByzantineSend[];
  private readonly budget: number;
  private readonly transport: Transport;
  private lastPublishedAt = Number.NEGATIVE_INFINITY;
  private readonly received: { from: string; bytes: Uint8Array }[] = [];
  private seq = 1_000_000;
  private events = 0;
  /** Its records are drawn, never enumerated: a deployment's constants may give a type billions of values. */
  private readonly records: RecordDraw;

  constructor(
    private readonly b: ByzantineInfo,
    private readonly c: ByzantineContext,
  ) {
    this.name = c.model.nodes[b.node]!.name;
    this.budget = b.sends.length > 0 ? b.budget : 0;
    this.transport = c.net.endpoint(this.name);
    this.records = new RecordDraw(c.model.evaluator);
    this.carrierSends = b.sends.filter((send) => certificateFields(c.model.program, send.recordType).length > 0);
  }

  /**
   * It has published every statement its model allows, and their copies had
   * time to leave: the run may end without taking its chance from it.
   */
  satisfied(now: number): boolean {
    return this.counts.published >= this.budget && now >= this.lastPublishedAt + COPIES_MS;
  }

  report(): ByzantineNodeReport {
    return { node: this.name, budget: this.budget, ...this.counts };
  }

  start(): void {
    const { model, net, codec, trace } = this.c;
    trace?.write({ k: 'start', version: TRACE_VERSION, node: this.name, role: model.nodes[this.b.node]!.role?.name ?? '', program: model.program.name, constants: {}, faulty: 'byzantine', ...this.c.header });
    const transport = this.transport;
    transport.onFrame((from, bytes) => {
      if (this.received.length < 64) this.received.push({ from, bytes });
      const o = codec.open(from, bytes);
      // What correct nodes said to it is what its own statements are made of.
      if (o.kind === 'data') for (const st of o.statements) this.records.observeStatement(st);
      if (o.kind === 'data' || o.kind === 'countersign-reply' || o.kind === 'countersign-request') transport.send(from, codec.ack(from, o.seq));
      // Its own statements, now countersigned: out they go.
      if (o.kind === 'countersign-reply') for (const out of o.countersigned) if (out.missing().length === 0) this.sendData(out);
    });
    // Its moves are background events: they do not keep a finished run alive
    // (the run waits for `satisfied` instead), its statements' frames do.
    net.schedule(net.random.int(1, 50), () => this.act(), true);
  }

  // Sent like any statement, a few times so that drops do not hide it (nobody retransmits for it).
  private sendThrice(to: string, bytes: Uint8Array): void {
    for (let k = 0; k < 3; k++) this.c.net.schedule(k * 300, () => this.transport.send(to, bytes));
  }

  /**
   * Its statement to each verifier. With `alter` (a certificate of its own),
   * one verifier gets it with a carried authenticator forged or one it cannot
   * audit instead: refused unless that verifier knows the carried statement
   * already (then it is not checked again, and the certificate, logged as
   * this publication, is learned).
   */
  private sendData(out: Outgoing, alter?: Random): void {
    const victim = alter === undefined ? undefined : alter.pick(out.statement.verifiers.filter((v) => v !== this.name).concat([]));
    for (const v of out.statement.verifiers) {
      const attack = v === victim && alter !== undefined ? alter.pick(['forged', 'not-auditable'] as const) : undefined;
      const bad = attack === undefined ? undefined : this.c.codec.attackCarrier?.(v, this.seq++, out, attack);
      if (attack !== undefined && bad !== undefined && bad.length > 0) {
        this.counts.badCarriers++;
        this.counts.badCarriersBy[attack] = (this.counts.badCarriersBy[attack] ?? 0) + 1;
      }
      this.sendThrice(v, bad !== undefined && bad.length > 0 ? bad : this.c.codec.frame(v, this.seq++, { kind: 'data', statements: [out] }));
    }
  }

  private act(): void {
    const { model, net, codec, ttps } = this.c;
    const draw = (send: ByzantineSend, r: Random): RecordValue => this.records.record(send.recordType, r);
    /**
     * A record of its own that the SENDS item's WHERE allows: drawn again a
     * few times, else nothing this turn (a draw leans on what it received,
     * so an allowed record may only become likely later).
     */
    const allowedDraw = (send: ByzantineSend, r: Random): RecordValue | undefined => {
      for (let k = 0; k < WHERE_DRAWS; k++) {
        const record = draw(send, r);
        if (send.allows === undefined || send.allows(record)) return record;
      }
      return undefined;
    };
    /** A draw for another issuer's statement; undefined when a certificate has nothing to carry yet. */
    const drawOrNone = (send: ByzantineSend, r: Random): RecordValue | undefined => {
      try {
        return draw(send, r);
      } catch (e) {
        if (isNothingToCarry(e)) return undefined;
        throw e;
      }
    };
    const b = this.b;
    const me = this.name;
    const transport = this.transport;
    const counts = this.counts;
    const received = this.received;
    const peers = model.nodes.filter((n) => n.name !== me).map((n) => n.name);
    const others = [...peers, ...ttps];
    const r = net.random;
    const choice = r.next();
    let mine: { send: ByzantineSend; record: RecordValue } | undefined;
    if (choice < 0.4 && counts.published < this.budget) {
      const send = r.pick(b.sends);
      try {
        const record = allowedDraw(send, r);
        if (record !== undefined) mine = { send, record };
      } catch (e) {
        // A certificate with nothing to carry yet: it waits for statements to show.
        if (!isNothingToCarry(e)) throw e;
      }
    }
    if (mine !== undefined) {
      const { send, record } = mine;
      const verifiers = r.pick(send.verifierChoices);
      const s: OpenedStatement = { issuer: me, verifiers, auditors: send.auditors, record };
      counts.published++;
      this.lastPublishedAt = net.now;
      this.c.trace?.write({ k: 'byz', n: ++this.events, s: statementJson(s), vc: { [me]: this.events } });
      this.c.keep({ kind: 'byzantine', node: me, statement: this.c.view(s) }, []);
      const out = codec.prepare(s);
      const missing = out?.missing() ?? [];
      if (out !== undefined && missing.length === 0) this.sendData(out, this.carrierSends.includes(send) && r.next() < 0.5 ? r : undefined);
      else if (out !== undefined) for (const ttp of missing) this.sendThrice(ttp, codec.frame(ttp, this.seq++, { kind: 'countersign-request', statements: [out] }));
    } else if (choice < 0.6 && received.length > 0) {
      const f = r.pick(received);
      transport.send(r.pick(others), f.bytes);
      counts.replayed++;
    } else if (choice < 0.8 && received.length > 0) {
      const f = r.pick(received);
      const bytes = f.bytes.slice();
      const flips = r.int(1, 4);
      for (let k = 0; k < flips; k++) {
        const i = r.int(0, bytes.length - 1);
        bytes[i] = bytes[i]! ^ (1 << r.int(0, 7));
      }
      transport.send(r.pick(others), bytes);
      counts.mutated++;
    } else if (choice >= 0.9 && this.carrierSends.length > 0 && codec.attackCarrier !== undefined) {
      this.badCarrier(r);
    } else {
      // A statement of another issuer, sealed with this node's own keys.
      const victims = peers.filter((o) => model.nodes[model.nodeIndex.get(o)!]!.role !== undefined);
      const send = b.sends[0];
      if (victims.length > 0 && send !== undefined) {
        const victim = r.pick(victims);
        const to = r.pick(peers.filter((o) => o !== victim));
        // With third parties about, half the time it asks one to countersign the victim's statement instead.
        const ttp = ttps.length > 0 && r.next() < 0.5 ? r.pick(ttps) : undefined;
        const record = drawOrNone(send, r);
        if (record === undefined) {
          // Nothing to forge a certificate from yet.
        } else if (ttp !== undefined && to !== undefined && codec.forgeRequest !== undefined) {
          const s: OpenedStatement = { issuer: victim, verifiers: [to], auditors: send.auditors, record };
          transport.send(ttp, codec.forgeRequest(ttp, this.seq++, s));
          counts.forgedRequests++;
        } else if (to !== undefined) {
          const s: OpenedStatement = { issuer: victim, verifiers: [to], auditors: send.auditors, record };
          // A codec that cannot forge sends the victim's statement as if it were its own: refused all the same.
          const out = codec.forge === undefined ? codec.prepare(s) : undefined;
          const bytes = codec.forge !== undefined ? codec.forge(to, this.seq++, s) : out !== undefined ? codec.frame(to, this.seq++, { kind: 'data', statements: [out] }) : undefined;
          if (bytes !== undefined) transport.send(to, bytes);
          counts.forged++;
        }
      }
    }
    if (net.now < this.c.maxTimeMs) net.schedule(r.int(20, 200), () => this.act(), true);
  }

  /**
   * A certificate of its own, drawn like its publications (carrying what it
   * received), altered for one reason a receiver must refuse it for, and sent
   * to one verifier. Not a publication: it enters no pool and no log, and the
   * receivers' counters show each refusal.
   */
  private badCarrier(r: Random): void {
    const send = r.pick(this.carrierSends);
    let record: RecordValue;
    try {
      record = this.records.record(send.recordType, r);
    } catch (e) {
      if (isNothingToCarry(e)) return;
      throw e;
    }
    const verifiers = r.pick(send.verifierChoices).filter((v) => v !== this.name);
    if (verifiers.length === 0) return;
    const out = this.c.codec.prepare({ issuer: this.name, verifiers, auditors: send.auditors, record });
    const to = r.pick(verifiers);
    // Altered bytes are another statement, never published: always refused. (Authenticators are altered on its publications, sendData.)
    const attack = r.pick(STRUCTURAL_ATTACKS);
    const bytes = out === undefined ? undefined : this.c.codec.attackCarrier?.(to, this.seq++, out, attack);
    if (bytes === undefined || bytes.length === 0) return;
    this.sendThrice(to, bytes);
    this.counts.badCarriers++;
    this.counts.badCarriersBy[attack] = (this.counts.badCarriersBy[attack] ?? 0) + 1;
  }
}
