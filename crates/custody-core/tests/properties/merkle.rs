//! The Merkle log against RFC 9162's definitions, computed the slow way from
//! the leaves: the frontier's root is the tree hash, every inclusion and
//! consistency proof verifies, and any change to a proof, a leaf, a size or a
//! root makes verification fail.

use custody_core::ledger::merkle::{
    Frontier, Hash, NodeId, consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash,
    nodes_read, verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

/// MTH(D[n]) by the definition.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn leaves(n: usize) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
        .collect()
}

/// Perfect subtree hashes, from the leaves.
fn node(leaves: &[Hash]) -> impl FnMut(NodeId) -> Hash + '_ {
    |(level, index)| {
        let width = 1usize << level;
        let start = index as usize * width;
        mth(&leaves[start..start + width])
    }
}

#[test]
fn the_frontier_grows_the_tree_hash_and_records_each_completed_subtree() {
    let all = leaves(70);
    let mut frontier = Frontier::default();
    assert_eq!(frontier.root(), empty_root());
    let mut stored = 0;
    for (i, leaf) in all.iter().enumerate() {
        for ((level, index), hash) in frontier.append(i as u64, *leaf) {
            let width = 1usize << level;
            let start = index as usize * width;
            assert_eq!(
                hash,
                mth(&all[start..start + width]),
                "node {level}/{index}"
            );
            stored += 1;
        }
        assert_eq!(frontier.root(), mth(&all[..=i]), "root of {}", i + 1);
    }
    assert_eq!(
        stored,
        70 - 70u32.count_ones() as usize,
        "one node per merge"
    );
}

#[test]
fn every_proof_of_small_trees_verifies() {
    let all = leaves(33);
    for n in 1..=all.len() {
        let tree = &all[..n];
        let root = mth(tree);
        for m in 0..n {
            let proof = inclusion_proof(m as u64, n as u64, node(tree));
            assert!(
                verify_inclusion(m as u64, n as u64, &tree[m], &proof, &root),
                "{m} in {n}"
            );
            assert!(!verify_inclusion(
                m as u64,
                n as u64,
                &leaf_hash(b"other"),
                &proof,
                &root
            ));
            if m + 1 < n {
                assert!(!verify_inclusion(
                    m as u64 + 1,
                    n as u64,
                    &tree[m],
                    &proof,
                    &root
                ));
            }
            let first = m + 1;
            let proof = consistency_proof(first as u64, n as u64, node(tree));
            let first_root = mth(&tree[..first]);
            assert!(
                verify_consistency(first as u64, n as u64, &first_root, &root, &proof),
                "{first} to {n}"
            );
            if first < n {
                assert!(!verify_consistency(
                    first as u64,
                    n as u64,
                    &root,
                    &root,
                    &proof
                ));
            }
        }
    }
}

#[test]
fn proofs_read_a_logarithmic_number_of_subtrees() {
    let read = nodes_read(|node| {
        inclusion_proof(123_456, 1_000_000, node);
    });
    assert!(read.len() <= 2 * 20, "{} subtrees", read.len());
    let read = nodes_read(|node| {
        consistency_proof(777_777, 1_000_000, node);
    });
    assert!(read.len() <= 2 * 20, "{} subtrees", read.len());
}

proptest! {
    #[test]
    fn changed_proofs_fail(n in 2usize..200, m_seed in any::<u64>(), flip in any::<(usize, u8)>()) {
        let all = leaves(n);
        let root = mth(&all);
        let m = (m_seed % n as u64) as usize;
        let mut proof = inclusion_proof(m as u64, n as u64, node(&all));
        prop_assume!(!proof.is_empty());
        let at = flip.0 % proof.len();
        proof[at][usize::from(flip.1 % 32)] ^= 1;
        prop_assert!(!verify_inclusion(m as u64, n as u64, &all[m], &proof, &root));

        let first = m.max(1);
        prop_assume!(first < n);
        let mut proof = consistency_proof(first as u64, n as u64, node(&all));
        let at = flip.0 % proof.len();
        proof[at][0] ^= 0x80;
        prop_assert!(!verify_consistency(first as u64, n as u64, &mth(&all[..first]), &root, &proof));
    }
}
