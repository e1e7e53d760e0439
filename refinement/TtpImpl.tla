------------------------------- MODULE TtpImpl -------------------------------
(***************************************************************************)
(* TTP(t): a trusted third party countersigns statements for its clients   *)
(* (docs/deploy.md, docs/wire.md "Asking a TTP"). The issuer asks t over   *)
(* their authenticated channel; t countersigns only a statement whose      *)
(* issuer is the authenticated requester and whose issuer and auditors are *)
(* its clients (and some verifier); the countersigned statement then       *)
(* travels, and can be shown to auditors, like a signature. Auditors are   *)
(* clients of t, never `*`.                                                *)
(*                                                                         *)
(* t is correct by assumption (as at run time); its countersignature is    *)
(* symbolic and unforgeable (assumed). A faulty principal may ask t to     *)
(* countersign any statement at all, claiming any issuer; it sees every    *)
(* countersigned statement on the network and may send it to anyone.      *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, T, Faulty, Records

Principals == {P1, P2, P3}
Correct == Principals \ Faulty
Clients == Principals     \* the principals with an [Authentication] entry with T
Succ(i) == CASE i = P1 -> P2 [] i = P2 -> P3 [] i = P3 -> P1

(* Each statement goes to the next principal and is auditable by the       *)
(* third (a client of T).                                                  *)
Stmts == {[iss |-> i, ver |-> {Succ(i)}, aud |-> {Succ(Succ(i))}, rec |-> r] : i \in Principals, r \in Records}

VARIABLES
  pub,    \* statements correct nodes published
  reqs,   \* countersign requests of correct issuers not yet answered (over their channel with T)
  cs,     \* statements T countersigned
  net,    \* countersigned items correct issuers sent: [to, stmt]
  acc     \* acc[n]: statements correct node n accepted (as verifier or auditor)

ivars == <<pub, reqs, cs, net, acc>>

TypeOK ==
  /\ pub \subseteq Stmts /\ reqs \subseteq Stmts /\ cs \subseteq Stmts
  /\ net \subseteq [to : Principals, stmt : Stmts]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ reqs = {} /\ cs = {} /\ net = {} /\ acc = [n \in Correct |-> {}]

(* What T checks (Countersigner.countersign): the authenticated requester  *)
(* is the issuer, and the deployment routes the statement through T.       *)
TtpAccepts(requester, s) ==
  /\ requester = s.iss
  /\ s.iss \in Clients /\ s.aud \subseteq Clients /\ s.ver \cap Clients # {}

(* A correct issuer publishes and asks T (the statement waits in its       *)
(* outbox for the countersignature).                                       *)
Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ reqs' = reqs \cup {s}
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED <<cs, net>>

(* T answers a correct issuer's request; the issuer sends the              *)
(* countersigned statement to its verifiers.                               *)
Countersign(s) ==
  /\ s \in reqs /\ TtpAccepts(s.iss, s)
  /\ reqs' = reqs \ {s}
  /\ cs' = cs \cup {s}
  /\ net' = net \cup {[to |-> v, stmt |-> s] : v \in s.ver \ {s.iss}}
  /\ UNCHANGED <<pub, acc>>

(* A faulty principal asks T over its own channel (so T knows it is b) to  *)
(* countersign any statement; T answers only what it accepts.              *)
FaultyAsk(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s \notin cs
  /\ TtpAccepts(b, s)
  /\ cs' = cs \cup {s}
  /\ UNCHANGED <<pub, reqs, net, acc>>

(* Opening at v: a verifier or an auditor, a client of T (it has T's key   *)
(* and trusts it), and T's countersignature over exactly this statement.   *)
Check(v, s) == (v \in s.ver \/ v \in s.aud) /\ v \in Clients /\ s \in cs

Accept(v, s) == acc' = [acc EXCEPT ![v] = @ \cup {s}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Check(v, m.stmt) /\ m.stmt \notin acc[v]
  /\ Accept(v, m.stmt)
  /\ UNCHANGED <<pub, reqs, cs, net>>

Holds(n, s) == s \in acc[n] \/ (s \in cs /\ s.iss = n)

(* A correct holder shows the countersigned statement to an auditor.       *)
Show(n, a, s) ==
  /\ n \in Correct /\ a \in Correct /\ Holds(n, s) /\ a \in s.aud /\ s \notin acc[a]
  /\ Check(a, s)
  /\ Accept(a, s)
  /\ UNCHANGED <<pub, reqs, cs, net>>

(* A faulty node sends v a statement with a countersignature: every one   *)
(* that exists is on the network, and it can make none.                    *)
AdvReceive(v, s) ==
  /\ v \in Correct /\ Faulty # {} /\ s \notin acc[v]
  /\ Check(v, s)
  /\ Accept(v, s)
  /\ UNCHANGED <<pub, reqs, cs, net>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyAsk(n, s)
  \/ \E s \in reqs : Countersign(s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E n, a \in Correct, s \in Stmts : Show(n, a, s)
  \/ \E v \in Correct, s \in Stmts : AdvReceive(v, s)

(* T answers every request (asked again with backoff until answered); the  *)
(* link delivers what is sent.                                             *)
Fairness ==
  /\ WF_ivars(\E s \in reqs : Countersign(s))
  /\ WF_ivars(\E v \in Correct, m \in net : Receive(v, m))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

(* A faulty issuer's statement enters the pool when T countersigns it.     *)
Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup {s \in cs : s.iss \in Faulty},
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound

(* Non-repudiation: what a correct node accepted convinces every correct   *)
(* auditor of it.                                                          *)
NonRepudiation ==
  \A n \in Correct : \A s \in acc[n] : \A a \in s.aud \cap Correct : Check(a, s)
=============================================================================
