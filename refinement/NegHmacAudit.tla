---------------------------- MODULE NegHmacAudit ----------------------------
(***************************************************************************)
(* NEGATIVE CONTROL: HMAC asked for auditable statements, which           *)
(* deploy-check refuses (MOM620: HMAC gives auditors NOONE only; MOM607:   *)
(* HMAC in [Non-repudiation]). Both ways an auditor could try to check an  *)
(* HMAC statement fail, each with a counterexample:                        *)
(*                                                                         *)
(*  AuditorCheck = "own-tag": the issuer adds a tag for each auditor to    *)
(*   the vector, and an auditor checks its own. A Byzantine issuer makes a *)
(*   vector that verifies for its verifier and not for the auditor: the    *)
(*   verifier believes the statement and can never convince the auditor    *)
(*   (the issuer repudiates it). NonRepudiation fails                      *)
(*   (NegHmacAudit_Vector.cfg).                                            *)
(*  AuditorCheck = "pair-key": the auditor accepts a tag under the key of  *)
(*   the issuer and any verifier (as if it could ask a key escrow). Either *)
(*   end of that key could have made the tag: a Byzantine verifier forges  *)
(*   a statement of a correct issuer toward the auditor. The refinement    *)
(*   fails (NegHmacAudit_Forge.cfg).                                       *)
(*                                                                         *)
(* Tags, keys and the open network as in HmacImpl.                         *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records, AuditorCheck

Principals == {P1, P2, P3}
Correct == Principals \ Faulty
Succ(i) == CASE i = P1 -> P2 [] i = P2 -> P3 [] i = P3 -> P1

(* To the next principal, auditable by the third.                          *)
Stmts == {[iss |-> i, ver |-> {Succ(i)}, aud |-> {Succ(Succ(i))}, rec |-> r] : i \in Principals, r \in Records}

Keys == {{x, y} : x \in Principals, y \in Principals} \ {{x} : x \in Principals}
Tag(K, s) == [key |-> K, stmt |-> s]
Tags == {Tag(K, s) : K \in Keys, s \in Stmts}

(* The vector a correct issuer makes: a tag for each verifier and auditor. *)
Vector(s) == {Tag({s.iss, x}, s) : x \in (s.ver \cup s.aud) \ {s.iss}}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  net,    \* items correct issuers sent: [to, stmt, tags]
  held,   \* held[n]: the items [stmt, tags] correct node n accepted
  acc     \* acc[n]: statements correct node n accepted

ivars == <<pub, fpub, net, held, acc>>

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ net \subseteq [to : Principals, stmt : Stmts, tags : SUBSET Tags]
  /\ held \in [Correct -> SUBSET [stmt : Stmts, tags : SUBSET Tags]]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ net = {} /\ held = [n \in Correct |-> {}] /\ acc = [n \in Correct |-> {}]

Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup {[to |-> v, stmt |-> s, tags |-> Vector(s)] : v \in s.ver}
  /\ UNCHANGED <<fpub, held, acc>>

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, held, acc>>

Seen == UNION {m.tags : m \in net} \cup UNION {h.tags : h \in UNION {held[n] : n \in Correct}}

AdvCanTag(b, t) ==
  \/ t \in Seen
  \/ b \in t.key /\ (t.stmt.iss = b => t.stmt \in fpub)

VerifierCheck(v, s, tags) == v \in s.ver /\ s.iss # v /\ Tag({s.iss, v}, s) \in tags

AuditCheck(a, s, tags) ==
  /\ a \in s.aud /\ s.iss # a
  /\ IF AuditorCheck = "own-tag"
       THEN Tag({s.iss, a}, s) \in tags
       ELSE \E x \in s.ver : Tag({s.iss, x}, s) \in tags

Check(v, s, tags) == VerifierCheck(v, s, tags) \/ AuditCheck(v, s, tags)

Accept(v, s, tags) ==
  /\ s \notin acc[v]
  /\ acc' = [acc EXCEPT ![v] = @ \cup {s}]
  /\ held' = [held EXCEPT ![v] = @ \cup {[stmt |-> s, tags |-> tags]}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ VerifierCheck(v, m.stmt, m.tags)
  /\ Accept(v, m.stmt, m.tags)
  /\ UNCHANGED <<pub, fpub, net>>

(* Audit on the wire: a correct holder shows the item it accepted.         *)
Show(n, a, h) ==
  /\ n \in Correct /\ a \in Correct /\ h \in held[n] /\ AuditCheck(a, h.stmt, h.tags)
  /\ Accept(a, h.stmt, h.tags)
  /\ UNCHANGED <<pub, fpub, net>>

(* A faulty node sends v, as verifier or as auditor, a vector of tags it   *)
(* can make or has seen.                                                   *)
AdvReceive(v, b, s, tags) ==
  /\ v \in Correct /\ b \in Faulty
  /\ \A t \in tags : AdvCanTag(b, t)
  /\ Check(v, s, tags)
  /\ Accept(v, s, tags)
  /\ UNCHANGED <<pub, fpub, net>>

Candidates(s) == {Tag({s.iss, x}, s) : x \in (s.ver \cup s.aud) \ {s.iss}}

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E n, a \in Correct : \E h \in held[n] : Show(n, a, h)
  \/ \E v \in Correct, b \in Faulty, s \in Stmts : \E tags \in SUBSET Candidates(s) : AdvReceive(v, b, s, tags)

ImplSpec == Init /\ [][Next]_ivars

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec

(* What non-repudiation needs: whatever a correct node accepted, the item  *)
(* it holds convinces every correct auditor of the statement.              *)
NonRepudiation ==
  \A n \in Correct : \A h \in held[n] : \A a \in (h.stmt.aud \cap Correct) \ {h.stmt.iss} :
    AuditCheck(a, h.stmt, h.tags)
=============================================================================
