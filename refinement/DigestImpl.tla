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
(* symbolic, Auth(i, x) over x, which only i can make: a signature, or any *)
(* mechanism of the other modules (they are checked on their own). The     *)
(* adversary is complete within the model's bounds: a faulty node sends    *)
(* any correct node any digest-form item (any issuer, any digest) with any *)
(* authenticator it has seen or can make, over any statement or digest     *)
(* form; it answers any fetch with any record, or not at all.              *)
(*                                                                         *)
(* Three switches make negative controls. CheckFetched = FALSE keeps a     *)
(* fetched record under the digest asked for without checking it;          *)
(* MatchDigest = FALSE rebuilds an item with a record the receiver holds   *)
(* whatever its digest (a lookup that ignores the digest: CHOOSE, one      *)
(* fixed record); AuthCovers = "form" has the authenticator cover the      *)
(* digest form rather than the full statement. Safety rests on the         *)
(* authenticator covering the full statement: with it, a wrong record      *)
(* gives a statement whose authenticator fails, and only liveness is lost  *)
(* (NegDigestUncheckedLiveness.cfg, NegDigestNoMatch.cfg); with the        *)
(* authenticator over the digest form, the digest checks are what safety   *)
(* rests on, and dropping one fails the refinement                         *)
(* (NegDigestUnchecked.cfg, NegDigestNoMatchForm.cfg).                     *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records, CheckFetched, AuthCovers, MatchDigest

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

(* The issuer's authenticator over x: the full statement (as the runtime   *)
(* does) or, in the negative controls, its digest form.                    *)
Auth(i, x) == [key |-> {i}, over |-> x]
Covered(s) == IF AuthCovers = "full" THEN s ELSE DForm(s)
Auths == {Auth(i, x) : i \in Principals, x \in Stmts \cup DForms}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  net,    \* digest-form items correct nodes sent: [to, form, auth]
  store,  \* store[n]: the records correct node n holds, each under a digest: [d, x]
  acc     \* acc[n]: statements correct node n accepted

ivars == <<pub, fpub, net, store, acc>>

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ net \subseteq [to : Principals, form : DForms, auth : Auths]
  /\ store \in [Correct -> SUBSET [d : Digests, x : Records]]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ net = {} /\ store = [n \in Correct |-> {}] /\ acc = [n \in Correct |-> {}]

(* The issuer holds the record it refers to, and sends the statement to    *)
(* each verifier by digest (the worst case: the verifier may lack it).     *)
Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ store' = [store EXCEPT ![n] = @ \cup {[d |-> D(s.rec.m), x |-> s.rec.m]}]
  /\ net' = net \cup {[to |-> v, form |-> DForm(s), auth |-> Auth(n, Covered(s))] : v \in s.ver \ {n}}
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED fpub

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, store, acc>>

(* The records v would rebuild an item naming digest d with: the one held *)
(* under d (the negative controls: one held record, whatever its digest).  *)
Lookup(v, d) ==
  IF MatchDigest THEN {e.x : e \in {e2 \in store[v] : e2.d = d}}
  ELSE IF store[v] = {} THEN {} ELSE {(CHOOSE e \in store[v] : TRUE).x}

(* Opening a digest-form item at v: the rebuilt statement is v's to verify *)
(* and its authenticator is its issuer's, over what the mechanism covers.  *)
(* An item that cannot be rebuilt yet stays held (here: not yet taken).    *)
Open(v, f, a) ==
  \E x \in Lookup(v, f.d) :
    LET s == Rebuild(f, x) IN
      /\ s \in Stmts /\ v \in s.ver /\ s.aud = {} /\ s.iss # v /\ s \notin acc[v]
      /\ a.key = {s.iss} /\ a.over = IF AuthCovers = "full" THEN s ELSE f
      /\ acc' = [acc EXCEPT ![v] = @ \cup {s}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Open(v, m.form, m.auth)
  /\ UNCHANGED <<pub, fpub, net, store>>

(* Issued(b, x): the statement x, or the one whose digest form x is, has    *)
(* been issued by b (D is injective, so a form names one statement).       *)
Issued(b, x) == IF x \in Stmts THEN x \in fpub ELSE \E t \in fpub : DForm(t) = x

(* Authenticators faulty node b can send: every one on the network, and    *)
(* its own over anything (over a statement of its own once issued).        *)
AdvAuths(b) == {m.auth : m \in net} \cup {a \in Auths : a.key = {b} /\ (a.over.iss = b => Issued(b, a.over))}

(* A faulty node sends v any digest-form item with an authenticator it can *)
(* send.                                                                   *)
AdvReceive(v, b, f) ==
  /\ v \in Correct /\ b \in Faulty
  /\ \E a \in AdvAuths(b) : Open(v, f, a)
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
  \/ \E v \in Correct, b \in Faulty, f \in DForms : AdvReceive(v, b, f)
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
