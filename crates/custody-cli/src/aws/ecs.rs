//! ECS over its JSON 1.1 protocol (`X-Amz-Target:
//! AmazonEC2ContainerServiceV20141113.<Action>`): clusters, their services and
//! the RUNNING tasks of each service, turned into Kosli's ECS report entries.

use std::collections::BTreeMap;

use reqwest::{Method, Url};
use serde_json::{Value, json};

use super::{Client, NameFilter};

const TARGET: &str = "AmazonEC2ContainerServiceV20141113";

/// The last `/`-separated part of an ARN: a cluster's or service's name.
fn name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// A container's digest: `imageDigest` without `sha256:`, else the part of
/// the image after `@sha256:`, else empty.
pub fn container_digest(image: &str, image_digest: Option<&str>) -> String {
    if let Some(digest) = image_digest.filter(|d| !d.is_empty()) {
        return digest.trim_start_matches("sha256:").to_string();
    }
    image
        .split_once("@sha256:")
        .map(|(_, d)| d.to_string())
        .unwrap_or_default()
}

/// The report entry of a described task, if it is RUNNING.
pub fn task_entry(task: &Value, cluster: &str, service: &str) -> Option<Value> {
    if task["lastStatus"].as_str() != Some("RUNNING") {
        return None;
    }
    let mut digests = BTreeMap::new();
    for container in task["containers"].as_array().into_iter().flatten() {
        let image = container["image"].as_str().unwrap_or_default();
        let key = if image.is_empty() {
            container["name"].as_str().unwrap_or_default()
        } else {
            image
        };
        let digest = container_digest(image, container["imageDigest"].as_str());
        digests.insert(key.to_string(), digest);
    }
    Some(json!({
        "taskArn": task["taskArn"].as_str().unwrap_or_default(),
        "cluster_name": cluster,
        "service_name": service,
        "digests": digests,
        "creationTimestamp": task["startedAt"].as_f64().unwrap_or_default() as i64,
    }))
}

impl Client {
    async fn ecs(&self, action: &str, body: Value) -> anyhow::Result<Value> {
        let (base, _) = self.endpoint("ecs");
        let url = Url::parse(&format!("{base}/"))?;
        let headers = vec![
            (
                "content-type".to_string(),
                "application/x-amz-json-1.1".to_string(),
            ),
            ("x-amz-target".to_string(), format!("{TARGET}.{action}")),
        ];
        let bytes = self
            .send(
                "ecs",
                Method::POST,
                url,
                headers,
                body.to_string().into_bytes(),
            )
            .await
            .map_err(|e| e.context(format!("ECS {action} failed")))?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Every page of a list action's `key` (ARNs).
    async fn ecs_list(&self, action: &str, body: Value, key: &str) -> anyhow::Result<Vec<String>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = body.clone();
            if let Some(t) = &token {
                request["nextToken"] = Value::String(t.clone());
            }
            let page = self.ecs(action, request).await?;
            let arns = page[key].as_array().into_iter().flatten();
            out.extend(arns.filter_map(Value::as_str).map(str::to_string));
            token = page["nextToken"].as_str().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    /// The report entries of the RUNNING tasks of the selected clusters' selected services.
    pub async fn ecs_tasks(
        &self,
        clusters: &NameFilter,
        services: &NameFilter,
    ) -> anyhow::Result<Vec<Value>> {
        let mut entries = Vec::new();
        let cluster_arns = self
            .ecs_list("ListClusters", json!({}), "clusterArns")
            .await?;
        for cluster_arn in cluster_arns.iter().filter(|a| clusters.keeps(name_of(a))) {
            let cluster = name_of(cluster_arn);
            let body = json!({"cluster": cluster_arn});
            let service_arns = self.ecs_list("ListServices", body, "serviceArns").await?;
            for service_arn in service_arns.iter().filter(|a| services.keeps(name_of(a))) {
                let service = name_of(service_arn);
                let body = json!({"cluster": cluster_arn, "serviceName": service});
                let task_arns = self.ecs_list("ListTasks", body, "taskArns").await?;
                for chunk in task_arns.chunks(100) {
                    let body = json!({"cluster": cluster_arn, "tasks": chunk});
                    let described = self.ecs("DescribeTasks", body).await?;
                    let tasks = described["tasks"].as_array().into_iter().flatten();
                    entries.extend(tasks.filter_map(|t| task_entry(t, cluster, service)));
                }
            }
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_come_from_image_digest_or_the_pinned_image() {
        let d = "a".repeat(64);
        assert_eq!(container_digest("x:1", Some(&format!("sha256:{d}"))), d);
        assert_eq!(container_digest(&format!("x@sha256:{d}"), None), d);
        assert_eq!(container_digest("x:1", None), "");
    }

    #[test]
    fn only_running_tasks_are_entries() {
        let task = json!({"taskArn": "arn:t", "lastStatus": "RUNNING", "startedAt": 1.7e9,
            "containers": [{"name": "app", "imageDigest": "sha256:ab"}, {"name": "x", "image": "nginx:1"}]});
        let entry = task_entry(&task, "c", "s").unwrap();
        assert_eq!(entry["digests"], json!({"app": "ab", "nginx:1": ""}));
        assert_eq!(entry["creationTimestamp"], 1_700_000_000);
        assert!(task_entry(&json!({"lastStatus": "STOPPED"}), "c", "s").is_none());
    }
}
