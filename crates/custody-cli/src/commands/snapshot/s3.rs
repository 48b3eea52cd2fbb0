//! `snapshot s3 ENV --bucket B`: the content of an AWS S3 bucket as one
//! artifact, reported as `PUT /environments/{org}/{env}/report/S3`. The
//! selected objects are downloaded into a temporary directory: a single file
//! (below any single-child directories) is fingerprinted as a file and named
//! by its base name, anything else as a `dir` named by the bucket. The
//! timestamp is the newest object's `LastModified`.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use custody_fingerprint::{dir_fingerprint, file_fingerprint};
use serde_json::{Value, json};

use super::{AutoEnvironment, put_report};
use crate::aws::s3::Object;
use crate::aws::{AwsFlags, Client, NameFilter};
use crate::context::Ctx;
use crate::flags::only_one;

/// The environment type this reporter feeds.
const ENV_TYPE: &str = "S3";

#[derive(Debug, Args)]
pub struct SnapshotS3 {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    /// The bucket.
    #[arg(long, required = true)]
    bucket: String,
    /// Object key prefixes to report (default: every object).
    #[arg(short = 'i', long, value_delimiter = ',')]
    include: Vec<String>,
    /// Object keys to report, by regex.
    #[arg(long, value_delimiter = ',')]
    include_regex: Vec<String>,
    /// Object key prefixes to leave out.
    #[arg(short = 'x', long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Object keys to leave out, by regex.
    #[arg(long, value_delimiter = ',')]
    exclude_regex: Vec<String>,
    #[command(flatten)]
    aws: AwsFlags,
    #[command(flatten)]
    auto: AutoEnvironment,
}

/// Whether a key is kept: prefixes (leading `/` trimmed) and searched regexes.
fn keeps(filter: &NameFilter, key: &str) -> bool {
    let matches = |prefixes: &[String], regexes: &[regex::Regex]| {
        prefixes
            .iter()
            .any(|p| key.starts_with(p.trim_start_matches('/')))
            || regexes.iter().any(|r| r.is_match(key))
    };
    if !filter.names.is_empty() || !filter.regexes.is_empty() {
        return matches(&filter.names, &filter.regexes);
    }
    !matches(&filter.exclude, &filter.exclude_regexes)
}

/// Where an object goes below `root`; keys that would leave it are refused.
fn local_path(root: &Path, key: &str) -> anyhow::Result<PathBuf> {
    let relative = Path::new(key);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        bail!("refusing to download object '{key}': its key is not a plain relative path");
    }
    Ok(root.join(relative))
}

/// The artifact of a downloaded tree: `(name, fingerprint)`.
fn fingerprint(root: &Path, bucket: &str) -> anyhow::Result<(String, String)> {
    let mut path = root.to_path_buf();
    loop {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        match entries.pop() {
            Some(only) if entries.is_empty() && only.is_dir() => path = only,
            Some(only) if entries.is_empty() => {
                let name = only.file_name().unwrap_or_default().to_string_lossy();
                return Ok((name.into_owned(), file_fingerprint(&only)?));
            }
            _ => return Ok((bucket.to_string(), dir_fingerprint(root, &[])?)),
        }
    }
}

/// Downloads the selected objects and returns the bucket's report entry.
async fn artifact(client: &Client, bucket: &str, objects: &[Object]) -> anyhow::Result<Value> {
    let dir = tempfile::tempdir()?;
    for object in objects {
        let path = local_path(dir.path(), &object.key)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let content = client.s3_get(bucket, &object.key).await?;
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let (name, digest) = fingerprint(dir.path(), bucket)?;
    let newest = objects.iter().map(|o| o.last_modified).max();
    Ok(json!({"digests": {name: digest}, "creationTimestamp": newest.unwrap_or_default()}))
}

impl SnapshotS3 {
    pub async fn run(mut self, ctx: &Ctx) -> anyhow::Result<()> {
        let env = std::mem::take(&mut self.env);
        let org = ctx.require_login()?;
        let (include, include_regex) = (!self.include.is_empty(), !self.include_regex.is_empty());
        let (exclude, exclude_regex) = (!self.exclude.is_empty(), !self.exclude_regex.is_empty());
        only_one(&[
            &[("include", include), ("exclude", exclude)],
            &[("include", include), ("exclude-regex", exclude_regex)],
            &[("include-regex", include_regex), ("exclude", exclude)],
            &[
                ("include-regex", include_regex),
                ("exclude-regex", exclude_regex),
            ],
        ])?;
        let filter = NameFilter::new(
            std::mem::take(&mut self.include),
            &self.include_regex,
            std::mem::take(&mut self.exclude),
            &self.exclude_regex,
        )?;
        let client = Client::new(&self.aws).await?;
        self.auto.ensure(ctx, org, &env, ENV_TYPE).await?;
        let bucket = &self.bucket;
        let objects: Vec<Object> = client
            .s3_objects(bucket)
            .await?
            .into_iter()
            .filter(|o| !o.key.ends_with('/') && keeps(&filter, &o.key))
            .collect();
        if objects.is_empty() {
            bail!("no matching file or dirs in bucket: [{bucket}]");
        }
        let artifact = artifact(&client, bucket, &objects).await?;
        if put_report(ctx, (org, &env, ENV_TYPE), vec![artifact]).await? {
            println!("bucket {bucket} was reported to environment {env}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kept_by_prefix_or_regex() {
        let include =
            NameFilter::new(vec!["/web/".into()], &["\\.css$".into()], vec![], &[]).unwrap();
        assert!(keeps(&include, "web/index.html") && keeps(&include, "x/a.css"));
        assert!(!keeps(&include, "api/main.js"));
        let exclude = NameFilter::new(vec![], &[], vec!["logs".into()], &[]).unwrap();
        assert!(!keeps(&exclude, "logs/a") && keeps(&exclude, "web/a"));
        assert!(local_path(Path::new("/t"), "../etc/passwd").is_err());
    }
}
