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
(* network is open: a faulty node sees every tag sent (Seen).             *)
(*                                                                         *)
(* The adversary is complete within the model's bounds: a faulty node     *)
(* sends any correct node, for every statement of Stmts, every vector of   *)
(* at most VectorBound tags each of which it has seen or can make with a   *)
(* key it holds, over any statement (AdvVectors). So whatever the          *)
(* receiver's Check accepts from such a vector is tried; a Check weaker    *)
(* than the one the mechanism needs fails the refinement.                  *)
(*                                                                         *)
(* ReceiverCheck = "any-key" is a negative control (NegHmacAnyKey.cfg):    *)
(* the receiver accepts a tag under any key it holds, not only the one it  *)
(* shares with the issuer; the refinement must fail.                       *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records, VectorBound, ReceiverCheck

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
(* under a key it holds, over any statement at all (claiming any issuer);  *)
(* over a statement of its own, once it has issued it.                     *)
AdvTags(b) == Seen \cup {t \in Tags : b \in t.key /\ (t.stmt.iss = b => t.stmt \in fpub)}

(* Every vector of at most VectorBound such tags (VectorBound is 1 or 2).  *)
AdvVectors(b) ==
  LET T == AdvTags(b) IN
  IF VectorBound = 1 THEN {{x} : x \in T} ELSE {{x, y} : x \in T, y \in T}

(* Opening at v: a verifier, HMAC prescribed (auditors NOONE), not         *)
(* claiming v as issuer, and the vector holds v's tag under the key v      *)
(* shares with the issuer (the negative control: under any key v holds).   *)
Check(v, s, tags) ==
  /\ v \in s.ver /\ s.aud = {} /\ s.iss # v
  /\ IF ReceiverCheck = "pair-key"
       THEN Tag({s.iss, v}, s) \in tags
       ELSE \E K \in Keys : v \in K /\ Tag(K, s) \in tags

Accept(v, s) == acc' = [acc EXCEPT ![v] = @ \cup {s}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Check(v, m.stmt, m.tags) /\ m.stmt \notin acc[v]
  /\ Accept(v, m.stmt)
  /\ UNCHANGED <<pub, fpub, net>>

(* A faulty node sends v an item for s with a vector it can make. Its      *)
(* items are not stored: sending and the receiver's check are one step.    *)
(* (The existential is a value, so TLC makes one successor, not one per    *)
(* vector.)                                                                *)
AdvReceive(v, b, s) ==
  /\ v \in Correct /\ b \in Faulty /\ s \notin acc[v]
  /\ (\E tags \in AdvVectors(b) : Check(v, s, tags)) = TRUE
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
