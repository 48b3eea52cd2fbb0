//! The log, after every other scenario has written to it: each org's entries
//! are contiguous and hash to their leaves, the leaves make the head's root,
//! every record reads back exactly as it was logged, proofs built from the
//! stored subtrees verify, and nothing was written around the log.

use custody_core::ledger::facts::{Entry, Fact, hex};
use custody_core::ledger::merkle::{
    Frontier, consistency_proof, inclusion_proof, leaf_hash, nodes_read, verify_consistency,
    verify_inclusion,
};

use crate::Store;

pub async fn every_fact_is_logged_and_reads_back(store: &dyn Store) {
    for org in store.orgs().await.expect("orgs") {
        let (size, head) = store.log_head(org.id).await.expect("head");
        assert!(size > 0, "org {} has a log", org.name);
        let rows = store.log_entries(org.id, 0, size).await.expect("entries");
        assert_eq!(
            rows.len() as u64,
            size,
            "org {}: contiguous entries",
            org.name
        );
        let mut frontier = Frontier::default();
        let mut records = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.seq, i as i64);
            let leaf = leaf_hash(row.body.as_bytes());
            assert_eq!(hex(&leaf), row.leaf_hash);
            frontier.append(i as u64, leaf);
            let entry: Entry = serde_json::from_str(&row.body).expect("an entry");
            assert_eq!(entry.seq, i as u64);
            if let Fact::Record(record) = entry.fact {
                records.push(record);
            }
        }
        assert_eq!(
            frontier, head,
            "org {}: the head is the tree of its entries",
            org.name
        );
        let subjects: Vec<(String, i64)> = records
            .iter()
            .map(|r| (r.subject().0.to_string(), r.subject().1))
            .collect();
        let now = store.log_records(&subjects).await.expect("records");
        for record in &records {
            let (kind, id) = record.subject();
            let found = now.iter().find(|(s, _)| s.0 == kind && s.1 == id);
            assert_eq!(
                found.map(|(_, r)| r),
                Some(record),
                "org {}: {kind} {id} reads back",
                org.name
            );
        }
        assert_eq!(store.unlogged_records(org.id).await.expect("unlogged"), []);
        let root = head.root();
        let index = size / 2;
        let needed = nodes_read(|node| {
            inclusion_proof(index, size, node);
        });
        let nodes = store.log_nodes(org.id, &needed).await.expect("nodes");
        assert_eq!(
            nodes.len(),
            needed.len(),
            "every subtree a proof needs is stored"
        );
        let lookup = |id| {
            nodes
                .iter()
                .find(|(n, _)| *n == id)
                .map(|(_, h)| *h)
                .unwrap_or_default()
        };
        let proof = inclusion_proof(index, size, lookup);
        let leaf = leaf_hash(rows[index as usize].body.as_bytes());
        assert!(
            verify_inclusion(index, size, &leaf, &proof, &root),
            "org {}",
            org.name
        );
        if index > 0 {
            let needed = nodes_read(|node| {
                consistency_proof(index, size, node);
            });
            let nodes = store.log_nodes(org.id, &needed).await.expect("nodes");
            let lookup = |id| {
                nodes
                    .iter()
                    .find(|(n, _)| *n == id)
                    .map(|(_, h)| *h)
                    .unwrap_or_default()
            };
            let proof = consistency_proof(index, size, lookup);
            let mut earlier = Frontier::default();
            for (i, row) in rows.iter().take(index as usize).enumerate() {
                earlier.append(i as u64, leaf_hash(row.body.as_bytes()));
            }
            assert!(verify_consistency(
                index,
                size,
                &earlier.root(),
                &root,
                &proof
            ));
        }
    }
}
