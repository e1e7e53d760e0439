-------------------------- MODULE NegRelayPlaintext --------------------------
(***************************************************************************)
(* NEGATIVE CONTROL: relaying a repudiable statement, which deploy-check   *)
(* refuses (MOM617: OPTIMISTIC(PRIMARY) over PLAINTEXT). The client's      *)
(* statement is authenticated only by its channel to the primary; the     *)
(* primary relays it over its own channel to the other replicas, which     *)
(* must then take the relay's word for who issued it (the channel vouches  *)
(* for the relay, not for the issuer). A Byzantine primary makes a replica *)
(* believe a request the client never made: the refinement fails.         *)
(*                                                                         *)
(* Channels as in PlaintextImpl: the receiver learns the true link sender. *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS C, Primary, R1, Faulty, Records

Principals == {C, Primary, R1}
Correct == Principals \ Faulty

Stmts == {[iss |-> C, ver |-> {Primary, R1}, aud |-> {}, rec |-> r] : r \in Records}

Frame(f, t, s) == [from |-> f, to |-> t, stmt |-> s]

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue
  net,    \* frames correct nodes sent
  acc     \* acc[n]: statements correct node n accepted

ivars == <<pub, fpub, net, acc>>

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ net \subseteq [from : Principals, to : Principals, stmt : Stmts]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ net = {} /\ acc = [n \in Correct |-> {}]

(* The optimistic step: to the primary only, to be relayed.                *)
Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup {Frame(n, Primary, s)}
  /\ UNCHANGED <<fpub, acc>>

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, acc>>

(* What relaying PLAINTEXT would need a replica to accept: a frame from    *)
(* the issuer, or from the relay the rule names.                           *)
Check(v, f) ==
  /\ v \in f.stmt.ver /\ f.stmt.aud = {}
  /\ f.from = f.stmt.iss \/ f.from = Primary

Receive(v, f) ==
  /\ v \in Correct /\ f \in net /\ f.to = v /\ Check(v, f) /\ f.stmt \notin acc[v]
  /\ acc' = [acc EXCEPT ![v] = @ \cup {f.stmt}]
  /\ net' = IF v = Primary THEN net \cup {Frame(Primary, w, f.stmt) : w \in f.stmt.ver \ {Primary}} ELSE net
  /\ UNCHANGED <<pub, fpub>>

AdvReceive(v, b, s) ==
  /\ v \in Correct /\ b \in Faulty /\ (s.iss = b => s \in fpub)
  /\ Check(v, Frame(b, v, s)) /\ s \notin acc[v]
  /\ acc' = [acc EXCEPT ![v] = @ \cup {s}]
  /\ UNCHANGED <<pub, fpub, net>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E v \in Correct, f \in net : Receive(v, f)
  \/ \E v \in Correct, b \in Faulty, s \in Stmts : AdvReceive(v, b, s)

ImplSpec == Init /\ [][Next]_ivars

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
=============================================================================
