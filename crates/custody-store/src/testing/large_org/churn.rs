//! One Kubernetes cluster of the large org and how it changes between
//! snapshots: a service is deployed (every pod replaced by the next version's),
//! scaled by one pod, rolled out blue-green (both versions run for one
//! snapshot, then the old one goes), or an image no flow knows appears or goes.

use custody_core::Timestamp;
use serde_json::{Value, json};

use super::{Scale, fingerprint, flow_name, mix};

/// When every cluster makes its first report, in Unix seconds.
const START: f64 = 1_800_000_000.0;

/// Services each cluster runs (fewer when the org has fewer flows).
const SERVICES: usize = 50;

/// What one step changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Deploy,
    Scale,
    BlueGreen,
    Unknown,
}

#[derive(Debug, Clone)]
struct Pod {
    name: String,
    created: i64,
}

#[derive(Debug, Clone)]
struct Service {
    flow: usize,
    version: usize,
    pods: Vec<Pod>,
}

/// A cluster's running pods, changed one [`Event`] at a time.
#[derive(Debug, Clone)]
pub struct Cluster {
    versions: usize,
    services: Vec<Service>,
    /// A blue-green roll-out under way: the service and its old version's pods.
    old: Option<(usize, usize, Vec<Pod>)>,
    unknown: Vec<Pod>,
    next_pod: u64,
    step: u64,
    seed: u64,
}

impl Cluster {
    /// Cluster `index` of an org of this scale, at its first report.
    pub fn new(index: usize, scale: &Scale) -> Cluster {
        let count = SERVICES.min(scale.flows);
        let per_service = (scale.instances / count).max(1);
        let mut cluster = Cluster {
            versions: scale.versions(),
            services: Vec::new(),
            old: None,
            unknown: Vec::new(),
            next_pod: 0,
            step: 0,
            seed: mix(index as u64 + 1),
        };
        for k in 0..count {
            let flow = (index * 13 + k) % scale.flows;
            let pods = cluster.pods(per_service);
            cluster.services.push(Service {
                flow,
                version: index % cluster.versions,
                pods,
            });
        }
        cluster
    }

    /// Cluster `index` as it stood `step` steps after its first report.
    pub fn at_step(index: usize, scale: &Scale, step: u64) -> Cluster {
        let mut cluster = Cluster::new(index, scale);
        while cluster.step < step {
            cluster.advance();
        }
        cluster
    }

    /// When the current state is reported: a minute per step.
    pub fn at(&self) -> Timestamp {
        Timestamp::from_seconds(START + self.step as f64 * 60.0)
    }

    /// The step whose state was reported at `at` (see [`Cluster::at`]).
    pub fn step_of(at: Timestamp) -> u64 {
        ((at.seconds() - START) / 60.0).round().max(0.0) as u64
    }

    fn pods(&mut self, n: usize) -> Vec<Pod> {
        let created = self.at().whole_seconds();
        (0..n)
            .map(|_| {
                self.next_pod += 1;
                let name = format!(
                    "{:05x}-{}",
                    mix(self.seed ^ self.next_pod) & 0xfffff,
                    self.next_pod
                );
                Pod { name, created }
            })
            .collect()
    }

    fn random(&mut self) -> u64 {
        mix(self.seed.wrapping_add(self.step.wrapping_mul(0x1000_0001)))
    }

    /// Moves one step on: the next report differs from the last.
    pub fn advance(&mut self) -> Event {
        self.step += 1;
        if self.old.take().is_some() {
            // The roll-out completes: the old version's pods go.
            return Event::BlueGreen;
        }
        let roll = self.random();
        let service = (roll >> 8) as usize % self.services.len();
        match roll % 20 {
            0..=6 => {
                let n = self.services[service].pods.len();
                let pods = self.pods(n);
                let s = &mut self.services[service];
                s.version = (s.version + 1) % self.versions;
                s.pods = pods;
                Event::Deploy
            }
            7..=14 => {
                if (roll >> 40).is_multiple_of(2) && self.services[service].pods.len() > 1 {
                    self.services[service].pods.pop();
                } else {
                    let pod = self.pods(1);
                    self.services[service].pods.extend(pod);
                }
                Event::Scale
            }
            15..=17 => {
                let n = self.services[service].pods.len();
                let pods = self.pods(n);
                let s = &mut self.services[service];
                let old = std::mem::replace(&mut s.pods, pods);
                self.old = Some((service, s.version, old));
                s.version = (s.version + 1) % self.versions;
                Event::BlueGreen
            }
            _ => {
                self.unknown = if self.unknown.is_empty() {
                    self.pods(1 + (roll >> 50) as usize % 3)
                } else {
                    Vec::new()
                };
                Event::Unknown
            }
        }
    }

    /// The report a reporter would send now: every pod with its image digest.
    pub fn report(&self) -> Vec<Value> {
        let pod = |p: &Pod, image: String, digest: String, namespace: usize| {
            json!({"podName": p.name, "namespace": format!("team-{namespace:02}"),
                   "creationTimestamp": p.created, "digests": {image: digest}})
        };
        let mut out = Vec::new();
        for s in &self.services {
            let name = flow_name(s.flow);
            let image = format!("registry.example.com/{name}:{}", s.version);
            let digest = fingerprint(s.flow, s.version).to_string();
            out.extend(
                s.pods
                    .iter()
                    .map(|p| pod(p, image.clone(), digest.clone(), s.flow % 20)),
            );
        }
        if let Some((service, version, pods)) = &self.old {
            let flow = self.services[*service].flow;
            let image = format!("registry.example.com/{}:{version}", flow_name(flow));
            let digest = fingerprint(flow, *version).to_string();
            out.extend(
                pods.iter()
                    .map(|p| pod(p, image.clone(), digest.clone(), flow % 20)),
            );
        }
        let digest = format!("{:016x}", mix(self.seed ^ 0xdead)).repeat(4);
        for p in &self.unknown {
            out.push(pod(
                p,
                "docker.io/library/debug:latest".into(),
                digest.clone(),
                99,
            ));
        }
        out
    }
}
