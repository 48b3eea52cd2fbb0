//! The Merkle tree of an append-only log, as RFC 6962 / RFC 9162 define it:
//! leaf and node hashes, appending through the tree's right edge (the
//! "frontier" of perfect subtrees), the root, and inclusion and consistency
//! proofs with their verification. Proofs are computed from perfect subtree
//! hashes, so a store keeps those and a proof costs O(log n) of them.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The hash of the empty tree.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A perfect subtree: `2^level` leaves starting at leaf `index * 2^level`.
pub type NodeId = (u32, u64);

/// The right edge of a tree: its perfect subtrees, largest (leftmost) first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier(pub Vec<(u32, Hash)>);

impl Frontier {
    /// Appends the leaf at index `size` (the tree's size before it); returns
    /// the perfect subtrees it completed, above the leaf itself.
    pub fn append(&mut self, size: u64, leaf: Hash) -> Vec<(NodeId, Hash)> {
        self.0.push((0, leaf));
        let mut completed = Vec::new();
        while let [.., (l1, _), (l2, _)] = self.0[..] {
            if l1 != l2 {
                break;
            }
            let (level, right) = self.0.pop().unwrap_or_default();
            let (_, left) = self.0.pop().unwrap_or_default();
            let up = level + 1;
            let hash = node_hash(&left, &right);
            let index = (size + 1) / (1u64 << up) - 1;
            completed.push(((up, index), hash));
            self.0.push((up, hash));
        }
        completed
    }

    /// The tree's root: its subtrees folded from the right.
    pub fn root(&self) -> Hash {
        let mut parts = self.0.iter().rev();
        let Some((_, last)) = parts.next() else {
            return empty_root();
        };
        parts.fold(*last, |acc, (_, left)| node_hash(left, &acc))
    }
}

fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The hash of leaves `start..start + len` (a range these proofs produce: a
/// perfect subtree, or one split at a power of two), from perfect subtrees.
fn range_hash(start: u64, len: u64, node: &mut impl FnMut(NodeId) -> Hash) -> Hash {
    if len.is_power_of_two() {
        let level = len.trailing_zeros();
        return node((level, start >> level));
    }
    let k = largest_power_of_two_below(len);
    let left = range_hash(start, k, node);
    let right = range_hash(start + k, len - k, node);
    node_hash(&left, &right)
}

fn path(m: u64, start: u64, n: u64, node: &mut impl FnMut(NodeId) -> Hash, out: &mut Vec<Hash>) {
    if n <= 1 {
        return;
    }
    let k = largest_power_of_two_below(n);
    if m < k {
        path(m, start, k, node, out);
        out.push(range_hash(start + k, n - k, node));
    } else {
        path(m - k, start + k, n - k, node, out);
        out.push(range_hash(start, k, node));
    }
}

/// The audit path of leaf `index` in the tree of the first `size` leaves.
pub fn inclusion_proof(index: u64, size: u64, mut node: impl FnMut(NodeId) -> Hash) -> Vec<Hash> {
    let mut out = Vec::new();
    if index < size {
        path(index, 0, size, &mut node, &mut out);
    }
    out
}

fn subproof(
    m: u64,
    start: u64,
    n: u64,
    whole: bool,
    node: &mut impl FnMut(NodeId) -> Hash,
    out: &mut Vec<Hash>,
) {
    if m == n {
        if !whole {
            out.push(range_hash(start, n, node));
        }
        return;
    }
    let k = largest_power_of_two_below(n);
    if m <= k {
        subproof(m, start, k, whole, node, out);
        out.push(range_hash(start + k, n - k, node));
    } else {
        subproof(m - k, start + k, n - k, false, node, out);
        out.push(range_hash(start, k, node));
    }
}

/// The proof that the tree of `first` leaves is a prefix of that of `second`.
pub fn consistency_proof(
    first: u64,
    second: u64,
    mut node: impl FnMut(NodeId) -> Hash,
) -> Vec<Hash> {
    let mut out = Vec::new();
    if 0 < first && first < second {
        subproof(first, 0, second, true, &mut node, &mut out);
    }
    out
}

/// The perfect subtrees a proof reads (so that a store can fetch them at once).
pub fn nodes_read(proof: impl FnOnce(&mut dyn FnMut(NodeId) -> Hash)) -> Vec<NodeId> {
    let mut read = Vec::new();
    proof(&mut |id| {
        read.push(id);
        [0; 32]
    });
    read.sort_unstable();
    read.dedup();
    read
}

/// Whether `proof` shows `leaf` at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s, mut r) = (index, size - 1, *leaf);
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// Whether `proof` shows the tree of `first` leaves (root `first_root`) to be
/// a prefix of the tree of `second` leaves (root `second_root`).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> bool {
    if first > second {
        return false;
    }
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 {
        return proof.is_empty() && *first_root == empty_root();
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let Some((head, rest)) = path.split_first() else {
        return false;
    };
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*head, *head);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && fr == *first_root && sr == *second_root
}
