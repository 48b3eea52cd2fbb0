//! Artifacts' evaluated compliance kept between requests, each under the
//! evidence revision it was worked out at (`ArtifactRow::evidence_revision`,
//! which the database moves with every attestation or template that could
//! change it). A verdict is served again only while the revision read with
//! the artifact's row still matches, so every replica stays as current as the
//! database. Two generations bound the memory: when the newer one fills, the
//! older is dropped and what is still asked for moves up again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use custody_core::ids::ArtifactId;

use super::compliance::ArtifactCompliance;

/// Verdicts kept in each generation.
const GENERATION: usize = 10_000;

type Entry = (i64, Arc<ArtifactCompliance>);

#[derive(Default)]
struct Generations {
    newer: HashMap<ArtifactId, Entry>,
    older: HashMap<ArtifactId, Entry>,
}

/// Verdicts by artifact, each at its evidence revision.
#[derive(Default)]
pub struct Verdicts {
    kept: Mutex<Generations>,
}

impl Verdicts {
    /// The verdict of artifact `id` at `revision`, when one was kept.
    pub fn get(&self, id: ArtifactId, revision: i64) -> Option<Arc<ArtifactCompliance>> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, verdict)) = kept.newer.get(&id) {
            return (*at == revision).then(|| Arc::clone(verdict));
        }
        let (at, verdict) = kept.older.remove(&id)?;
        if at != revision {
            return None;
        }
        let found = Arc::clone(&verdict);
        kept.insert(id, (at, verdict));
        Some(found)
    }

    /// Keeps the verdict of artifact `id` worked out at `revision`.
    pub fn put(&self, id: ArtifactId, revision: i64, verdict: Arc<ArtifactCompliance>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.insert(id, (revision, verdict));
    }
}

impl Generations {
    fn insert(&mut self, id: ArtifactId, entry: Entry) {
        if self.newer.len() >= GENERATION && !self.newer.contains_key(&id) {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.insert(id, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_core::compliance::State;

    fn verdict(state: State) -> Arc<ArtifactCompliance> {
        Arc::new(ArtifactCompliance {
            state,
            attestations: Vec::new(),
            trail_attestations: Vec::new(),
            template_error: None,
            bound: Vec::new(),
            trail_level: Vec::new(),
        })
    }

    #[test]
    fn a_verdict_holds_only_at_its_revision() {
        let verdicts = Verdicts::default();
        verdicts.put(ArtifactId(1), 3, verdict(State::Compliant));
        assert_eq!(
            verdicts.get(ArtifactId(1), 3).map(|v| v.state),
            Some(State::Compliant)
        );
        assert!(verdicts.get(ArtifactId(1), 4).is_none());
        assert!(verdicts.get(ArtifactId(2), 3).is_none());
        verdicts.put(ArtifactId(1), 4, verdict(State::NonCompliant));
        assert_eq!(
            verdicts.get(ArtifactId(1), 4).map(|v| v.state),
            Some(State::NonCompliant)
        );
    }

    #[test]
    fn memory_stays_within_two_generations_and_what_is_asked_for_stays() {
        let verdicts = Verdicts::default();
        let total = GENERATION * 3;
        for i in 0..total {
            verdicts.put(ArtifactId(i as i64), 0, verdict(State::Compliant));
            // The first one is asked for all along, so it is never dropped.
            assert!(verdicts.get(ArtifactId(0), 0).is_some(), "after {i}");
        }
        let kept = verdicts.kept.lock().unwrap();
        assert!(kept.newer.len() + kept.older.len() <= 2 * GENERATION);
        drop(kept);
        assert!(verdicts.get(ArtifactId(1), 0).is_none());
        assert!(verdicts.get(ArtifactId(total as i64 - 1), 0).is_some());
    }
}
