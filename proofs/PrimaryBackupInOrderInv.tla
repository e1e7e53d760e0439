---- MODULE PrimaryBackupInOrderInv ----
(* An inductive invariant of specs/PrimaryBackup.mom that implies its safety
   invariant InOrder: no correct replica has executed past the primary's next
   sequence number (executeSeqNo <= nextSeqNo[PRIMARY]). InOrder is that
   bound; it does not say that replicas execute the same requests in the same
   order. Definitions only, so that TLC can check Inv on the
   example's models (test/prove-safety.test.ts); the TLAPS proof that Inv is
   inductive, for every value of the constants, is PrimaryBackupInOrder.tla.
   It EXTENDS the module `mommie tla specs/PrimaryBackup.mom` generates. *)
EXTENDS PrimaryBackup

(* The sequence numbers and what nodes know keep their types. *)
SeqTypes ==
  /\ nextSeqNo \in [R -> 0..MaxSeq]
  /\ executeSeqNo \in [R -> 0..MaxSeq]
  /\ known \in [Principals -> SUBSET pool]

(* Every Order the primary issued carries a number it has already used. *)
OrdersBelow ==
  \A s \in pool : (s.issuer = PRIMARY /\ s.record.type = "Order") =>
     /\ s.record.seqNo \in Nat
     /\ s.record.seqNo < nextSeqNo[PRIMARY]

(* No replica, correct or not, has executed past the primary's next number. *)
ExecBound == \A r \in R : executeSeqNo[r] <= nextSeqNo[PRIMARY]

Inv == SeqTypes /\ OrdersBelow /\ ExecBound
========================================
