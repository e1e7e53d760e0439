-------------------------- MODULE RelayPrimaryImpl --------------------------
(***************************************************************************)
(* OPTIMISTIC(PRIMARY) with HMAC MAC vectors (docs/optimizations.md):      *)
(*   C -> R [Request] : OPTIMISTIC(PRIMARY) 200ms;                         *)
(* The client seals its statement for relaying: one tag per intended      *)
(* verifier, each under the key the client shares with that verifier, and *)
(* sends it to the primary only, asking it to relay; the primary passes it *)
(* on unchanged, once, when it learns it. After the escalation timeout (or *)
(* lazily after progress) the fallback sends it directly to every verifier *)
(* that has not had it directly.                                           *)
(*                                                                         *)
(* A faulty primary sees the vector and may relay it, drop it, send only   *)
(* some verifiers' copies, or send vectors of its own (tags under the keys *)
(* it holds, for any statement). A faulty client may seal a vector whose   *)
(* tags verify for some verifiers and not others; a correct primary relays *)
(* what it got. Tags as in HmacImpl (symbolic, unforgeable by assumption). *)
(*                                                                         *)
(* The adversary is complete within the model's bounds: a faulty node     *)
(* sends any correct node, for every statement, every vector of at most    *)
(* three tags (one per verifier, as many as a vector has) each of which    *)
(* it has seen or can make with a key it holds, over any statement.        *)
(*                                                                         *)
(* RelayCheck = "issuer-or-primary" is a negative control                  *)
(* (NegRelayPrimaryMac.cfg): a replica also accepts a relayed statement    *)
(* under the tag of the key it shares with the primary, the relay; a       *)
(* Byzantine primary then makes one up, and the refinement must fail.      *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS C, Primary, R1, R2, Faulty, Records, RelayCheck

Principals == {C, Primary, R1, R2}
Correct == Principals \ Faulty
Replicas == {Primary, R1, R2}

(* The client's requests, to every replica.                                *)
Stmts == {[iss |-> C, ver |-> Replicas, aud |-> {}, rec |-> r] : r \in Records}

Keys == {{x, y} : x \in Principals, y \in Principals} \ {{x} : x \in Principals}
Tag(K, s) == [key |-> K, stmt |-> s]
Tags == {Tag(K, s) : K \in Keys, s \in Stmts}

(* The MAC vector the issuer computes for relaying: a tag per verifier.    *)
Vector(s) == {Tag({s.iss, v}, s) : v \in s.ver \ {s.iss}}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  fell,   \* statements whose optimistic step is over: the fallback sent them directly
  net,    \* items correct nodes sent: [to, stmt, tags]
  acc     \* acc[n]: statements correct node n accepted

ivars == <<pub, fpub, fell, net, acc>>

Item(t, s, tags) == [to |-> t, stmt |-> s, tags |-> tags]

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts /\ fell \subseteq Stmts
  /\ net \subseteq [to : Principals, stmt : Stmts, tags : SUBSET Tags]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ fell = {} /\ net = {} /\ acc = [n \in Correct |-> {}]

(* The optimistic step: to the primary only, sealed for relaying.          *)
Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup {Item(Primary, s, Vector(s))}
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED <<fpub, fell>>

(* Escalation (no progress within the timeout) or the lazy fallback (1 s   *)
(* after progress): either way the others get it directly.                 *)
Fallback(s) ==
  /\ s \in pub /\ s \notin fell
  /\ fell' = fell \cup {s}
  /\ net' = net \cup {Item(v, s, {Tag({s.iss, v}, s)}) : v \in s.ver \ {s.iss, Primary}}
  /\ UNCHANGED <<pub, fpub, acc>>

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, fell, net, acc>>

Seen == UNION {m.tags : m \in net}

(* Tags faulty node b can put in a vector: those it has seen, and those    *)
(* under a key it holds, over any statement (claiming any issuer); over a  *)
(* statement of its own, once it has issued it.                            *)
AdvTags(b) == Seen \cup {t \in Tags : b \in t.key /\ (t.stmt.iss = b => t.stmt \in fpub)}

(* Every vector of at most three such tags.                                *)
AdvVectors(b) == LET T == AdvTags(b) IN {{x, y, z} : x \in T, y \in T, z \in T}

(* Opening at v: v's tag under the key it shares with the issuer (the      *)
(* negative control: or under the key it shares with the primary).         *)
Check(v, s, tags) ==
  /\ v \in s.ver /\ s.aud = {} /\ s.iss # v
  /\ \/ Tag({s.iss, v}, s) \in tags
     \/ RelayCheck = "issuer-or-primary" /\ v # Primary /\ Tag({Primary, v}, s) \in tags

(* A correct receiver accepts; the primary relays the item unchanged to    *)
(* the others, once, when it learns the statement, before acting on it.    *)
Learn(v, s, tags) ==
  /\ acc' = [acc EXCEPT ![v] = @ \cup {s}]
  /\ net' = IF v = Primary
              THEN net \cup {Item(w, s, tags) : w \in s.ver \ {s.iss, Primary}}
              ELSE net

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Check(v, m.stmt, m.tags) /\ m.stmt \notin acc[v]
  /\ Learn(v, m.stmt, m.tags)
  /\ UNCHANGED <<pub, fpub, fell>>

(* A faulty node sends v a vector it can make. What the primary relays is *)
(* the whole vector, so every vector that passes is a successor of its     *)
(* own.                                                                    *)
AdvReceive(v, b, s, tags) ==
  /\ v \in Correct /\ b \in Faulty /\ s \notin acc[v]
  /\ Check(v, s, tags)
  /\ Learn(v, s, tags)
  /\ UNCHANGED <<pub, fpub, fell>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E s \in Stmts : Fallback(s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E v \in Correct, b \in Faulty, s \in Stmts : \E tags \in AdvVectors(b) : AdvReceive(v, b, s, tags)

(* The escalation timer fires or progress comes; the link delivers.        *)
Fairness ==
  /\ WF_ivars(\E s \in Stmts : Fallback(s))
  /\ WF_ivars(\E v \in Correct, m \in net : Receive(v, m))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound
=============================================================================
