//! Turns the timeline into the requests that replay it, in time order. Builds
//! and deployments map to one request each (plus evidence); roll-outs and
//! scaling change what runs in an environment, simulated here task by task, and
//! each change the reporter sees becomes a report with the snapshot index the
//! server must answer.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use serde_json::Value;

use crate::catalog::{Env, FLOWS, Flow, Version};
use crate::cluster::{Change, Cluster, Expected};
use crate::event::{EVIDENCE_DELAY, Event, Evidence, STEP, Steps, What};

/// One request to send, at a time (Unix seconds).
#[derive(Debug)]
pub struct Timed {
    pub at: i64,
    pub request: Request,
}

#[derive(Debug)]
pub enum Request {
    CreateFlow(&'static Flow),
    CreateEnvironment(Env),
    Artifact(Version),
    Evidence {
        version: Version,
        compliant: bool,
    },
    Deployment {
        version: Version,
        env: Env,
    },
    /// An ECS report: one entry per task.
    Report {
        env: Env,
        tasks: Vec<Value>,
        expect: Expected,
    },
    ArchiveFlow(&'static str),
}

#[derive(Debug)]
enum Op {
    Send(Request),
    Change(Env, Change),
    Report(Env),
}

/// The requests that replay the events.
pub fn plan(mut events: Vec<Event>) -> anyhow::Result<Vec<Timed>> {
    events.sort_by_key(|e| e.at);
    let mut ops = Vec::new();
    let mut versions: HashMap<&str, Version> = HashMap::new();
    for Event { at, what } in events {
        match what {
            What::Setup => {
                let flows = FLOWS.iter().map(Request::CreateFlow);
                let envs = Env::ALL.into_iter().map(Request::CreateEnvironment);
                ops.extend(
                    flows
                        .chain(envs)
                        .zip(0..)
                        .map(|(r, i)| (at + 15 * i, Op::Send(r))),
                );
            }
            What::Build {
                service,
                sha7,
                evidence,
            } => {
                let version = Version {
                    service,
                    sha7,
                    built: at,
                };
                ops.push((at, Op::Send(Request::Artifact(version.clone()))));
                if evidence != Evidence::Missing {
                    let compliant = evidence == Evidence::Compliant;
                    let request = Request::Evidence {
                        version: version.clone(),
                        compliant,
                    };
                    ops.push((at + EVIDENCE_DELAY, Op::Send(request)));
                }
                versions.insert(sha7, version);
            }
            What::External { service, sha7 } => {
                versions.insert(
                    sha7,
                    Version {
                        service,
                        sha7,
                        built: at,
                    },
                );
            }
            What::Deploy { sha7, env, roll } => {
                let version = versions
                    .get(sha7)
                    .with_context(|| format!("{sha7} is deployed before it is built"))?;
                if version.has_flow() {
                    ops.push((
                        at,
                        Op::Send(Request::Deployment {
                            version: version.clone(),
                            env,
                        }),
                    ));
                }
                let steps: Vec<(usize, Option<usize>)> = match roll.steps {
                    Steps::BlueGreen(n) => vec![(n, None), (n, Some(0))],
                    Steps::Rolling(steps) => {
                        steps.iter().map(|&(new, old)| (new, Some(old))).collect()
                    }
                };
                for ((tasks, others), i) in steps.into_iter().zip(0..) {
                    let change = Change::Roll {
                        version: version.clone(),
                        tasks,
                        others,
                    };
                    ops.push((at + roll.lead + STEP * i, Op::Change(env, change)));
                }
            }
            What::Scale {
                service,
                env,
                tasks,
            } => ops.push((at, Op::Change(env, Change::Scale { service, tasks }))),
            What::Report { env } => ops.push((at, Op::Report(env))),
            What::Archive { flow } => ops.push((at, Op::Send(Request::ArchiveFlow(flow)))),
        }
    }
    ops.sort_by_key(|(at, _)| *at);
    simulate(ops)
}

/// Applies the changes in time order, reporting those the reporter sees.
fn simulate(ops: Vec<(i64, Op)>) -> anyhow::Result<Vec<Timed>> {
    let mut envs: BTreeMap<Env, Cluster> = Env::ALL
        .into_iter()
        .map(|e| (e, Cluster::default()))
        .collect();
    let mut out = Vec::new();
    for (at, op) in ops {
        let (env, report) = match op {
            Op::Send(request) => {
                out.push(Timed { at, request });
                continue;
            }
            Op::Report(env) => (env, true),
            Op::Change(env, change) => {
                let cluster = envs.entry(env).or_default();
                let changed = cluster
                    .apply(&change, at)
                    .with_context(|| format!("{} at {at}", env.name()))?;
                (env, changed && cluster.is_reporting())
            }
        };
        if report {
            let cluster = envs.entry(env).or_default();
            let expect = cluster.report();
            out.push(Timed {
                at,
                request: Request::Report {
                    env,
                    tasks: cluster.tasks(env),
                    expect,
                },
            });
        }
    }
    Ok(out)
}
