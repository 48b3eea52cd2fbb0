//! Repos: recorded by trails and artifacts, one per provider and VCS id,
//! listed with filters and tagged.

use std::collections::BTreeMap;

use custody_core::repo::RepoSighting;

use super::{at, fingerprint};
use crate::{ArtifactInsert, ArtifactScope, Page, RepoFilter, RepoSeen, Store, TrailUpsert};

fn seen(public_id: &str, name: &str, external_id: &str) -> Option<RepoSeen> {
    Some(RepoSeen {
        public_id: public_id.into(),
        sighting: RepoSighting {
            name: name.into(),
            url: format!("https://github.com/{name}"),
            provider: "github".into(),
            external_id: external_id.into(),
        },
    })
}

const PAGE: Page = Page {
    page: 1,
    per_page: 10,
};

pub async fn repos_are_recorded_listed_and_tagged(store: &dyn Store) {
    let (org, flow) = super::org_with_flow(store, "repos-org", "svc").await;
    for (trail, repo) in [
        ("t1", seen("r-1", "acme/Backend", "1")),
        ("t2", seen("r-ignored", "acme/Backend", "1")),
        ("t3", seen("r-2", "acme/backend", "")),
        ("t4", seen("r-3", "other/app", "3")),
    ] {
        let trail = TrailUpsert {
            name: trail.into(),
            repo,
            ..Default::default()
        };
        store.upsert_trail(flow.id, &trail, at(2.0)).await.unwrap();
    }
    let (all, total) = store
        .repos(org.id, &RepoFilter::default(), PAGE)
        .await
        .unwrap();
    let names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        (names, total),
        (vec!["acme/Backend", "acme/backend", "other/app"], 3),
        "one repo per VCS id, sorted by name"
    );
    assert_eq!(all[0].public_id, "r-1", "a repo keeps its first id");
    let search = RepoFilter {
        search: Some("BACK".into()),
        descending: true,
        ..Default::default()
    };
    let (found, _) = store.repos(org.id, &search, PAGE).await.unwrap();
    let names: Vec<&str> = found.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["acme/backend", "acme/Backend"],
        "search ignores case"
    );

    let repo = store.repo(org.id, "r-3").await.unwrap().expect("by id");
    let tags = BTreeMap::from([("team".to_string(), "platform".to_string())]);
    store.set_repo_tags(repo.id, &tags, at(3.0)).await.unwrap();
    for (tag, expected) in [(None, 1), (Some("platform"), 1), (Some("web"), 0)] {
        let filter = RepoFilter {
            tags: vec![("team".into(), tag.map(String::from))],
            ..Default::default()
        };
        let (_, n) = store.repos(org.id, &filter, PAGE).await.unwrap();
        assert_eq!(n, expected, "tag filter {tag:?}");
    }
    let tagged = store.repo(org.id, "r-3").await.unwrap().unwrap();
    assert_eq!(tagged.tags, r#"{"team":"platform"}"#);

    store
        .insert_artifact(&ArtifactInsert {
            flow_id: flow.id,
            trail_id: None,
            fingerprint: fingerprint('4'),
            filename: "app".into(),
            template_name: None,
            git_commit: None,
            commit_url: None,
            build_url: None,
            repo_url: None,
            repo: seen("r-new", "other/app", "3"),
            payload: "{}".into(),
            created_at: at(4.0),
        })
        .await
        .unwrap();
    let names = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let several = store
        .repos_named(
            org.id,
            &names(&["acme/backend", "acme/Backend", "none/such"]),
        )
        .await
        .unwrap();
    let found: Vec<&str> = several.iter().map(|r| r.public_id.as_str()).collect();
    assert_eq!(found, ["r-2", "r-1"], "any of the names, latest seen first");
    let named = store
        .repos_named(org.id, &names(&["other/app"]))
        .await
        .unwrap();
    assert_eq!(named.len(), 1);
    let scope = ArtifactScope::Repos(vec![named[0].id, named[0].id]);
    let (built, n) = store.artifacts(org.id, &scope, PAGE).await.unwrap();
    assert_eq!(
        (built.len(), n),
        (1, 1),
        "artifacts are found by their repo"
    );
    let none = ArtifactScope::Repos(vec![]);
    let (built, _) = store.artifacts(org.id, &none, PAGE).await.unwrap();
    assert!(built.is_empty());
    assert!(store.repo(org.id, "no-such").await.unwrap().is_none());
}
