//! The vocabulary of the timeline: what can happen (a build, a deployment with its
//! roll-out, scaling, a reporter's report…) and when, in Berlin wall-clock time.
//! Small constructors keep each line of the timeline one event.

use crate::catalog::Env;

/// Something that happens at a time (Unix seconds).
#[derive(Debug, Clone)]
pub struct Event {
    pub at: i64,
    pub what: What,
}

#[derive(Debug, Clone)]
pub enum What {
    /// The flows and environments of the catalog are created.
    Setup,
    /// CI reports an artifact, then its branch-coverage evidence.
    Build {
        service: &'static str,
        sha7: &'static str,
        evidence: Evidence,
    },
    /// An image built where nobody tells Kosli: it can run, without provenance.
    External {
        service: &'static str,
        sha7: &'static str,
    },
    /// The pipeline expects a deployment (when the image has a flow), then ECS rolls it out.
    Deploy {
        sha7: &'static str,
        env: Env,
        roll: Roll,
    },
    /// A running service gets this many tasks; 0 stops it.
    Scale {
        service: &'static str,
        env: Env,
        tasks: usize,
    },
    /// The environment reporter's periodic report. The first makes snapshot #1; the
    /// others change nothing (roll-outs and scaling report their own changes).
    Report { env: Env },
    /// A retired flow is archived.
    Archive { flow: &'static str },
}

/// The branch-coverage evidence a build reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Compliant,
    NonCompliant,
    /// None at all: the artifact stays INCOMPLETE.
    Missing,
}

/// Seconds from the evidence to the artifact it is about.
pub const EVIDENCE_DELAY: i64 = 62;

/// Seconds between two steps of a roll-out: the reporter runs every minute.
pub const STEP: i64 = 60;

/// How ECS replaces the running version of a service, `lead` seconds after the
/// deployment was expected.
#[derive(Debug, Clone, Copy)]
pub struct Roll {
    pub lead: i64,
    pub steps: Steps,
}

#[derive(Debug, Clone, Copy)]
pub enum Steps {
    /// The new version starts with all its tasks; a step later the old one stops.
    BlueGreen(usize),
    /// (new tasks, old tasks) at each step.
    Rolling(&'static [(usize, usize)]),
}

impl Roll {
    pub fn after(self, lead: i64) -> Roll {
        Roll { lead, ..self }
    }
}

pub fn blue_green(tasks: usize) -> Roll {
    Roll {
        lead: 70,
        steps: Steps::BlueGreen(tasks),
    }
}

pub fn rolling(steps: &'static [(usize, usize)]) -> Roll {
    Roll {
        lead: 70,
        steps: Steps::Rolling(steps),
    }
}

fn at(at: i64, what: What) -> Event {
    Event { at, what }
}

pub fn setup(t: i64) -> Event {
    at(t, What::Setup)
}

pub fn build(t: i64, service: &'static str, sha7: &'static str) -> Event {
    at(
        t,
        What::Build {
            service,
            sha7,
            evidence: Evidence::Compliant,
        },
    )
}

pub fn build_below_coverage(t: i64, service: &'static str, sha7: &'static str) -> Event {
    at(
        t,
        What::Build {
            service,
            sha7,
            evidence: Evidence::NonCompliant,
        },
    )
}

pub fn build_without_coverage(t: i64, service: &'static str, sha7: &'static str) -> Event {
    at(
        t,
        What::Build {
            service,
            sha7,
            evidence: Evidence::Missing,
        },
    )
}

pub fn external(t: i64, service: &'static str, sha7: &'static str) -> Event {
    at(t, What::External { service, sha7 })
}

pub fn deploy(t: i64, sha7: &'static str, env: Env, roll: Roll) -> Event {
    at(t, What::Deploy { sha7, env, roll })
}

pub fn scale(t: i64, service: &'static str, env: Env, tasks: usize) -> Event {
    at(
        t,
        What::Scale {
            service,
            env,
            tasks,
        },
    )
}

pub fn report(t: i64, env: Env) -> Event {
    at(t, What::Report { env })
}

pub fn archive(t: i64, flow: &'static str) -> Event {
    at(t, What::Archive { flow })
}
