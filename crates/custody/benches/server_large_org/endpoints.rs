//! The requests timed at a large org: the API documents behind `custody get
//! artifact|snapshot`, `diff snapshots`, `log environment`, `search` and `list
//! flows`, and the web UI's main pages. Each sample asks about another
//! environment or artifact of the org, derived from the sample's number.

use custody_store::testing::large_org::{Scale, commit, environment_name, fingerprint, flow_name};

/// The org `large_org` builds.
pub const ORG: &str = "large";
/// Snapshots on a page of the environment log (the CLI's default).
const LOG_PAGE: usize = 15;

/// Who asks: the API with a key, or the web UI with a session cookie.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum As {
    Key,
    Browser,
}

/// One kind of request, and the path of its `i`th sample.
pub struct Endpoint {
    pub label: String,
    pub who: As,
    pub path: Box<dyn Fn(usize) -> String>,
}

fn endpoint(label: &str, who: As, path: impl Fn(usize) -> String + 'static) -> Endpoint {
    Endpoint {
        label: label.to_string(),
        who,
        path: Box::new(path),
    }
}

/// Every endpoint timed at an org of `scale`.
pub fn all(scale: &Scale) -> Vec<Endpoint> {
    let s = *scale;
    let env = move |i: usize| environment_name(i % s.environments);
    let flow = move |i: usize| i * 7 % s.flows;
    let version = move |i: usize| i * 13 % s.versions();
    let artifact = move |i: usize| (flow_name(flow(i)), fingerprint(flow(i), version(i)));
    let old = (s.snapshots / 10).max(1);
    let deep = (s.snapshots / LOG_PAGE * 9 / 10).max(1);
    vec![
        endpoint("get artifact", As::Key, move |i| {
            let (flow, fp) = artifact(i);
            format!("/api/v2/artifacts/{ORG}/{flow}/fingerprint/{fp}")
        }),
        endpoint("get snapshot latest", As::Key, move |i| {
            format!("/api/v2/snapshots/{ORG}/{}/-1", env(i))
        }),
        endpoint(&format!("get snapshot #{old}"), As::Key, move |i| {
            format!("/api/v2/snapshots/{ORG}/{}/{old}", env(i))
        }),
        endpoint(&format!("diff #{old} vs latest"), As::Key, move |i| {
            let e = env(i);
            format!("/api/v2/env-diff/{ORG}?snappish1={e}%23{old}&snappish2={e}")
        }),
        endpoint("log environment page 1", As::Key, move |i| {
            format!(
                "/api/v2/environments/{ORG}/{}/events?page=1&per_page={LOG_PAGE}",
                env(i)
            )
        }),
        endpoint(&format!("log environment page {deep}"), As::Key, move |i| {
            format!(
                "/api/v2/environments/{ORG}/{}/events?page={deep}&per_page={LOG_PAGE}",
                env(i)
            )
        }),
        endpoint("search commit prefix", As::Key, move |i| {
            let prefix = &commit(flow(i), version(i))[..8];
            format!("/api/v2/search/{ORG}/sha/{prefix}")
        }),
        endpoint("list flows", As::Key, |_| format!("/api/v2/flows/{ORG}")),
        endpoint("web: environments", As::Browser, |_| {
            format!("/{ORG}/environments/")
        }),
        endpoint("web: environment", As::Browser, move |i| {
            format!("/{ORG}/environments/{}", env(i))
        }),
        endpoint(&format!("web: snapshot #{old}"), As::Browser, move |i| {
            format!("/{ORG}/environments/{}/snapshots/{old}", env(i))
        }),
        endpoint("web: artifact", As::Browser, move |i| {
            let (flow, fp) = artifact(i);
            format!("/{ORG}/flows/{flow}/artifacts/{fp}")
        }),
        endpoint("web: flows", As::Browser, |_| format!("/{ORG}/flows/")),
    ]
}
