//! What the demo organization is made of: cyber-dojo's flows (one per service
//! repository, as in 2022) and its two ECS environments, and how a version of a
//! service is named, identified and linked. Identifiers the tutorial shows are
//! fixed; every other one is derived from its name, so a reload is identical.

use std::fmt::Write;

use crate::dates::aug;

/// A flow: one service repository's CI pipeline.
#[derive(Debug)]
pub struct Flow {
    pub name: &'static str,
    pub description: &'static str,
}

/// The flows, with the descriptions `kosli list flows` shows.
pub const FLOWS: [Flow; 13] = [
    flow("creator", "UX for Group/Kata creation"),
    flow("custom-start-points", "Custom exercises choices"),
    flow("dashboard", "UX for a group practice dashboard"),
    flow("differ", "Diff files from two traffic-lights"),
    flow("exercises-start-points", "Exercises choices"),
    flow("languages-start-points", "Language+TestFramework choices"),
    flow("nginx", "Reverse proxy"),
    flow("repler", "REPL for Python images"),
    flow("runner", "Test runner"),
    flow("saver", "Group/Kata model+persistence"),
    flow("shas", "Git commit shas of running services"),
    flow("version-reporter", "UX for git+image version-reporter"),
    flow("web", "UX for practicing TDD"),
];

const fn flow(name: &'static str, description: &'static str) -> Flow {
    Flow { name, description }
}

/// The legacy template every flow was created with.
pub const TEMPLATE: [&str; 2] = ["artifact", "branch-coverage"];

/// The one piece of evidence the template asks for.
pub const EVIDENCE: &str = "branch-coverage";

/// The ECS environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Env {
    Beta,
    Prod,
}

impl Env {
    pub const ALL: [Env; 2] = [Env::Beta, Env::Prod];

    pub fn name(self) -> &'static str {
        match self {
            Env::Beta => "aws-beta",
            Env::Prod => "aws-prod",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Env::Beta => "The ECS staging cluster behind https://beta.cyber-dojo.org",
            Env::Prod => "The ECS production cluster behind https://cyber-dojo.org",
        }
    }

    /// The AWS account whose registry the environment pulls images from.
    fn account(self) -> &'static str {
        match self {
            Env::Beta => "244531986313",
            Env::Prod => "274425519734",
        }
    }

    /// The image name tasks report, e.g. `274425519734.dkr.ecr.eu-central-1.amazonaws.com/runner:16d9990`.
    pub fn image(self, version: &Version) -> String {
        format!(
            "{}.dkr.ecr.eu-central-1.amazonaws.com/{}:{}",
            self.account(),
            version.service,
            version.sha7
        )
    }

    /// A task ARN, derived from what identifies the task.
    pub fn task_arn(self, seed: &str) -> String {
        let id = hex(&format!("task {} {seed}", self.name()), 32);
        format!("arn:aws:ecs:eu-central-1:{}:task/app/{id}", self.account())
    }
}

/// The identifiers the tutorial shows: a commit when known in full, and the image digest.
struct Known {
    sha7: &'static str,
    commit: Option<&'static str>,
    fingerprint: &'static str,
}

const KNOWN: [Known; 4] = [
    Known {
        sha7: "16d9990",
        commit: Some("16d9990ad23a40eecaf087abac2a58a2d2a4b3f4"),
        fingerprint: "9af401c4350b21e3f1df17d6ad808da43d9646e75b6da902cc7c492bcfb9c625",
    },
    Known {
        sha7: "85d83c6",
        commit: None,
        fingerprint: "eeb0cfc9ee7f69fbd9531d5b8c1e8d22a8de119e2a422344a714a868e9a8bfec",
    },
    Known {
        sha7: "7c45272",
        commit: None,
        fingerprint: "76c442c04283c4ca1af22d882750eb960cf53c0aa041bbdb2db9df2f2c1282be",
    },
    Known {
        sha7: "1a2b170",
        commit: None,
        fingerprint: "d8440b94f7f9174c180324ceafd4148360d9d7c916be2b910f132c58b8a943ae",
    },
];

/// GitHub Actions numbers runs globally, about 58 a second in 2022; the run that
/// built runner:16d9990 anchors the others.
const ANCHOR_RUN: i64 = 2_902_808_452;
const ANCHOR_BUILT: i64 = aug(22, 11, 35, 0);
const RUNS_PER_SECOND: i64 = 58;

/// A service image built from a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub service: &'static str,
    pub sha7: &'static str,
    /// When CI reported it, in Unix seconds.
    pub built: i64,
}

impl Version {
    fn known(&self) -> Option<&'static Known> {
        KNOWN.iter().find(|k| k.sha7 == self.sha7)
    }

    /// Whether a flow reports this service, giving its images provenance.
    pub fn has_flow(&self) -> bool {
        FLOWS.iter().any(|f| f.name == self.service)
    }

    pub fn commit(&self) -> String {
        match self.known().and_then(|k| k.commit) {
            Some(commit) => commit.to_string(),
            None => format!(
                "{}{}",
                self.sha7,
                hex(&format!("commit {} {}", self.service, self.sha7), 33)
            ),
        }
    }

    pub fn fingerprint(&self) -> String {
        match self.known() {
            Some(k) => k.fingerprint.to_string(),
            None => hex(&format!("image {} {}", self.service, self.sha7), 64),
        }
    }

    /// The artifact name CI reports, e.g. `cyberdojo/runner:16d9990`.
    pub fn filename(&self) -> String {
        format!("cyberdojo/{}:{}", self.service, self.sha7)
    }

    pub fn repo_url(&self) -> String {
        format!("https://github.com/cyber-dojo/{}", self.service)
    }

    pub fn commit_url(&self) -> String {
        format!("{}/commit/{}", self.repo_url(), self.commit())
    }

    pub fn build_url(&self) -> String {
        let run = ANCHOR_RUN + (self.built - ANCHOR_BUILT) * RUNS_PER_SECOND;
        format!("{}/actions/runs/{run}", self.repo_url())
    }
}

/// `len` hex digits derived from a seed: FNV-1a, then a SplitMix64 stream.
/// Deterministic and well spread; not cryptographic.
pub fn hex(seed: &str, len: usize) -> String {
    let mut state = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut out = String::with_capacity(len + 16);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        let _ = write!(out, "{:016x}", z ^ (z >> 31));
    }
    out.truncate(len);
    out
}
