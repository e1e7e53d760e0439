---------------------------- MODULE PlaintextImpl ----------------------------
(***************************************************************************)
(* PLAINTEXT: statements travel unauthenticated over channels that are    *)
(* already authenticated (a private link, a VPN): the receiver learns the *)
(* true link sender and believes a statement when that sender is its      *)
(* issuer (docs/wire.md, "Opening"). Auditors NOONE only.                  *)
(*                                                                         *)
(* Wire state: `net`, the frames correct nodes sent (never removed: a      *)
(* frame may be received late, or again); a faulty node's frames are not   *)
(* stored, it may send any frame at any time (AdvReceive), but only under  *)
(* its own name, since the channel names the sender.                       *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records

Principals == {P1, P2, P3}
Correct == Principals \ Faulty

Stmts == {[iss |-> i, ver |-> Principals \ {i}, aud |-> {}, rec |-> r] : i \in Principals, r \in Records}

VARIABLES
  pub,    \* statements correct nodes published
  fpub,   \* statements faulty nodes chose to issue (see FaultyPublish)
  net,    \* frames correct nodes sent
  acc     \* acc[n]: statements correct node n accepted

ivars == <<pub, fpub, net, acc>>

Frame(f, t, s) == [from |-> f, to |-> t, stmt |-> s]

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts
  /\ net \subseteq [from : Principals, to : Principals, stmt : Stmts]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ net = {} /\ acc = [n \in Correct |-> {}]

(* A correct node publishes and unicasts to every verifier (the fallback). *)
Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ net' = net \cup {Frame(n, v, s) : v \in s.ver \ {n}}
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED fpub

(* A faulty node decides to issue a statement of its own. Taking this as a *)
(* step of its own loses nothing: it is always enabled, and a frame of b's *)
(* own statement can be sent only after it (AdvCanSend).                   *)
FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, net, acc>>

(* Opening at v: a verifier, PLAINTEXT prescribed (auditors NOONE), and    *)
(* the link sender is the issuer.                                          *)
Check(v, f) == v \in f.stmt.ver /\ f.stmt.aud = {} /\ f.from = f.stmt.iss

(* A faulty node may put any statement on its own channels, claiming any   *)
(* issuer; the channel still names it as the sender.                       *)
AdvCanSend(b, s) == b \in Faulty /\ (s.iss = b => s \in fpub)

Accept(v, s) == acc' = [acc EXCEPT ![v] = @ \cup {s}]

Receive(v, f) ==
  /\ v \in Correct /\ f \in net /\ f.to = v /\ Check(v, f) /\ f.stmt \notin acc[v]
  /\ Accept(v, f.stmt)
  /\ UNCHANGED <<pub, fpub, net>>

AdvReceive(v, b, s) ==
  /\ v \in Correct /\ AdvCanSend(b, s) /\ Check(v, Frame(b, v, s)) /\ s \notin acc[v]
  /\ Accept(v, s)
  /\ UNCHANGED <<pub, fpub, net>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E v \in Correct, f \in net : Receive(v, f)
  \/ \E v \in Correct, b \in Faulty, s \in Stmts : AdvReceive(v, b, s)

(* The link retransmits until acknowledged: a sent frame is received.      *)
Fairness == WF_ivars(\E v \in Correct, f \in net : Receive(v, f))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

(* The refinement mapping.                                                 *)
Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound
=============================================================================
