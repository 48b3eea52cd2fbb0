//! What the `--watch` modes of the snapshot commands share — the `--debounce`
//! and `--resync-interval` durations — and the watch of `snapshot paths|path`.
//!
//! A path watch keeps a filesystem watcher (the `notify` crate) on every
//! artifact: a directory recursively, a file through its parent directory so
//! that editors replacing it by a rename are still seen. Once no event has
//! come for `--debounce`, the artifacts are fingerprinted again and reported
//! only if a fingerprint changed; every `--resync-interval` they are reported
//! whatever changed. Ctrl-C sends any pending report and stops. The first
//! report's errors stop the watch; later ones are warnings, retried on the
//! next change.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use clap::{ArgAction, Args};
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::spec::ArtifactPath;
use super::{entries, report};
use crate::context::Ctx;

/// How long to wait before reporting, and how often to report everything again.
pub struct Timing {
    pub debounce: Duration,
    pub resync: Duration,
}

/// `--watch`, `--debounce` and `--resync-interval` of `snapshot paths|path`.
#[derive(Debug, Args)]
pub struct PathWatchFlags {
    /// Keep watching the paths and report every change until Ctrl-C.
    #[arg(
        long,
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        default_value = "false"
    )]
    watch: bool,
    /// With --watch: how long the paths must stay unchanged before a report (e.g. 500ms, 2s).
    #[arg(long, default_value = "500ms", value_parser = duration)]
    debounce: Duration,
    /// With --watch: how often to report every artifact again (e.g. 5m, 1h).
    #[arg(long, default_value = "5m", value_parser = duration)]
    resync_interval: Duration,
}

impl PathWatchFlags {
    /// Reports the artifacts once, or keeps reporting them with `--watch`.
    pub async fn run(
        &self,
        ctx: &Ctx,
        target: (&str, &str),
        artifacts: &[ArtifactPath],
    ) -> anyhow::Result<()> {
        if !self.watch {
            let (org, env) = target;
            return report(ctx, org, env, entries(artifacts)?).await;
        }
        let timing = Timing {
            debounce: self.debounce,
            resync: self.resync_interval,
        };
        paths(ctx, target, artifacts, timing).await
    }
}

/// Parses `250ms`, `2s`, `5m`, `1h` (a bare number is seconds).
pub fn duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("invalid duration '{text}'"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" | "" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("invalid duration '{text}': use ms, s, m or h")),
    }
}

/// Whether an event can change content: opening or reading a file cannot, and
/// fingerprinting opens every file, so counting those would loop.
fn changes(event: &Event) -> bool {
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The fingerprints of report entries, what decides whether to report.
fn digests(entries: &[Value]) -> Vec<Value> {
    entries.iter().map(|e| e["digests"].clone()).collect()
}

/// Fingerprints the artifacts and reports them if their fingerprints differ
/// from `sent` (always when `force`); returns what was reported.
async fn report_changed(
    ctx: &Ctx,
    (org, env): (&str, &str),
    artifacts: &[ArtifactPath],
    sent: Option<&[Value]>,
    force: bool,
) -> anyhow::Result<Option<Vec<Value>>> {
    let entries = entries(artifacts)?;
    let now = digests(&entries);
    if !force && sent == Some(now.as_slice()) {
        return Ok(None);
    }
    report(ctx, org, env, entries).await?;
    Ok(Some(now))
}

/// Reports the artifacts, then again on every change, until Ctrl-C.
async fn paths(
    ctx: &Ctx,
    (org, env): (&str, &str),
    artifacts: &[ArtifactPath],
    timing: Timing,
) -> anyhow::Result<()> {
    let (tx, mut events) = mpsc::unbounded_channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
        // The receiver is gone only once the watch has stopped.
        let _ = tx.send(event);
    })
    .context("failed to start watching the filesystem")?;
    for artifact in artifacts {
        let path = Path::new(&artifact.path);
        let (watched, mode) = match path.parent() {
            Some(parent) if path.is_file() => (
                if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                },
                RecursiveMode::NonRecursive,
            ),
            _ => (path, RecursiveMode::Recursive),
        };
        watcher.watch(watched, mode).with_context(|| {
            format!(
                "failed to watch path {} of artifact [{}]",
                artifact.path, artifact.name
            )
        })?;
    }
    let mut sent = report_changed(ctx, (org, env), artifacts, None, true)
        .await?
        .unwrap_or_default();
    let mut due: Option<Instant> = None;
    let mut resync = tokio::time::interval_at(Instant::now() + timing.resync, timing.resync);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let deadline = due.unwrap_or_else(|| Instant::now() + timing.resync);
        let force = tokio::select! {
            _ = &mut ctrl_c => {
                let target = (org, env);
                if due.is_some()
                    && let Err(e) = report_changed(ctx, target, artifacts, Some(&sent), false).await
                {
                    ctx.warn(&format!("{e:#}"));
                }
                eprintln!("stopped watching paths");
                return Ok(());
            }
            event = events.recv() => {
                match event {
                    None => anyhow::bail!("the filesystem watch ended"),
                    Some(Err(e)) => ctx.warn(&format!("filesystem watch failed: {e}")),
                    Some(Ok(event)) if changes(&event) => {
                        due = Some(Instant::now() + timing.debounce);
                    }
                    Some(Ok(_)) => {}
                }
                continue;
            }
            _ = tokio::time::sleep_until(deadline), if due.is_some() => false,
            _ = resync.tick() => true,
        };
        due = None;
        match report_changed(ctx, (org, env), artifacts, Some(&sent), force).await {
            Ok(Some(now)) => sent = now,
            Ok(None) => {}
            Err(e) => ctx.warn(&format!("{e:#}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(duration("5d").is_err());
        assert!(duration("ms").is_err());
    }
}
