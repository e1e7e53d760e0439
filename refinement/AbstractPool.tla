---------------------------- MODULE AbstractPool ----------------------------
(***************************************************************************)
(* The abstract pool of the design note (../shared/design, "The abstract   *)
(* pool: the one semantics"), with the program left out: any correct node *)
(* may publish any statement with itself as issuer. Every implementation  *)
(* module in this folder is checked to refine Spec under a mapping of its *)
(* wire state to `pool` and `known` (docs/refinement.md).                 *)
(*                                                                         *)
(* A statement [issuer, verifiers, auditors] Record is a record           *)
(*   [iss |-> i, ver |-> V, aud |-> A, rec |-> r]                         *)
(* with one issuer, as it is published and as it travels; several issuers *)
(* arise only by merging (IssuersOf, QuorumKnown below).                   *)
(*                                                                         *)
(* As in the project's semantics (docs/decisions.md, "Faulty nodes receive *)
(* nothing"), known is tracked for correct nodes: Deliver and Audit target *)
(* correct nodes, and a faulty node's known stays empty.                   *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS
  Principals,   \* the program's principals
  Faulty,       \* the faulty ones (Byzantine: they publish what they like as themselves)
  Stmts         \* the statements the model considers

VARIABLES
  pool,         \* every statement ever published
  known         \* known[n]: the statements n has received and authenticated

vars == <<pool, known>>

Correct == Principals \ Faulty

Stmt(i, V, A, r) == [iss |-> i, ver |-> V, aud |-> A, rec |-> r]

TypeOK ==
  /\ pool \subseteq Stmts
  /\ known \in [Principals -> SUBSET Stmts]

Init ==
  /\ pool = {}
  /\ known = [n \in Principals |-> {}]

(* Fire's PUBLISH, with the program abstracted away: a correct node adds   *)
(* a statement of its own to the pool, and knows it at once if it is one   *)
(* of its verifiers.                                                       *)
Publish(n, s) ==
  /\ n \in Correct
  /\ s.iss = n
  /\ s \notin pool
  /\ pool' = pool \cup {s}
  /\ known' = IF n \in s.ver THEN [known EXCEPT ![n] = @ \cup {s}] ELSE known

(* Fault: a Byzantine node publishes any statement whose issuer is itself; *)
(* never one whose issuer is a correct node.                               *)
FaultyPublish(n, s) ==
  /\ n \in Faulty
  /\ s.iss = n
  /\ s \notin pool
  /\ pool' = pool \cup {s}
  /\ UNCHANGED known

(* Deliver: asynchronous, unordered, to an intended verifier.              *)
Deliver(n, s) ==
  /\ n \in Correct
  /\ s \in pool
  /\ n \in s.ver
  /\ s \notin known[n]
  /\ known' = [known EXCEPT ![n] = @ \cup {s}]
  /\ UNCHANGED pool

(* Certificates (issue 25): a statement may carry statements (field car   *)
(* of a carrier; none otherwise). Delivering a carrier makes its verifier   *)
(* know the carrier and what it carries, in one step; what it carries was   *)
(* published, and the verifier is among its auditors.                      *)
Carried(s) == IF "car" \in DOMAIN s THEN s.car ELSE {}

DeliverCarrier(n, c) ==
  /\ n \in Correct
  /\ c \in pool
  /\ n \in c.ver
  /\ c \notin known[n]
  /\ Carried(c) # {}
  /\ Carried(c) \subseteq pool
  /\ \A s \in Carried(c) : n \in s.aud
  /\ known' = [known EXCEPT ![n] = @ \cup {c} \cup Carried(c)]
  /\ UNCHANGED pool

(* What n can show: what it knows, and what it published itself.           *)
Holds(n, s) == s \in known[n] \/ (s \in pool /\ s.iss = n)

(* Audit: a node that holds a statement shows it to one of the            *)
(* statement's auditors, who then knows it. Non-repudiation is exactly    *)
(* this step being possible: an auditable statement can be shown to a     *)
(* third party, who believes it. A repudiable statement (auditors NOONE)  *)
(* has no Audit step.                                                      *)
Audit(n, a, s) ==
  /\ Holds(n, s)
  /\ a \in s.aud
  /\ a \in Correct
  /\ s \notin known[a]
  /\ known' = [known EXCEPT ![a] = @ \cup {s}]
  /\ UNCHANGED pool

Next ==
  \E n \in Principals, s \in Stmts :
    \/ Publish(n, s)
    \/ FaultyPublish(n, s)
    \/ Deliver(n, s)
    \/ DeliverCarrier(n, s)
    \/ \E a \in Principals : Audit(n, a, s)

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Derived: issuer merging. [I1,V,A]X and [I2,V,A]X give [I1 \cup I2,V,A]X *)
(* It is never a state change: a quorum pattern is evaluated over it.      *)
(***************************************************************************)
IssuersOf(S, V, A, r) == {t.iss : t \in {u \in S : u.ver = V /\ u.aud = A /\ u.rec = r}}

Merged(S) == {[iss |-> IssuersOf(S, s.ver, s.aud, s.rec), ver |-> s.ver, aud |-> s.aud, rec |-> s.rec] : s \in S}

(* The quorum pattern [Q >= k, ME, A] r at node n: some merged statement n *)
(* knows has at least k issuers in Q, n among its verifiers, and at least  *)
(* the auditors A (a pattern's auditors are requirements).                *)
QuorumKnown(n, Q, k, A, r) ==
  \E t \in Merged(known[n]) : t.rec = r /\ n \in t.ver /\ A \subseteq t.aud /\ Cardinality(t.iss \cap Q) >= k

(***************************************************************************)
(* Properties an implementation claims through the mapping.               *)
(***************************************************************************)

(* A merged statement is no stronger than its parts: every issuer a node   *)
(* counts towards a quorum did publish the record (implied by Spec; kept   *)
(* as an invariant an implementation can check directly).                  *)
MergeSound ==
  \A n \in Correct : \A t \in Merged(known[n]) : \A i \in t.iss :
    Stmt(i, t.ver, t.aud, t.rec) \in pool

(* The liveness the fallback gives: a correct issuer's statement reaches   *)
(* every correct intended verifier. (A faulty issuer may send its          *)
(* statement to some verifiers only; no implementation can promise more   *)
(* for it, so the claim is for correct issuers.)                           *)
EventuallyKnown ==
  \A s \in {t \in Stmts : t.iss \in Correct} :
    \A n \in s.ver \cap Correct :
      (s \in pool) ~> (s \in known[n])
=============================================================================
