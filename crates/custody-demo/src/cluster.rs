//! One environment's running tasks, changed by roll-outs and scaling, and what
//! its reporter tells the server: a report per change, one entry per ECS task,
//! with the snapshot index the server must answer.

use std::collections::BTreeMap;

use anyhow::bail;
use serde_json::{Value, json};

use crate::catalog::{Env, Version};

/// What the server must answer to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub snapshot_index: i64,
    pub new_snapshot: bool,
}

/// A change to what runs in an environment.
#[derive(Debug)]
pub enum Change {
    /// `tasks` of a version run; when `others` is given, the service's other versions run that many.
    Roll {
        version: Version,
        tasks: usize,
        others: Option<usize>,
    },
    Scale {
        service: &'static str,
        tasks: usize,
    },
}

/// What runs in one environment, and what its reporter last said.
#[derive(Debug, Default)]
pub struct Cluster {
    /// By fingerprint: the version and its tasks' creation times, oldest first.
    running: BTreeMap<String, (Version, Vec<i64>)>,
    reported: Option<BTreeMap<String, usize>>,
    snapshots: i64,
}

impl Cluster {
    /// Whether the reporter has started: changes before it are seen by its first report.
    pub fn is_reporting(&self) -> bool {
        self.reported.is_some()
    }

    fn counts(&self) -> BTreeMap<String, usize> {
        self.running
            .iter()
            .map(|(fp, (_, tasks))| (fp.clone(), tasks.len()))
            .collect()
    }

    /// Applies a change; false when it changes no task count.
    pub fn apply(&mut self, change: &Change, at: i64) -> anyhow::Result<bool> {
        let before = self.counts();
        match change {
            Change::Roll {
                version,
                tasks,
                others,
            } => {
                let entry = self
                    .running
                    .entry(version.fingerprint())
                    .or_insert_with(|| (version.clone(), Vec::new()));
                resize(&mut entry.1, *tasks, at);
                if let Some(n) = others {
                    for (v, old) in self.running.values_mut() {
                        if v.service == version.service && v != version {
                            resize(old, *n, at);
                        }
                    }
                }
            }
            Change::Scale { service, tasks } => {
                let mut found = false;
                for (v, running) in self
                    .running
                    .values_mut()
                    .filter(|(v, _)| v.service == *service)
                {
                    if found {
                        bail!(
                            "{service} is scaled while two of its versions run ({})",
                            v.sha7
                        );
                    }
                    found = true;
                    resize(running, *tasks, at);
                }
                if !found {
                    bail!("{service} is scaled but does not run");
                }
                if self.counts() == before {
                    bail!("{service} is scaled to the {tasks} tasks it runs");
                }
            }
        }
        self.running.retain(|_, (_, tasks)| !tasks.is_empty());
        Ok(self.counts() != before)
    }

    /// The reporter reports: a new snapshot when the counts differ from the last report.
    pub fn report(&mut self) -> Expected {
        let counts = self.counts();
        let new_snapshot = self.reported.as_ref() != Some(&counts);
        if new_snapshot {
            self.snapshots += 1;
        }
        self.reported = Some(counts);
        Expected {
            snapshot_index: self.snapshots,
            new_snapshot,
        }
    }

    /// The ECS report entries, one per task.
    pub fn tasks(&self, env: Env) -> Vec<Value> {
        let mut entries = Vec::new();
        for (fp, (version, tasks)) in &self.running {
            for (i, created) in tasks.iter().enumerate() {
                entries.push(json!({
                    "taskArn": env.task_arn(&format!("{fp} {created} {i}")),
                    "cluster_name": "app",
                    "service_name": version.service,
                    "digests": { env.image(version): fp },
                    "creationTimestamp": created,
                }));
            }
        }
        entries
    }
}

/// Stops the newest tasks, or starts new ones a few seconds apart just before `at`.
fn resize(tasks: &mut Vec<i64>, n: usize, at: i64) {
    tasks.truncate(n);
    let missing = n - tasks.len();
    tasks.extend((0..missing).rev().map(|i| at - 5 - 4 * i as i64));
}
