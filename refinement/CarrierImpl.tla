---------------------------- MODULE CarrierImpl ----------------------------
(***************************************************************************)
(* Certificates on the wire (issue 25, docs/wire.md "Carried statements"): *)
(* a carrier travels with the authenticators of what it carries, and a    *)
(* receiver learns the carrier and every carried statement at once, or     *)
(* nothing. P1 votes (signed, auditable by everyone) to P2, a collector    *)
(* that may be faulty; P2's certificate carries votes to P3 under their    *)
(* pairwise MAC (a carrier's own authenticator can be a MAC: only its      *)
(* verifier checks it). P3 checks each carried vote's own authenticator:   *)
(* its issuer's signature over exactly that vote, unless P3 knows the vote *)
(* already (not checked again).                                            *)
(*                                                                         *)
(* ReceiverCheck "mac-ok" is the negative control (NegCarrierHmac.cfg): it *)
(* also accepts a carried vote under a MAC of its issuer's, which the      *)
(* faulty collector can make for a vote P1 never cast (it shares a key     *)
(* with P1): the refinement must fail.                                     *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records, ReceiverCheck

Principals == {P1, P2, P3}
Correct == Principals \ Faulty

Votes == {[iss |-> P1, ver |-> {P2}, aud |-> Principals, rec |-> r] : r \in Records}
Certs == {[iss |-> P2, ver |-> {P3}, aud |-> {}, rec |-> "cert", car |-> S] : S \in {S \in SUBSET Votes : Cardinality(S) = 1}}
Stmts == Votes \cup Certs

Keys == {{x, y} : x \in Principals, y \in Principals} \ {{x} : x \in Principals}
Sig(i, s) == [kind |-> "sig", key |-> {i}, stmt |-> s]
Tag(K, s) == [kind |-> "mac", key |-> K, stmt |-> s]
Auths == {Sig(i, s) : i \in Principals, s \in Stmts} \cup {Tag(K, s) : K \in Keys, s \in Stmts}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  net,    \* items correct nodes sent: [to, stmt, auth, carried] (carried: the carried votes' authenticators)
  acc,    \* acc[n]: the statements correct node n accepted
  sigs    \* the vote authenticators correct nodes hold (what a correct collector carries on)

ivars == <<pub, fpub, net, acc, sigs>>

Carried(s) == IF "car" \in DOMAIN s THEN s.car ELSE {}

Init == pub = {} /\ fpub = {} /\ net = {} /\ acc = [n \in Correct |-> {}] /\ sigs = {}

(* P1 casts a vote: signed, to P2.                                          *)
Cast(s) ==
  /\ P1 \in Correct /\ s \in Votes /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup {[to |-> P2, stmt |-> s, auth |-> Sig(P1, s), carried |-> {}]}
  /\ UNCHANGED <<fpub, acc, sigs>>

ReceiveVote(m) ==
  /\ P2 \in Correct /\ m \in net /\ m.to = P2 /\ m.stmt \in Votes /\ m.auth = Sig(m.stmt.iss, m.stmt) /\ m.stmt \notin acc[P2]
  /\ acc' = [acc EXCEPT ![P2] = @ \cup {m.stmt}]
  /\ sigs' = sigs \cup {m.auth}
  /\ UNCHANGED <<pub, fpub, net>>

(* A correct collector certifies a vote it knows, carrying its signature.   *)
Certify(c) ==
  /\ P2 \in Correct /\ c \in Certs /\ c \notin pub /\ Carried(c) \subseteq acc[P2]
  /\ pub' = pub \cup {c}
  /\ net' = net \cup {[to |-> P3, stmt |-> c, auth |-> Tag({P2, P3}, c), carried |-> {Sig(v.iss, v) : v \in Carried(c)}]}
  /\ UNCHANGED <<fpub, acc, sigs>>

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, acc, sigs>>

(* P3's check of one carried vote's authenticator.                         *)
CarriedOk(v, as) ==
  \/ v \in acc[P3]
  \/ \E a \in as : a.stmt = v /\ (a = Sig(v.iss, v) \/ (ReceiverCheck = "mac-ok" /\ a.kind = "mac" /\ v.iss \in a.key))

(* P3 opens a certificate: its own MAC, then every carried vote.           *)
Open(c, a, as) ==
  /\ P3 \in Correct /\ c \in Certs /\ c \notin acc[P3]
  /\ a = Tag({c.iss, P3}, c)
  /\ \A v \in Carried(c) : CarriedOk(v, as)
  /\ acc' = [acc EXCEPT ![P3] = @ \cup {c} \cup Carried(c)]

ReceiveCert(m) ==
  /\ m \in net /\ m.to = P3 /\ m.stmt \in Certs
  /\ Open(m.stmt, m.auth, m.carried)
  /\ UNCHANGED <<pub, fpub, net, sigs>>

(* What the adversary has seen, and can make with its keys.                *)
Seen == {m.auth : m \in net} \cup UNION {m.carried : m \in net}
AdvAuths(b) == Seen \cup {a \in Auths : b \in a.key /\ (a.stmt.iss = b => a.stmt \in fpub)}

(* A faulty collector sends P3 any certificate it issued, with any         *)
(* authenticators it can send for what it carries.                         *)
AdvCert(b, c, a, x) ==
  /\ b \in Faulty /\ c \in fpub /\ c.iss = b /\ a \in AdvAuths(b) /\ x \in AdvAuths(b)
  /\ Open(c, a, {x})
  /\ UNCHANGED <<pub, fpub, net, sigs>>

Next ==
  \/ \E s \in Votes : Cast(s)
  \/ \E m \in net : ReceiveVote(m) \/ ReceiveCert(m)
  \/ \E c \in Certs : Certify(c)
  \/ \E b \in Principals, s \in Stmts : FaultyPublish(b, s)
  \/ \E b \in Faulty : \E c \in Certs, a, x \in AdvAuths(b) : AdvCert(b, c, a, x)

Fairness == WF_ivars(\E m \in net : ReceiveVote(m) \/ ReceiveCert(m))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ acc \in [Correct -> SUBSET Stmts]

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
=============================================================================
