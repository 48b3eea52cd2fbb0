//! Git commit details for reports (reference §9), read by running the `git`
//! binary in `--repo-root`: the `git_commit_info` of a revision (sha, trimmed
//! message, `Name <email>` author, author time, checked-out branch, commit URL
//! from the `origin` remote) and the repository URL that remote normalises to.

use std::process::Command;

use anyhow::{anyhow, bail};
use custody_api::GitCommitInfo;

/// The parts of a commit `--redact-commit-info` may hide.
pub const REDACTABLE: [&str; 3] = ["author", "message", "branch"];

const REDACTED: &str = "**REDACTED**";

/// Runs `git -C <root> <args>`: `Ok(stdout)` on success, `Err(stderr)` on a
/// non-zero exit, and an I/O error when git cannot be started.
fn git(root: &str, args: &[&str]) -> std::io::Result<Result<String, String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("LC_ALL", "C")
        .output()?;
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Ok(if output.status.success() {
        Ok(text(&output.stdout))
    } else {
        Err(text(&output.stderr))
    })
}

/// Checks that `root` is a git repository.
fn open(root: &str) -> anyhow::Result<()> {
    let reason = match git(root, &["rev-parse", "--git-dir"]) {
        Ok(Ok(_)) => return Ok(()),
        Err(e) => format!("cannot run git: {e}"),
        Ok(Err(stderr))
            if stderr.contains("not a git repository") || stderr.contains("cannot change to") =>
        {
            "repository does not exist".to_string()
        }
        Ok(Err(stderr)) => stderr
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("fatal: ")
            .to_string(),
    };
    bail!("failed to open git repository at {root}: {reason}")
}

/// The short name of the checked-out branch, `""` when HEAD is detached.
fn current_branch(root: &str) -> String {
    match git(root, &["symbolic-ref", "--quiet", "--short", "HEAD"]) {
        Ok(Ok(name)) => name.trim().to_string(),
        _ => String::new(),
    }
}

/// The `origin` remote's first URL, as configured.
fn origin(root: &str) -> Option<String> {
    let urls = git(root, &["config", "--get-all", "remote.origin.url"])
        .ok()?
        .ok()?;
    urls.lines()
        .next()
        .map(str::to_string)
        .filter(|u| !u.is_empty())
}

/// The commit details of `reference` (`HEAD`, `HEAD~2`, a branch, a full or short sha).
pub fn commit_info(
    root: &str,
    reference: &str,
    redact: &[String],
) -> anyhow::Result<GitCommitInfo> {
    open(root)?;
    let mut branch = current_branch(root);
    let spec = format!("{reference}^{{commit}}");
    let sha = match git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    ) {
        Ok(Ok(sha)) => sha.trim().to_string(),
        _ => bail!("failed to resolve git reference {reference}: reference not found"),
    };
    let format = "--format=%an%x00%ae%x00%at%x00%B";
    let fields = git(
        root,
        &["log", "-1", "--no-show-signature", format, &sha, "--"],
    )?
    .map_err(|e| anyhow!("could not retrieve commit for {sha}: {}", e.trim()))?;
    let mut parts = fields.splitn(4, '\0');
    let mut next = || parts.next().unwrap_or_default().to_string();
    let (name, email, time, message) = (next(), next(), next(), next());
    let mut author = format!("{name} <{email}>");
    let mut message = message.trim().to_string();
    let timestamp: i64 = time
        .trim()
        .parse()
        .map_err(|_| anyhow!("could not read the author time of commit {sha}"))?;
    for (part, value) in [
        ("author", &mut author),
        ("message", &mut message),
        ("branch", &mut branch),
    ] {
        if redact.iter().any(|r| r == part) {
            *value = REDACTED.to_string();
        }
    }
    let url = origin(root).map(|remote| commit_url(&normalise_remote(&remote), &sha));
    Ok(GitCommitInfo {
        sha1: sha,
        message,
        author,
        timestamp: timestamp as f64,
        branch,
        url,
    })
}

/// The normalised URL of the `origin` remote (`repo_url` of `attest artifact`).
pub fn repo_url(root: &str) -> anyhow::Result<String> {
    match origin(root) {
        Some(remote) => Ok(normalise_remote(&remote)),
        None => bail!("remote('origin') is not found in git repository: {root}"),
    }
}

/// A remote as a browsable URL, like Kosli: `git@host:org/repo.git` becomes
/// `https://host/org/repo`, the first `.git` goes and credentials are dropped.
pub fn normalise_remote(remote: &str) -> String {
    let mut url = remote.to_string();
    if url.starts_with("git@") {
        url = url.replacen(':', "/", 1).replacen("git@", "https://", 1);
    }
    let url = url.replacen(".git", "", 1);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}{tail}")
}

/// The page of `sha` in the repository at `repo`, by the host's URL scheme.
pub fn commit_url(repo: &str, sha: &str) -> String {
    let host = repo
        .split_once("://")
        .map_or("", |(_, rest)| rest.split('/').next().unwrap_or_default());
    let repo = repo.trim_end_matches('/');
    if host.contains("gitlab.com") {
        format!("{repo}/-/commit/{sha}")
    } else if host.contains("bitbucket.org") {
        format!("{repo}/commits/{sha}")
    } else {
        format!("{repo}/commit/{sha}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_are_normalised_like_kosli() {
        let cases = [
            (
                "git@github.com:acme/shop.git",
                "https://github.com/acme/shop",
            ),
            (
                "https://github.com/acme/shop.git",
                "https://github.com/acme/shop",
            ),
            (
                "https://user:secret@gitlab.com/acme/shop.git",
                "https://gitlab.com/acme/shop",
            ),
            (
                "ssh://git@host.example:22/acme/shop",
                "ssh://host.example:22/acme/shop",
            ),
            ("/srv/git/shop.git", "/srv/git/shop"),
        ];
        for (remote, want) in cases {
            assert_eq!(normalise_remote(remote), want, "{remote}");
        }
    }

    #[test]
    fn commit_urls_follow_the_host() {
        assert_eq!(
            commit_url("https://github.com/a/b", "c1"),
            "https://github.com/a/b/commit/c1"
        );
        assert_eq!(
            commit_url("https://gitlab.com/a/b/", "c1"),
            "https://gitlab.com/a/b/-/commit/c1"
        );
        assert_eq!(
            commit_url("https://bitbucket.org/a/b", "c1"),
            "https://bitbucket.org/a/b/commits/c1"
        );
    }

    fn run(dir: &std::path::Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map(|o| o.status.success());
        assert!(matches!(ok, Ok(true)), "git {args:?}");
    }

    #[test]
    fn reads_a_commit_from_a_repository() {
        let dir = std::env::temp_dir().join(format!("custody-git-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        run(&dir, &["init", "-q", "-b", "main"]);
        run(
            &dir,
            &["remote", "add", "origin", "git@github.com:acme/shop.git"],
        );
        let env = [
            ("GIT_AUTHOR_DATE", "@1700000000 +0000"),
            ("GIT_COMMITTER_DATE", "@1700000000 +0000"),
        ];
        let ok = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args([
                "-c",
                "user.name=Ann",
                "-c",
                "user.email=ann@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(["commit", "-q", "--allow-empty", "-m", " first \n"])
            .envs(env)
            .status();
        assert!(matches!(ok, Ok(s) if s.success()));
        let root = dir.display().to_string();
        let info = commit_info(&root, "HEAD", &["author".to_string()]).unwrap();
        assert_eq!(
            (
                info.message.as_str(),
                info.author.as_str(),
                info.branch.as_str()
            ),
            ("first", REDACTED, "main")
        );
        assert_eq!(info.timestamp, 1_700_000_000.0);
        assert_eq!(
            info.url,
            Some(format!("https://github.com/acme/shop/commit/{}", info.sha1))
        );
        assert_eq!(repo_url(&root).unwrap(), "https://github.com/acme/shop");
        let err = commit_info(&root, "nope", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to resolve git reference nope: reference not found"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let err = commit_info(&root, "HEAD", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("failed to open git repository at {root}: repository does not exist")
        );
    }
}
