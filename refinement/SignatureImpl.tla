---------------------------- MODULE SignatureImpl ----------------------------
(***************************************************************************)
(* Signatures (ED25519, RSA): the issuer signs the statement's bytes;     *)
(* anyone with the public key checks it, so any auditor set, `*` included, *)
(* and a signed statement can be passed on by anyone (relayed, shown to an *)
(* auditor) and still checks.                                              *)
(*                                                                         *)
(* Signatures are symbolic, Sig(i, s): only i can make one (unforgeability *)
(* is assumed, not proven). The network is open: a faulty node sees every  *)
(* signature sent and may send any of them, or any it can make, to anyone. *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records

Principals == {P1, P2, P3}
Correct == Principals \ Faulty
Succ(i) == CASE i = P1 -> P2 [] i = P2 -> P3 [] i = P3 -> P1

(* Each principal's statements go to the next one and are auditable by     *)
(* every other principal (`*` but the issuer, who has no use for it): the *)
(* third principal can only learn one by being shown it, which is what    *)
(* non-repudiation is about.                                               *)
Stmts == {[iss |-> i, ver |-> {Succ(i)}, aud |-> Principals \ {i}, rec |-> r] : i \in Principals, r \in Records}

Sig(i, s) == [signer |-> i, stmt |-> s]

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  net,    \* items correct nodes sent: [to, stmt, sig]
  acc     \* acc[n]: statements correct node n accepted (as verifier or auditor)

ivars == <<pub, fpub, net, acc>>

Item(t, s, g) == [to |-> t, stmt |-> s, sig |-> g]

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ net \subseteq [to : Principals, stmt : Stmts, sig : [signer : Principals, stmt : Stmts]]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ net = {} /\ acc = [n \in Correct |-> {}]

Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup {Item(v, s, Sig(n, s)) : v \in s.ver \ {n}}
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED fpub

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, acc>>

Seen == {m.sig : m \in net}

(* Signatures faulty node b can send: any it has seen, and its own over   *)
(* any statement (claiming any issuer); over a statement of its own, once  *)
(* it has issued it.                                                       *)
AdvCanSig(b, g) == g \in Seen \/ (g.signer = b /\ (g.stmt.iss = b => g.stmt \in fpub))

(* Opening at v, as verifier or as auditor: the signature is the issuer's *)
(* over exactly this statement.                                            *)
Check(v, s, g) == (v \in s.ver \/ v \in s.aud) /\ g.signer = s.iss /\ g.stmt = s

Accept(v, s) == acc' = [acc EXCEPT ![v] = @ \cup {s}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Check(v, m.stmt, m.sig) /\ m.stmt \notin acc[v]
  /\ Accept(v, m.stmt)
  /\ UNCHANGED <<pub, fpub, net>>

(* What a correct node holds: the signed statements it accepted or issued. *)
HeldSig(n, s) == Sig(s.iss, s)
Holds(n, s) == s \in acc[n] \/ (s \in pub /\ s.iss = n)

(* Audit on the wire: a correct holder shows the signed statement to one   *)
(* of its auditors, who checks it like any other.                          *)
Show(n, a, s) ==
  /\ n \in Correct /\ a \in Correct /\ Holds(n, s) /\ a \in s.aud /\ s \notin acc[a]
  /\ Check(a, s, HeldSig(n, s))
  /\ Accept(a, s)
  /\ UNCHANGED <<pub, fpub, net>>

AdvReceive(v, b, g) ==
  /\ v \in Correct /\ b \in Faulty /\ g.stmt \notin acc[v]
  /\ AdvCanSig(b, g) /\ Check(v, g.stmt, g)
  /\ Accept(v, g.stmt)
  /\ UNCHANGED <<pub, fpub, net>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E n, a \in Correct, s \in Stmts : Show(n, a, s)
  \/ \E v \in Correct, b \in Faulty, i \in Principals, s \in Stmts : AdvReceive(v, b, Sig(i, s))

Fairness == WF_ivars(\E v \in Correct, m \in net : Receive(v, m))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound

(* Non-repudiation: whatever a correct node holds, the signature it holds  *)
(* convinces every correct auditor, so the abstract Audit step is always   *)
(* possible on the wire too (the converse of the refinement for Audit).    *)
NonRepudiation ==
  \A n \in Correct : \A s \in Stmts :
    Holds(n, s) => \A a \in s.aud \cap Correct : Check(a, s, HeldSig(n, s))
=============================================================================
