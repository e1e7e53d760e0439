---- MODULE PrimaryBackupInOrder ----
(* specs/PrimaryBackup.mom's InOrder (executeSeqNo <= nextSeqNo[PRIMARY] on every
   correct replica) holds in every behaviour, for every value of the constants
   with a correct primary (Consts): Inv is inductive and implies it. Check with
     mommie prove specs/PrimaryBackup.mom proofs/PoolLemmas.tla proofs/PrimaryBackupInOrder.tla *)
EXTENDS PrimaryBackupInOrderInv, PoolLemmas, TLAPS

(* The primary is a replica and is never Byzantine (it may crash: a crashed
   primary orders nothing). Nothing else is assumed: any MaxSeq, MaxOp, any
   crashed and Byzantine nodes, any Byzantine sends and budgets. *)
ASSUME Consts ==
  /\ PRIMARY \in R
  /\ MaxSeq \in Nat
  /\ PRIMARY \notin Byzantine

LEMMA InTypeIdentity == ASSUME NEW S, NEW v \in S PROVE InType(v, S) = v
  BY DEF InType

THEOREM InitInv == Init => Inv
  BY Consts, InTypeIdentity DEF Init, Inv, SeqTypes, OrdersBelow, ExecBound

THEOREM StepInv == Inv /\ [Next]_vars => Inv'
<1> SUFFICES ASSUME Inv, [Next]_vars PROVE Inv'
  OBVIOUS
<1> USE Consts DEF Inv, SeqTypes, OrdersBelow, ExecBound
<1>1. ASSUME NEW n \in C, Client_Submit(n) PROVE Inv'
  <2>1. /\ \A st \in pool' \ pool : st.record.type = "Request"
        /\ known' \in [Principals -> SUBSET pool']
        /\ UNCHANGED <<nextSeqNo, executeSeqNo>>
    BY <1>1 DEF Client_Submit, Mk_Request, Principals
  <2> QED BY <2>1
<1>2. ASSUME NEW n \in C, Client_Accept(n) PROVE Inv'
  BY <1>2 DEF Client_Accept
<1>3. ASSUME NEW n \in R, Replica_Assign(n) PROVE Inv'
  <2>1. /\ n = PRIMARY
        /\ nextSeqNo[n] < MaxSeq
        /\ nextSeqNo' = [nextSeqNo EXCEPT ![n] = InType(nextSeqNo[n] + 1, 0..MaxSeq)]
        /\ \A st \in pool' \ pool : st.issuer = n /\ st.record.type = "Order" /\ st.record.seqNo = InType(nextSeqNo[n], 0..MaxSeq)
        /\ known' \in [Principals -> SUBSET pool']
        /\ UNCHANGED executeSeqNo
    BY <1>3 DEF Replica_Assign, Mk_Order, Principals
  <2>2. InType(nextSeqNo[n] + 1, 0..MaxSeq) = nextSeqNo[n] + 1 /\ InType(nextSeqNo[n], 0..MaxSeq) = nextSeqNo[n]
    BY <2>1, InTypeIdentity
  <2>3. nextSeqNo' = [nextSeqNo EXCEPT ![n] = nextSeqNo[n] + 1]
    BY <2>1, <2>2
  <2>4. SeqTypes' BY <2>1, <2>3
  <2>5. OrdersBelow' BY <2>1, <2>2, <2>3
  <2>6. ExecBound' BY <2>1, <2>3
  <2> QED BY <2>4, <2>5, <2>6
<1>4. ASSUME NEW n \in R, Replica_Execute(n) PROVE Inv'
  <2>1. PICK s1 \in known[n] :
          /\ s1.issuer = PRIMARY /\ s1.record.type = "Order" /\ s1.record.seqNo = executeSeqNo[n]
          /\ executeSeqNo' = [executeSeqNo EXCEPT ![n] = InType(executeSeqNo[n] + 1, 0..MaxSeq)]
          /\ \A st \in pool' \ pool : st.record.type = "Reply"
          /\ known' \in [Principals -> SUBSET pool']
          /\ UNCHANGED nextSeqNo
    BY <1>4 DEF Replica_Execute, Mk_Reply, Principals
  <2>2. executeSeqNo[n] < nextSeqNo[PRIMARY]
    BY <2>1 DEF Principals
  <2>3. executeSeqNo[n] + 1 \in 0..MaxSeq
    BY <2>2
  <2>4. executeSeqNo' = [executeSeqNo EXCEPT ![n] = executeSeqNo[n] + 1]
    BY <2>1, <2>3, InTypeIdentity
  <2>5. SeqTypes' BY <2>1, <2>3, <2>4
  <2>6. OrdersBelow' BY <2>1
  <2>7. ExecBound' BY <2>1, <2>2, <2>4
  <2> QED BY <2>5, <2>6, <2>7
<1>5. ASSUME NEW n \in R, Replica_SuspectPrimary(n) PROVE Inv'
  BY <1>5 DEF Replica_SuspectPrimary
<1>6. ASSUME NEW n \in Principals, Deliver(n) PROVE Inv'
  BY <1>6, DeliverKeepsKnownPublished DEF Deliver
<1>7. ASSUME NEW b \in Byzantine, ByzantinePublish(b) PROVE Inv'
  BY <1>7, PublishKeepsKnownPublished DEF ByzantinePublish
<1>8. CASE UNCHANGED vars
  BY <1>8 DEF vars
<1> QED BY <1>1, <1>2, <1>3, <1>4, <1>5, <1>6, <1>7, <1>8 DEF Next

THEOREM InvInOrder == Inv => InOrder
  BY DEF Inv, ExecBound, InOrder

THEOREM SpecInOrder == Spec => []InOrder
  BY InitInv, StepInv, InvInOrder, PTL DEF Spec
========================================
