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
(* t is correct by assumption (as at run time). Authenticators are         *)
(* symbolic: CS(s), t's countersignature over s, which only t makes; and   *)
(* what the principals' own keys make (Sig, Tag as in SignatureImpl). A    *)
(* correct node keeps the authenticator it accepted a statement with.      *)
(*                                                                         *)
(* The adversary is complete within the model's bounds: a faulty principal *)
(* may ask t to countersign any statement at all, claiming any issuer      *)
(* (over its own channel, so t knows it is the requester); it sees every   *)
(* countersignature, and sends any correct node, for every statement, any  *)
(* authenticator it has seen or its keys make, over any statement.         *)
(*                                                                         *)
(* Negative controls: ReceiverCheck = "unbound" checks that the            *)
(* countersignature is t's but not that it is over the delivered statement *)
(* (NegTtpUnbound.cfg); TtpCheck = "any-requester" has t countersign       *)
(* whatever a client asks, whoever the issuer (NegTtpAnyRequester.cfg).    *)
(* The refinement must fail in both.                                       *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, T, Faulty, Records, ReceiverCheck, TtpCheck

Principals == {P1, P2, P3}
Correct == Principals \ Faulty
Clients == Principals     \* the principals with an [Authentication] entry with T
Succ(i) == CASE i = P1 -> P2 [] i = P2 -> P3 [] i = P3 -> P1

(* Each statement goes to the next principal and is auditable by the       *)
(* third (a client of T).                                                  *)
Stmts == {[iss |-> i, ver |-> {Succ(i)}, aud |-> {Succ(Succ(i))}, rec |-> r] : i \in Principals, r \in Records}

Keys == {{x, y} : x \in Principals, y \in Principals} \ {{x} : x \in Principals}
CS(s) == [kind |-> "cs", key |-> {T}, stmt |-> s]
Sig(i, s) == [kind |-> "sig", key |-> {i}, stmt |-> s]
Tag(K, s) == [kind |-> "mac", key |-> K, stmt |-> s]
Own == {Sig(i, s) : i \in Principals, s \in Stmts} \cup {Tag(K, s) : K \in Keys, s \in Stmts}
Auths == {CS(s) : s \in Stmts} \cup Own

VARIABLES
  pub,    \* statements correct nodes published
  reqs,   \* countersign requests of correct issuers not yet answered (over their channel with T)
  cs,     \* statements T countersigned
  net,    \* countersigned items correct issuers sent: [to, stmt, auth]
  held    \* held[n]: what correct node n accepted (as verifier or auditor), with the authenticator: [stmt, auth]

ivars == <<pub, reqs, cs, net, held>>

Acc(n) == {h.stmt : h \in held[n]}

TypeOK ==
  /\ pub \subseteq Stmts /\ reqs \subseteq Stmts /\ cs \subseteq Stmts
  /\ net \subseteq [to : Principals, stmt : Stmts, auth : Auths]
  /\ held \in [Correct -> SUBSET [stmt : Stmts, auth : Auths]]

Init == pub = {} /\ reqs = {} /\ cs = {} /\ net = {} /\ held = [n \in Correct |-> {}]

(* What T checks (Countersigner.countersign): the authenticated requester  *)
(* is the issuer (the negative control: any client), and the deployment    *)
(* routes the statement through T.                                         *)
TtpAccepts(requester, s) ==
  /\ TtpCheck = "issuer" => requester = s.iss
  /\ requester \in Clients
  /\ s.iss \in Clients /\ s.aud \subseteq Clients /\ s.ver \cap Clients # {}

(* A correct issuer publishes and asks T (the statement waits in its       *)
(* outbox for the countersignature).                                       *)
Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ reqs' = reqs \cup {s}
  /\ held' = IF n \in s.ver THEN [held EXCEPT ![n] = @ \cup {[stmt |-> s, auth |-> CS(s)]}] ELSE held
  /\ UNCHANGED <<cs, net>>

(* T answers a correct issuer's request; the issuer sends the              *)
(* countersigned statement to its verifiers.                               *)
Countersign(s) ==
  /\ s \in reqs /\ TtpAccepts(s.iss, s)
  /\ reqs' = reqs \ {s}
  /\ cs' = cs \cup {s}
  /\ net' = net \cup {[to |-> v, stmt |-> s, auth |-> CS(s)] : v \in s.ver \ {s.iss}}
  /\ UNCHANGED <<pub, held>>

(* A faulty principal asks T over its own channel (so T knows it is b) to  *)
(* countersign any statement; T answers only what it accepts.              *)
FaultyAsk(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s \notin cs
  /\ TtpAccepts(b, s)
  /\ cs' = cs \cup {s}
  /\ UNCHANGED <<pub, reqs, net, held>>

(* Opening at x, a verifier or an auditor and a client of T (it has T's    *)
(* key and trusts it): T's countersignature over exactly this statement.   *)
Check(x, s, a) ==
  /\ x \in s.ver \/ x \in s.aud
  /\ x \in Clients /\ s.iss # x
  /\ IF ReceiverCheck = "cs" THEN a = CS(s) ELSE a.kind = "cs" /\ a.key = {T}

Accept(x, s, a) == held' = [held EXCEPT ![x] = @ \cup {[stmt |-> s, auth |-> a]}]

Receive(v, m) ==
  /\ v \in Correct /\ m \in net /\ m.to = v /\ Check(v, m.stmt, m.auth) /\ m.stmt \notin Acc(v)
  /\ Accept(v, m.stmt, m.auth)
  /\ UNCHANGED <<pub, reqs, cs, net>>

(* What a correct node can show: what it accepted, and its own statements  *)
(* once countersigned.                                                     *)
Evidence(n) == held[n] \cup {[stmt |-> s, auth |-> CS(s)] : s \in {x \in cs : x.iss = n /\ x \in pub}}

(* A correct holder shows a statement, with what it holds, to an auditor.  *)
Show(n, x, h) ==
  /\ n \in Correct /\ x \in Correct /\ h \in Evidence(n) /\ x \in h.stmt.aud /\ h.stmt \notin Acc(x)
  /\ Check(x, h.stmt, h.auth)
  /\ Accept(x, h.stmt, h.auth)
  /\ UNCHANGED <<pub, reqs, cs, net>>

(* Authenticators faulty node b can send: every countersignature (items,   *)
(* answers to its own requests, evidence shown), and those its own keys    *)
(* make, over any statement.                                               *)
AdvAuths(b) == {CS(s) : s \in cs} \cup {a \in Own : b \in a.key}

AdvReceive(x, b, s, a) ==
  /\ x \in Correct /\ b \in Faulty /\ s \notin Acc(x)
  /\ Check(x, s, a)
  /\ Accept(x, s, a)
  /\ UNCHANGED <<pub, reqs, cs, net>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyAsk(n, s)
  \/ \E s \in reqs : Countersign(s)
  \/ \E v \in Correct, m \in net : Receive(v, m)
  \/ \E n, x \in Correct : \E h \in Evidence(n) : Show(n, x, h)
  \/ \E x \in Correct, b \in Faulty, s \in Stmts : \E a \in AdvAuths(b) : AdvReceive(x, b, s, a)

(* T answers every request (asked again with backoff until answered); the  *)
(* link delivers what is sent.                                             *)
Fairness ==
  /\ WF_ivars(\E s \in reqs : Countersign(s))
  /\ WF_ivars(\E v \in Correct, m \in net : Receive(v, m))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

(* A faulty issuer's statement enters the pool when T countersigns it.     *)
Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup {s \in cs : s.iss \in Faulty},
         known <- [n \in Principals |-> IF n \in Correct THEN Acc(n) ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound

(* Non-repudiation: what a correct node accepted convinces every other     *)
(* correct auditor, by the auditor's own check of what the node holds.     *)
NonRepudiation ==
  \A n \in Correct : \A h \in held[n] : \A x \in (h.stmt.aud \cap Correct) \ {n} :
    Check(x, h.stmt, h.auth)
=============================================================================
