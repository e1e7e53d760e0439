----------------------------- MODULE QuorumImpl -----------------------------
(***************************************************************************)
(* OPTIMISTIC(QUORUM) with escalation (docs/optimizations.md):            *)
(*   C -> R [Request] : OPTIMISTIC(QUORUM) 200ms;                          *)
(* The client sends its statement to just enough verifiers for progress   *)
(* (QuorumSize of them, the first in the program's order), each with its  *)
(* own HMAC tag. If progress has not come when the escalation timeout      *)
(* runs out, the rest get it directly; if it has, they get it lazily       *)
(* (1 s later). Progress stops the escalation, never the delivery.         *)
(*                                                                         *)
(* The faulty node is a member of the optimistic quorum: it may stay       *)
(* silent, or help progress come (acknowledge, reply), and it holds the    *)
(* keys it shares with everyone. LazyFallback = FALSE is a negative        *)
(* control: progress then withholds the statement from the rest, and the   *)
(* liveness claim fails (NegQuorumNoLazy.cfg).                             *)
(*                                                                         *)
(* The adversary is complete within the model's bounds, as in HmacImpl: it *)
(* sends any correct node, for every statement, every vector of at most    *)
(* three tags (one per verifier) it has seen or can make with its keys.    *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS C, R1, R2, R3, Faulty, Records, LazyFallback

Principals == {C, R1, R2, R3}
Correct == Principals \ Faulty
Replicas == {R1, R2, R3}
QuorumSize == 2
(* The optimistic quorum: the first QuorumSize verifiers in order.          *)
Quorum == {R1, R2}

Stmts == {[iss |-> C, ver |-> Replicas, aud |-> {}, rec |-> r] : r \in Records}

Keys == {{x, y} : x \in Principals, y \in Principals} \ {{x} : x \in Principals}
Tag(K, s) == [key |-> K, stmt |-> s]
Tags == {Tag(K, s) : K \in Keys, s \in Stmts}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  prog,   \* statements whose progress has come at the issuer
  rest,   \* statements sent to the rest of the verifiers (escalation or lazy fallback)
  net,    \* items correct nodes sent: [to, stmt, tags]
  acc     \* acc[n]: statements correct node n accepted

ivars == <<pub, fpub, prog, rest, net, acc>>

Item(t, s, tags) == [to |-> t, stmt |-> s, tags |-> tags]
Direct(s, V) == {Item(v, s, {Tag({s.iss, v}, s)}) : v \in V \ {s.iss}}

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts /\ prog \subseteq Stmts /\ rest \subseteq Stmts
  /\ net \subseteq [to : Principals, stmt : Stmts, tags : SUBSET Tags]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ prog = {} /\ rest = {} /\ net = {} /\ acc = [n \in Correct |-> {}]

Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup Direct(s, s.ver \cap Quorum)
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED <<fpub, prog, rest>>

(* Progress comes at the issuer (its PROGRESS pattern, or its next         *)
(* transition): when and whether is not up to the issuer, and the faulty   *)
(* member can bring it about, so it may come at any time.                   *)
Progress(s) ==
  /\ s \in pub /\ s \notin prog
  /\ prog' = prog \cup {s}
  /\ UNCHANGED <<pub, fpub, rest, net, acc>>

(* The escalation timer runs out without progress: the rest, directly.     *)
Escalate(s) ==
  /\ s \in pub /\ s \notin rest /\ s \notin prog
  /\ rest' = rest \cup {s}
  /\ net' = net \cup Direct(s, s.ver \ Quorum)
  /\ UNCHANGED <<pub, fpub, prog, acc>>

(* After progress: the rest lazily.                                         *)
Lazy(s) ==
  /\ LazyFallback
  /\ s \in pub /\ s \notin rest /\ s \in prog
  /\ rest' = rest \cup {s}
  /\ net' = net \cup Direct(s, s.ver \ Quorum)
  /\ UNCHANGED <<pub, fpub, prog, acc>>

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, prog, rest, net, acc>>

Seen == UNION {m.tags : m \in net}

(* Tags faulty node b can put in a vector: those it has seen, and those    *)
(* under a key it holds, over any statement (claiming any issuer); over a  *)
(* statement of its own, once it has issued it.                            *)
AdvTags(b) == Seen \cup {t \in Tags : b \in t.key /\ (t.stmt.iss = b => t.stmt \in fpub)}

(* Every vector of at most three such tags.                                *)
AdvVectors(b) == LET T == AdvTags(b) IN {{x, y, z} : x \in T, y \in T, z \in T}

Check(v, s, tags) ==
  /\ v \in s.ver /\ s.aud = {} /\ s.iss # v
  /\ Tag({s.iss, v}, s) \in tags

Accept(v, s) == acc' = [acc EXCEPT ![v] = @ \cup {s}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Check(v, m.stmt, m.tags) /\ m.stmt \notin acc[v]
  /\ Accept(v, m.stmt)
  /\ UNCHANGED <<pub, fpub, prog, rest, net>>

AdvReceive(v, b, s) ==
  /\ v \in Correct /\ b \in Faulty /\ s \notin acc[v]
  /\ (\E tags \in AdvVectors(b) : Check(v, s, tags)) = TRUE
  /\ Accept(v, s)
  /\ UNCHANGED <<pub, fpub, prog, rest, net>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E s \in Stmts : Progress(s) \/ Escalate(s) \/ Lazy(s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E v \in Correct, b \in Faulty, s \in Stmts : AdvReceive(v, b, s)

(* Timers fire (the escalation timer, the lazy timer); the link delivers.  *)
(* Progress itself is not fair: it may never come.                          *)
Fairness ==
  /\ WF_ivars(\E s \in Stmts : Escalate(s) \/ Lazy(s))
  /\ WF_ivars(\E v \in Correct, m \in net : Receive(v, m))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound
=============================================================================
