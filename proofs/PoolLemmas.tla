---- MODULE PoolLemmas ----
(* Lemmas about the abstract pool, proved once for the shape every module
   mommie generates shares (docs/language.md, docs/prove.md):
     Fire(n):     pool' = pool \cup P, every statement of P issued by n,
                  known' = [known EXCEPT ![n] = @ \cup {st \in P : n \in st.verifiers}],
                  handled' = [handled EXCEPT ![n] = @ \cup {inst}];
     Deliver(n):  known' = [known EXCEPT ![n] = @ \cup {s}] for some s \in pool;
     ByzantinePublish(b): pool' = pool \cup {st} with st.issuer = b \in Byzantine.
   They are constant-level (pool, known and handled are parameters), so a
   proof about any generated module cites them once it has unfolded a step:
   see PrimaryBackupInOrder.tla. Check with
     mommie prove specs/PrimaryBackup.mom proofs/PoolLemmas.tla *)
EXTENDS Integers, FiniteSets, FiniteSetTheorems, TLAPS

(***** What a node knows was published: every step keeps known[n] \subseteq pool. *****)

LEMMA FireKeepsKnownPublished ==
  ASSUME NEW Nodes, NEW pool, NEW known, known \in [Nodes -> SUBSET pool],
         NEW n \in Nodes, NEW P
  PROVE  [known EXCEPT ![n] = @ \cup {st \in P : n \in st.verifiers}] \in [Nodes -> SUBSET (pool \cup P)]
  OBVIOUS

LEMMA DeliverKeepsKnownPublished ==
  ASSUME NEW Nodes, NEW pool, NEW known, known \in [Nodes -> SUBSET pool],
         NEW n \in Nodes, NEW s \in pool
  PROVE  [known EXCEPT ![n] = @ \cup {s}] \in [Nodes -> SUBSET pool]
  OBVIOUS

LEMMA PublishKeepsKnownPublished ==
  ASSUME NEW Nodes, NEW pool, NEW known, known \in [Nodes -> SUBSET pool], NEW P
  PROVE  known \in [Nodes -> SUBSET (pool \cup P)]
  OBVIOUS

(***** A statement whose issuer is correct was published by that issuer's Fire. *****)

(* A step either fires node f (every new statement issued by f), leaves the
   pool alone (Deliver, or a Fire that publishes nothing), or is a Byzantine
   publication by some b \in Byzantine. A new statement whose issuer is not
   Byzantine then comes from a Fire, and that Fire is its issuer's. *)
LEMMA CorrectIssuerFired ==
  ASSUME NEW Byzantine, NEW pool, NEW pool2, NEW f, NEW isFire \in BOOLEAN,
         \/ isFire /\ \A st \in pool2 \ pool : st.issuer = f
         \/ pool2 = pool
         \/ \E b \in Byzantine : \A st \in pool2 \ pool : st.issuer = b,
         NEW s \in pool2 \ pool, s.issuer \notin Byzantine
  PROVE  isFire /\ f = s.issuer
  OBVIOUS

(* So the statements of an issuer that is never Byzantine are exactly those
   its own Fires published: a property that holds of every statement a Fire
   of n publishes holds of every statement issued by n in the pool. *)
LEMMA IssuerInvariant ==
  ASSUME NEW Byzantine, NEW pool, NEW pool2, NEW n, n \notin Byzantine, NEW Good(_),
         \A st \in pool : st.issuer = n => Good(st),
         \/ \A st \in pool2 \ pool : st.issuer = n /\ Good(st)
         \/ \E f : f # n /\ \A st \in pool2 \ pool : st.issuer = f
         \/ pool2 = pool
         \/ \E b \in Byzantine : \A st \in pool2 \ pool : st.issuer = b
  PROVE  \A st \in pool2 : st.issuer = n => Good(st)
  OBVIOUS

(***** handled only grows. *****)

LEMMA FireHandledGrows ==
  ASSUME NEW Nodes, NEW handled, handled \in [Nodes -> SUBSET UNION {handled[x] : x \in Nodes}],
         NEW n \in Nodes, NEW inst
  PROVE  \A m \in Nodes : handled[m] \subseteq [handled EXCEPT ![n] = @ \cup {inst}][m]
  OBVIOUS

(* Over a whole behaviour: if every step leaves handled alone or adds to one
   node's entry, handled[m] only grows (here for two consecutive states). *)
LEMMA HandledOnlyGrows ==
  ASSUME NEW Nodes, NEW handled, NEW handled2, handled \in [Nodes -> SUBSET UNION {handled[x] : x \in Nodes}],
         \/ handled2 = handled
         \/ \E n \in Nodes : \E inst : handled2 = [handled EXCEPT ![n] = @ \cup {inst}]
  PROVE  \A m \in Nodes : handled[m] \subseteq handled2[m]
  OBVIOUS

(***** Quorums: k distinct issuers out of n, f of them faulty, include k - f correct ones. *****)

LEMMA QuorumHasCorrect ==
  ASSUME NEW S, IsFiniteSet(S), NEW Faulty, NEW f \in Nat, Cardinality(S \cap Faulty) <= f,
         NEW Q \in SUBSET S, NEW k \in Nat, Cardinality(Q) >= k
  PROVE  /\ IsFiniteSet(Q \ Faulty)
         /\ Cardinality(Q \ Faulty) >= k - f
<1>1. IsFiniteSet(Q) /\ IsFiniteSet(Q \cap Faulty) /\ IsFiniteSet(S \cap Faulty)
  BY FS_Subset, FS_Intersection
<1>2. Cardinality(Q \cap Faulty) <= Cardinality(S \cap Faulty)
  BY <1>1, FS_Subset
<1>3. IsFiniteSet(Q \ Faulty) /\ Cardinality(Q \ Faulty) = Cardinality(Q) - Cardinality(Q \cap Faulty)
  BY <1>1, FS_Difference
<1>4. Cardinality(Q) \in Nat /\ Cardinality(Q \cap Faulty) \in Nat /\ Cardinality(S \cap Faulty) \in Nat
  BY <1>1, FS_CardinalityType
<1> QED BY <1>2, <1>3, <1>4

(* With n = Cardinality(S) and k > (n + f) / 2, two such quorums share a correct issuer. *)
LEMMA QuorumsShareCorrect ==
  ASSUME NEW S, IsFiniteSet(S), NEW Faulty, NEW f \in Nat, Cardinality(S \cap Faulty) <= f,
         NEW Q1 \in SUBSET S, NEW Q2 \in SUBSET S, NEW k \in Nat,
         Cardinality(Q1) >= k, Cardinality(Q2) >= k, 2 * k > Cardinality(S) + f
  PROVE  (Q1 \cap Q2) \ Faulty # {}
<1>1. IsFiniteSet(Q1 \ Faulty) /\ Cardinality(Q1 \ Faulty) >= k - f
  BY QuorumHasCorrect
<1>2. IsFiniteSet(Q2) /\ Cardinality(Q2) \in Nat /\ Cardinality(S) \in Nat /\ Cardinality(Q1 \ Faulty) \in Nat
  BY <1>1, FS_Subset, FS_CardinalityType
<1>3. Cardinality(Q1 \ Faulty) + Cardinality(Q2) > Cardinality(S)
  BY <1>1, <1>2
<1>4. (Q1 \ Faulty) \cap Q2 # {}
  BY <1>3, FS_MajoritiesIntersect
<1> QED BY <1>4
========================================
