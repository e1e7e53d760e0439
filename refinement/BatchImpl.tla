------------------------------ MODULE BatchImpl ------------------------------
(***************************************************************************)
(* BATCH with one signature per batch (docs/wire.md, "Batch signatures"):  *)
(* an issuer's statements to the same verifier share a frame and one       *)
(* signature over the list of their digests; each item points at the list *)
(* and the receiver checks, for every item, that the list is signed by the *)
(* item's issuer and that the statement's digest is in it. A statement     *)
(* stays checkable on its own, so it can be shown to an auditor with its   *)
(* list.                                                                   *)
(*                                                                         *)
(* Digests are collision-free by assumption, so a list of digests is       *)
(* modelled as the set of statements it names; signatures are symbolic    *)
(* and unforgeable (assumed). The network is open: a faulty node sees      *)
(* every signed list and may build frames from them with any items, and    *)
(* sign lists of its own naming anything.                                  *)
(*                                                                         *)
(* The adversary is complete within the model's bounds: it sends any      *)
(* correct node, for every statement, a frame of at most two items (the    *)
(* statement, and any other) pointing at any list it has seen or can sign  *)
(* itself, of at most two statements.                                      *)
(*                                                                         *)
(* CheckEveryMember = FALSE is a negative control (NegBatchOneMember.cfg): *)
(* the receiver checks the batch for one member of the frame and takes the *)
(* others on the signer's word; the refinement must fail.                  *)
(***************************************************************************)
EXTENDS FiniteSets

CONSTANTS P1, P2, P3, Faulty, Records, CheckEveryMember

Principals == {P1, P2, P3}
Correct == Principals \ Faulty
Succ(i) == CASE i = P1 -> P2 [] i = P2 -> P3 [] i = P3 -> P1

(* Auditable statements (a batch signature is a signature): to the next   *)
(* principal, auditable by the others.                                     *)
Stmts == {[iss |-> i, ver |-> {Succ(i)}, aud |-> Principals \ {i}, rec |-> r] : i \in Principals, r \in Records}

(* A signed list of digests.                                               *)
Batch(i, L) == [signer |-> i, list |-> L]

VARIABLES
  pub,      \* statements correct nodes published
  fpub,     \* statements faulty nodes chose to issue
  batched,  \* statements a correct issuer has put in a batch
  batches,  \* lists correct issuers signed and sent (with their items, to the verifier)
  acc       \* acc[n]: statements correct node n accepted (as verifier or auditor)

ivars == <<pub, fpub, batched, batches, acc>>

TypeOK ==
  /\ pub \subseteq Stmts /\ fpub \subseteq Stmts /\ batched \subseteq Stmts
  /\ batches \subseteq [signer : Principals, list : SUBSET Stmts]
  /\ acc \in [Correct -> SUBSET Stmts]

Init == pub = {} /\ fpub = {} /\ batched = {} /\ batches = {} /\ acc = [n \in Correct |-> {}]

Publish(n, s) ==
  /\ n \in Correct /\ s \in Stmts /\ s.iss = n /\ s \notin pub
  /\ pub' = pub \cup {s}
  /\ acc' = IF n \in s.ver THEN [acc EXCEPT ![n] = @ \cup {s}] ELSE acc
  /\ UNCHANGED <<fpub, batched, batches>>

(* The count is reached or the window runs out: some of the statements    *)
(* waiting for the same verifier leave as one frame under one signature.   *)
Waiting(n) == {s \in pub : s.iss = n /\ s \notin batched}

Flush(n, L) ==
  /\ n \in Correct /\ L # {} /\ L \subseteq Waiting(n)
  /\ \A s, t \in L : s.ver = t.ver
  /\ batched' = batched \cup L
  /\ batches' = batches \cup {Batch(n, L)}
  /\ UNCHANGED <<pub, fpub, acc>>

FaultyPublish(b, s) ==
  /\ b \in Faulty /\ s \in Stmts /\ s.iss = b /\ s \notin fpub
  /\ fpub' = fpub \cup {s}
  /\ UNCHANGED <<pub, batched, batches, acc>>

(* The check of an item for s pointing at signed list B, in a frame whose  *)
(* other items are `others`: the list is signed by s's issuer and names s. *)
(* The broken receiver checks one member and takes the rest on the         *)
(* signer's word.                                                          *)
ItemOk(s, B) == B.signer = s.iss /\ s \in B.list
Check(v, s, B, others) ==
  /\ v \in s.ver \/ v \in s.aud
  /\ \/ ItemOk(s, B)
     \/ ~CheckEveryMember /\ B.signer = s.iss /\ \E t \in others : ItemOk(t, B)

Accept(v, s) == acc' = [acc EXCEPT ![v] = @ \cup {s}]

(* The frame a correct issuer sent, item by item.                          *)
Receive(v, B, s) ==
  /\ v \in Correct /\ B \in batches /\ s \in B.list /\ s \notin acc[v] /\ v \in s.ver
  /\ Check(v, s, B, B.list)
  /\ Accept(v, s)
  /\ UNCHANGED <<pub, fpub, batched, batches>>

(* Lists faulty node b can put in a frame: any it has seen, and any of at  *)
(* most two statements it signs itself (its own statements once issued).   *)
AdvLists(b) ==
  batches \cup {Batch(b, L) : L \in {L2 \in {{x, y} : x \in Stmts, y \in Stmts} : \A t \in L2 : t.iss = b => t \in fpub}}

(* The other item of a frame of at most two items.                         *)
OtherItems == {{}} \cup {{t} : t \in Stmts}

(* A faulty node sends v a frame: an item for s pointing at a list it can  *)
(* show, next to at most one other item.                                   *)
AdvReceive(v, b, s) ==
  /\ v \in Correct /\ b \in Faulty /\ s \notin acc[v]
  /\ (\E B \in AdvLists(b), o \in OtherItems : Check(v, s, B, o)) = TRUE
  /\ Accept(v, s)
  /\ UNCHANGED <<pub, fpub, batched, batches>>

Holds(n, s) == s \in acc[n] \/ (s \in pub /\ s.iss = n)

(* Audit: a correct holder shows the statement with its signed list.       *)
Show(n, a, s) ==
  /\ n \in Correct /\ a \in Correct /\ Holds(n, s) /\ a \in s.aud /\ s \notin acc[a]
  /\ \E B \in batches : Check(a, s, B, B.list)
  /\ Accept(a, s)
  /\ UNCHANGED <<pub, fpub, batched, batches>>

Next ==
  \/ \E n \in Principals, s \in Stmts : Publish(n, s) \/ FaultyPublish(n, s)
  \/ \E n \in Correct : \E L \in SUBSET Waiting(n) : Flush(n, L)
  \/ \E v \in Correct, B \in batches, s \in Stmts : Receive(v, B, s)
  \/ \E v \in Correct, b \in Faulty, s \in Stmts : AdvReceive(v, b, s)
  \/ \E n, a \in Correct, s \in Stmts : Show(n, a, s)

(* The window always runs out; the link delivers.                          *)
Fairness ==
  /\ WF_ivars(\E n \in Correct : \E L \in SUBSET Waiting(n) : Flush(n, L))
  /\ WF_ivars(\E v \in Correct, B \in batches, s \in Stmts : Receive(v, B, s))

ImplSpec == Init /\ [][Next]_ivars /\ Fairness

Abs == INSTANCE AbstractPool WITH
         pool <- pub \cup fpub,
         known <- [n \in Principals |-> IF n \in Correct THEN acc[n] ELSE {}]

Refinement == Abs!Spec
Liveness == Abs!EventuallyKnown
MergeSound == Abs!MergeSound
=============================================================================
