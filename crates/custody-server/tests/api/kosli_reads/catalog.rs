//! `kosli get|list attestation-type(s)` and `kosli get|list polic(y|ies)`.

use super::checker::Audit;
use super::kind::Kind::*;
use crate::harness::TestServer;

pub async fn catalog(srv: &TestServer, audit: &mut Audit) {
    let r = &srv.reader;

    // listAttestationTypes.go: `len(attestationType["versions"].([]interface{}))`.
    if let Some(mut c) = audit
        .read(
            r,
            "kosli list attestation-types",
            "custom-attestation-types/acme",
        )
        .await
    {
        c.require("", NonEmptyArr);
        c.require("[].versions", Arr);
    }

    // getAttestationType.go: `formattedTimestamp` of `created_at` and
    // `last_modified_at` when present (not for one version asked for),
    // `attestationType["versions"].([]interface{})`, `version.(map...)`,
    // `int(version["version"].(float64))`, `formattedTimestamp(version["timestamp"])`.
    for (command, path, whole) in [
        (
            "kosli get attestation-type cov",
            "custom-attestation-types/acme/cov",
            true,
        ),
        (
            "kosli get attestation-type cov@v1",
            "custom-attestation-types/acme/cov?version=1",
            false,
        ),
    ] {
        if let Some(mut c) = audit.read(r, command, path).await {
            if whole {
                c.require_all(&["created_at", "last_modified_at"], Ts);
            }
            c.require("versions", NonEmptyArr);
            c.require("versions[]", Obj);
            c.require("versions[].version", Num);
            c.require("versions[].timestamp", Ts);
        }
    }

    // getPolicy.go: `formattedTimestamp(policy["created_at"])`,
    // `policy["consuming_envs"].([]interface{})`, `policy["versions"].([]interface{})`,
    // `versions[len(versions)-1].(map...)["policy_yaml"].(string)`.
    if let Some(mut c) = audit
        .read(r, "kosli get policy prov", "policies/acme/prov")
        .await
    {
        c.require("created_at", Ts);
        c.require("consuming_envs", NonEmptyArr);
        c.require("versions", NonEmptyArr);
        let last = c.len("versions").saturating_sub(1);
        c.require(&format!("versions[{last}]"), Obj);
        c.require(&format!("versions[{last}].policy_yaml"), Str);
    }

    // listPolicies.go: `formattedTimestamp(policy["created_at"])`,
    // `policy["versions"].([]interface{})`, `policy["consuming_envs"].([]interface{})`.
    if let Some(mut c) = audit.read(r, "kosli list policies", "policies/acme").await {
        c.require("", NonEmptyArr);
        c.require("[].created_at", Ts);
        c.require_all(&["[].versions", "[].consuming_envs"], Arr);
    }
}
