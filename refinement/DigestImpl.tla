----------------------------- MODULE DigestImpl -----------------------------
(***************************************************************************)
(* DIGEST (docs/wire.md, "Digests"): a field holding a record travels as   *)
(* the record's digest; the authenticator covers the full statement. The   *)
(* receiver rebuilds the statement from the records it holds and opens it  *)
(* as any other; lacking the record, it holds the item and fetches the     *)
(* record by digest from anyone (the sender, then the issuer and the other *)
(* verifiers in turn). A fetch answer carries no authenticator: a record   *)
(* is used only when its digest is the one asked for.                      *)
(*                                                                         *)
(* Digests are collision-free by assumption: D is injective, so a record   *)
(* whose digest matches is the record. The authenticator is the issuer's,  *)
(* over the full statement, from any mechanism that refines the pool       *)
(* (the other modules): it checks exactly for published statements. A     *)
(* faulty node may send any digest-form item (any issuer, any digest),     *)
(* answer any fetch with any record, or not answer.                        *)
(*                                                                         *)
(* Two switches make negative controls: CheckFetched = FALSE keeps a       *)
(* fetched record under the digest asked for without checking it, and      *)
(* AuthCovers = "form" has the authenticator cover the digest form rather  *)
(* than the full statement. With both (NegDigestUnchecked.cfg) a faulty    *)
(* answer substitutes the record and the refinement fails; with only the   *)
(* first (NegDigestUncheckedLiveness.cfg) the rebuilt statement fails its  *)
(* authenticator, safety holds, and the item waits forever.                *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records, CheckFetched, AuthCovers

Principals == {P1, P2, P3}
Correct == Principals \ Faulty

(* Statements whose record has a field m holding a record (PBFT's          *)
(* PrePrepare(m: Request)); Records are the records it may hold. Issued by *)
(* P1 and P3 (the faulty one in the .cfg files): P2's statements would be  *)
(* P1's mirror image, and leaving them out keeps the negative control's    *)
(* liveness check small.                                                   *)
Issuers == {P1, P3}
Stmts == {[iss |-> i, ver |-> Principals \ {i}, aud |-> {}, rec |-> [m |-> x]] : i \in Issuers, x \in Records}

D(x) == [d |-> x]                     \* the digest of a record
Digests == {D(x) : x \in Records}

(* The digest form of a statement, and the statement rebuilt from it.      *)
DForm(s) == [iss |-> s.iss, ver |-> s.ver, aud |-> s.aud, d |-> D(s.rec.m)]
Rebuild(f, x) == [iss |-> f.iss, ver |-> f.ver, aud |-> f.aud, rec |-> [m |-> x]]
DForms == {DForm(s) : s \in Stmts}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  net,    \* digest-form items correct nodes sent: [to, form]
  store,  \* store[n]: the records correct node n holds, each under a digest: [d, x]
  acc     \* acc[n]: statements correct node n accepted

ivars == <<pub, fpub, net, store, acc>>

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ net \subseteq [to : Principals, form : DForms]
  /\ store \in [Correct -> SUBSET [d : Digests, x : Records]]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ net = {} /\ store = [n \in Correct |-> {}] /\ acc = [n \in Correct |-> {}]

(* The issuer holds the record it refers to, and sends the statement to    *)
(* each verifier by digest (the worst case: the verifier may lack it).     *)
Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ store' = [store EXCEPT ![n] = @ \cup {[d |-> D(s.rec.m), x |-> s.rec.m]}]
  /\ net' = net \cup {[to |-> v, form |-> DForm(s)] : v \in s.ver \ {n}}
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED fpub

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, store, acc>>

(* The issuer's authenticator checks: it exists exactly for what was       *)
(* published (any mechanism of the other modules), and covers the full     *)
(* statement (or, in the negative control, the digest form f).             *)
AuthOk(f, s) ==
  IF AuthCovers = "full" THEN s \in pub \/ s \in fpub
  ELSE \E t \in pub \cup fpub : DForm(t) = f

(* Opening a digest-form item at v: a record is held under the digest, the *)
(* rebuilt statement is v's to verify and its authenticator checks. An     *)
(* item that cannot be rebuilt yet stays held (here: not yet taken).       *)
Open(v, f) ==
  \E e \in store[v] :
    /\ e.d = f.d
    /\ LET s == Rebuild(f, e.x) IN
         /\ s \in Stmts /\ v \in s.ver /\ s.aud = {} /\ AuthOk(f, s) /\ s \notin acc[v]
         /\ acc' = [acc EXCEPT ![v] = @ \cup {s}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Open(v, m.form)
  /\ UNCHANGED <<pub, fpub, net, store>>

(* A faulty node sends v any digest-form item.                             *)
AdvReceive(v, f) ==
  /\ v \in Correct /\ Faulty # {} /\ Open(v, f)
  /\ UNCHANGED <<pub, fpub, net, store>>

(* v holds an item it cannot rebuild (from the network, or from a faulty  *)
(* node: any digest) and asks n for the record. A correct n answers with   *)
(* what it holds under that digest; a faulty n with any record. v keeps    *)
(* the answer only when its digest is the one asked for.                   *)
Answers(n, d) == IF n \in Correct THEN {e.x : e \in {e2 \in store[n] : e2.d = d}} ELSE Records

Fetch(v, d, n) ==
  /\ v \in Correct /\ n # v /\ ~\E e \in store[v] : e.d = d
  /\ \E y \in Answers(n, d) :
       /\ CheckFetched => D(y) = d
       /\ store' = [store EXCEPT ![v] = @ \cup {[d |-> d, x |-> y]}]
  /\ UNCHANGED <<pub, fpub, net, acc>>

(* Digests v waits for: those of items sent to it (a faulty node's items   *)
(* may name any digest).                                                   *)
Wanted(v) == {m.form.d : m \in {m2 \in net : m2.to = v}} \cup (IF Faulty # {} THEN Digests ELSE {})

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E v \in Correct, f \in DForms : AdvReceive(v, f)
  \/ \E v \in Correct, n \in Principals : \E d \in Wanted(v) : Fetch(v, d, n)

(* The link delivers; a held item's record is asked for, with backoff,     *)
(* of the issuer and the verifiers in turn until it comes: some correct    *)
(* holder answers (the issuer holds it).                                   *)
Fairness ==
  /\ WF_ivars(\E v \in Correct, m \in net : Receive(v, m))
  /\ WF_ivars(\E v \in Correct, n \in Correct : \E m \in {m2 \in net : m2.to = v} : Fetch(v, m.form.d, n))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound

=============================================================================
