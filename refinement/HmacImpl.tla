------------------------------ MODULE HmacImpl ------------------------------
(***************************************************************************)
(* HMAC with pairwise keys: each pair of principals shares a key; an item  *)
(* carries a MAC vector (docs/wire.md, "Authenticators"), and verifier v   *)
(* believes a statement when the vector holds the tag for v under the key  *)
(* v shares with the statement's issuer. Auditors NOONE only: either end   *)
(* of a key could have made a tag (NegHmacAudit shows what goes wrong when *)
(* HMAC is asked for auditors).                                            *)
(*                                                                         *)
(* Tags are symbolic, Tag(K, s) for key K = {x, y}: computable only by x   *)
(* and y (unforgeability of HMAC-SHA256 is assumed, not proven). The      *)
(* network is open: a faulty node sees every tag sent (Seen) and may send  *)
(* any vector made of tags it has seen or can compute (AdvCanTag), to      *)
(* anyone, with any statement; the link sender proves nothing.             *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records

Principals == {P1, P2, P3}
Correct == Principals \ Faulty

Stmts == {[iss |-> i, ver |-> Principals \ {i}, aud |-> {}, rec |-> r] : i \in Principals, r \in Records}

Keys == {{x, y} : x \in Principals, y \in Principals} \ {{x} : x \in Principals}
Tag(K, s) == [key |-> K, stmt |-> s]
Tags == {Tag(K, s) : K \in Keys, s \in Stmts}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  net,    \* items correct nodes sent: [to, stmt, tags]
  acc     \* acc[n]: statements correct node n accepted

ivars == <<pub, fpub, net, acc>>

Item(t, s, tags) == [to |-> t, stmt |-> s, tags |-> tags]

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ net \subseteq [to : Principals, stmt : Stmts, tags : SUBSET Tags]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ net = {} /\ acc = [n \in Correct |-> {}]

(* A correct issuer seals for each verifier the tag under their key (a     *)
(* sealed item holds the receiver's tag only) and unicasts it.             *)
Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup {Item(v, s, {Tag({n, v}, s)}) : v \in s.ver \ {n}}
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED fpub

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, acc>>

(* Every tag that has crossed the network.                                 *)
Seen == UNION {m.tags : m \in net}

(* Tags faulty node b can put in a vector: those it has seen, and those    *)
(* under a key it holds, for any statement at all (claiming any issuer);   *)
(* for a statement of its own, once it has issued it.                      *)
AdvCanTag(b, t) ==
  \/ t \in Seen
  \/ b \in t.key /\ (t.stmt.iss = b => t.stmt \in fpub)

(* Opening at v: a verifier, HMAC prescribed (auditors NOONE), not         *)
(* claiming v as issuer, and the vector holds v's tag under the key v      *)
(* shares with the issuer.                                                 *)
Check(v, s, tags) ==
  /\ v \in s.ver /\ s.aud = {} /\ s.iss # v
  /\ Tag({s.iss, v}, s) \in tags

Accept(v, s) == acc' = [acc EXCEPT ![v] = @ \cup {s}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Check(v, m.stmt, m.tags) /\ m.stmt \notin acc[v]
  /\ Accept(v, m.stmt)
  /\ UNCHANGED <<pub, fpub, net>>

(* A faulty node sends v an item for s. Only v's own entry of the vector  *)
(* is read, so the one tag Tag({s.iss, v}, s) decides: the adversary can   *)
(* send it exactly when it can make or replay it.                          *)
AdvReceive(v, b, s) ==
  /\ v \in Correct /\ b \in Faulty /\ s \notin acc[v]
  /\ AdvCanTag(b, Tag({s.iss, v}, s))
  /\ Check(v, s, {Tag({s.iss, v}, s)})
  /\ Accept(v, s)
  /\ UNCHANGED <<pub, fpub, net>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E v \in Correct, b \in Faulty, s \in Stmts : AdvReceive(v, b, s)

Fairness == WF_ivars(\E v \in Correct, m \in net : Receive(v, m))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound
=============================================================================
