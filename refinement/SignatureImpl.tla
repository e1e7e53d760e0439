---------------------------- MODULE SignatureImpl ----------------------------
(***************************************************************************)
(* Signatures (ED25519, RSA): the issuer signs the statement's bytes;     *)
(* anyone with the public key checks it, so any auditor set, `*` included, *)
(* and a signed statement can be passed on by anyone (relayed, shown to an *)
(* auditor) and still checks.                                              *)
(*                                                                         *)
(* Authenticators are symbolic: Sig(i, s), which only i can make           *)
(* (unforgeability is assumed, not proven), and, since a deployment that   *)
(* signs may also MAC between pairs, Tag(K, s) under a pairwise key K,     *)
(* which only the two ends of K can make. A correct node keeps the         *)
(* authenticator it accepted a statement with (held): that is what it can  *)
(* show an auditor, and what NonRepudiation is about.                      *)
(*                                                                         *)
(* The adversary is complete within the model's bounds: a faulty node     *)
(* sends any correct node, for every statement of Stmts, every             *)
(* authenticator it has seen (on the network, or shown) or can make with   *)
(* its keys (its signature, its pairwise MAC keys), over any statement.    *)
(*                                                                         *)
(* ReceiverCheck makes the negative controls: "unbound" checks that the   *)
(* signer is the issuer but not that the signed statement is the one       *)
(* delivered (NegSigUnbound.cfg: the refinement must fail); "sig-or-mac"   *)
(* also accepts the issuer's MAC, a downgrade the wire refuses             *)
(* (wrong-mechanism): the statement is authentic, but what the node holds  *)
(* convinces no auditor (NegSigOrMac.cfg: NonRepudiation must fail).       *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records, ReceiverCheck

Principals == {P1, P2, P3}
Correct == Principals \ Faulty
Succ(i) == CASE i = P1 -> P2 [] i = P2 -> P3 [] i = P3 -> P1

(* Each principal's statements go to the next one and are auditable by     *)
(* every other principal (`*` but the issuer, who has no use for it): the *)
(* third principal can only learn one by being shown it, which is what    *)
(* non-repudiation is about.                                               *)
Stmts == {[iss |-> i, ver |-> {Succ(i)}, aud |-> Principals \ {i}, rec |-> r] : i \in Principals, r \in Records}

Keys == {{x, y} : x \in Principals, y \in Principals} \ {{x} : x \in Principals}
Sig(i, s) == [kind |-> "sig", key |-> {i}, stmt |-> s]
Tag(K, s) == [kind |-> "mac", key |-> K, stmt |-> s]
Auths == {Sig(i, s) : i \in Principals, s \in Stmts} \cup {Tag(K, s) : K \in Keys, s \in Stmts}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  net,    \* items correct nodes sent: [to, stmt, auth]
  held    \* held[n]: what correct node n accepted (as verifier or auditor), with the authenticator: [stmt, auth]

ivars == <<pub, fpub, net, held>>

Acc(n) == {h.stmt : h \in held[n]}

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ net \subseteq [to : Principals, stmt : Stmts, auth : Auths]
  /\ held \in [Correct -> SUBSET [stmt : Stmts, auth : Auths]]

Init == pub = {} /\ fpub = {} /\ net = {} /\ held = [n \in Correct |-> {}]

Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup {[to |-> v, stmt |-> s, auth |-> Sig(n, s)] : v \in s.ver \ {n}}
  /\ held' = IF n \in s.ver THEN [held EXCEPT ![n] = @ \cup {[stmt |-> s, auth |-> Sig(n, s)]}] ELSE held
  /\ UNCHANGED fpub

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, held>>

(* What a correct node can show: what it accepted, and what it signed.     *)
Evidence(n) == held[n] \cup {[stmt |-> s, auth |-> Sig(n, s)] : s \in {x \in pub : x.iss = n}}

(* Every authenticator that has crossed the network: items, and evidence   *)
(* shown to an auditor.                                                    *)
Seen == {m.auth : m \in net} \cup UNION {{h.auth : h \in Evidence(n)} : n \in Correct}

(* Authenticators faulty node b can send: those it has seen, and those its *)
(* keys make, over any statement (claiming any issuer); over a statement   *)
(* of its own, once it has issued it.                                      *)
AdvAuths(b) == Seen \cup {a \in Auths : b \in a.key /\ (a.stmt.iss = b => a.stmt \in fpub)}

(* Opening at x, as verifier or as auditor: the authenticator is the       *)
(* issuer's signature over exactly this statement (or, in the negative     *)
(* controls, a weaker check).                                              *)
Check(x, s, a) ==
  /\ x \in s.ver \/ x \in s.aud
  /\ s.iss # x
  /\ CASE ReceiverCheck = "sig" -> a = Sig(s.iss, s)
       [] ReceiverCheck = "unbound" -> a.kind = "sig" /\ a.key = {s.iss}
       [] ReceiverCheck = "sig-or-mac" -> a = Sig(s.iss, s) \/ a = Tag({s.iss, x}, s)

Accept(x, s, a) == held' = [held EXCEPT ![x] = @ \cup {[stmt |-> s, auth |-> a]}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Check(v, m.stmt, m.auth) /\ m.stmt \notin Acc(v)
  /\ Accept(v, m.stmt, m.auth)
  /\ UNCHANGED <<pub, fpub, net>>

(* Audit on the wire: a correct holder shows a statement with the          *)
(* authenticator it holds to one of its auditors, who checks it.           *)
Show(n, x, h) ==
  /\ n \in Correct /\ x \in Correct /\ h \in Evidence(n) /\ x \in h.stmt.aud /\ h.stmt \notin Acc(x)
  /\ Check(x, h.stmt, h.auth)
  /\ Accept(x, h.stmt, h.auth)
  /\ UNCHANGED <<pub, fpub, net>>

(* A faulty node sends x, as verifier or as auditor, s with an             *)
(* authenticator it can send.                                              *)
AdvReceive(x, b, s, a) ==
  /\ x \in Correct /\ b \in Faulty /\ s \notin Acc(x)
  /\ Check(x, s, a)
  /\ Accept(x, s, a)
  /\ UNCHANGED <<pub, fpub, net>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E n, x \in Correct : \E h \in Evidence(n) : Show(n, x, h)
  \/ \E x \in Correct, b \in Faulty, s \in Stmts : \E a \in AdvAuths(b) : AdvReceive(x, b, s, a)

Fairness == WF_ivars(\E v \in Correct, m \in net : Receive(v, m))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN Acc(n) ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound

(* Non-repudiation: whatever a correct node accepted, the authenticator it *)
(* holds convinces every other correct auditor, by the auditor's own       *)
(* check; so the abstract Audit step is always possible on the wire too    *)
(* (the converse of the refinement, for Audit).                            *)
NonRepudiation ==
  \A n \in Correct : \A h \in held[n] : \A x \in (h.stmt.aud \cap Correct) \ {n} :
    Check(x, h.stmt, h.auth)
=============================================================================
