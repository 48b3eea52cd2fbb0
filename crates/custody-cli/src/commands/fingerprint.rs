//! `fingerprint PATH|IMAGE --artifact-type file|dir|docker|oci [--exclude ...]`,
//! and the fingerprint flags every reporting command shares (`--artifact-type`,
//! `--exclude`, `--registry-username/--registry-password`): computing a
//! fingerprint from an argument, and checking a typed `--fingerprint`. Images
//! are fingerprinted by [`crate::images`].

use std::path::Path;

use anyhow::bail;
use clap::Args;
use custody_core::Fingerprint;
use custody_fingerprint::{NoProgress, Progress};

use crate::flags::{bool_hint, exactly_one};
use crate::progress_bar::FingerprintBar;
use crate::usage;

/// `--artifact-type` and `--exclude`, for commands that can fingerprint their argument.
#[derive(Debug, Clone, Args)]
pub struct FingerprintFlags {
    /// The type of the artifact to fingerprint: file, dir, docker or oci.
    #[arg(short = 't', long)]
    pub artifact_type: Option<String>,
    /// Paths or globs to leave out of a dir fingerprint (also read from .kosli_ignore).
    #[arg(short = 'x', long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Boxed: it is rarely set, and keeps the command enums small.
    #[command(flatten)]
    pub registry: Box<RegistryFlags>,
}

/// `--registry-username/--registry-password`, for image fingerprints.
#[derive(Debug, Clone, Default, Args)]
pub struct RegistryFlags {
    /// The container registry username (for docker and oci artifacts).
    #[arg(long, requires = "registry_password")]
    pub registry_username: Option<String>,
    /// The container registry password or token.
    #[arg(long, requires = "registry_username")]
    pub registry_password: Option<String>,
    #[arg(long, hide = true)]
    _registry_provider: Option<String>,
}

impl RegistryFlags {
    fn credentials(&self) -> Option<crate::images::Credentials> {
        Some(crate::images::Credentials {
            username: self.registry_username.clone()?,
            password: self.registry_password.clone()?,
        })
    }
}

impl FingerprintFlags {
    /// Kosli's checks where an argument names the artifact (`attest artifact`,
    /// `expect deployment`); `name_required` even with `--fingerprint`.
    pub fn check_artifact(
        &self,
        arg: Option<&str>,
        fingerprint: Option<&str>,
        name_required: bool,
    ) -> anyhow::Result<()> {
        let artifact_type = self.artifact_type.as_deref();
        check_artifact_arg(arg, artifact_type, fingerprint, name_required)
    }

    /// Kosli's checks where the argument is optional (attestations).
    pub fn check_attestation(
        &self,
        args: &[String],
        fingerprint: Option<&str>,
    ) -> anyhow::Result<()> {
        check_attestation_arg(args, self.artifact_type.as_deref(), fingerprint)
    }
}

/// The fingerprint of the artifact at `path` (an image name for docker and
/// oci), by artifact type. Image lookups block on the multi-threaded runtime.
pub fn compute(
    artifact_type: &str,
    path: &str,
    excludes: &[String],
    registry: &RegistryFlags,
) -> anyhow::Result<String> {
    compute_watched(artifact_type, path, excludes, registry, &NoProgress)
}

/// [`compute`], telling `progress` how hashing a file or directory goes.
fn compute_watched(
    artifact_type: &str,
    path: &str,
    excludes: &[String],
    registry: &RegistryFlags,
    progress: &dyn Progress,
) -> anyhow::Result<String> {
    match artifact_type {
        "file" | "dir" => Ok(custody_fingerprint::fingerprint_with_progress(
            artifact_type,
            Path::new(path),
            excludes,
            progress,
        )?),
        "docker" | "oci" => tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(crate::images::fingerprint(
                artifact_type,
                path,
                registry.credentials(),
            ))
        }),
        other => bail!("{other} is not a supported artifact type"),
    }
}

/// Checks a typed `--fingerprint`: 64 lower-case hex characters.
/// Kosli's pre-run checks of a command whose argument names the artifact
/// (`allow artifact`, `assert artifact`, `attest artifact`): the argument,
/// `--artifact-type` or `--fingerprint`, and the fingerprint's form.
pub fn check_artifact_arg(
    arg: Option<&str>,
    artifact_type: Option<&str>,
    fingerprint: Option<&str>,
    name_required: bool,
) -> anyhow::Result<()> {
    if arg.is_none_or(str::is_empty) {
        if name_required {
            return Err(usage::error(
                "docker image name or file/dir path is required",
            ));
        }
        if fingerprint.is_none() {
            return Err(usage::error(
                "docker image name or file/dir path is required when --fingerprint is not provided",
            ));
        }
    }
    if artifact_type.is_none() && fingerprint.is_none() {
        return Err(usage::error(
            "either --artifact-type or --fingerprint must be specified",
        ));
    }
    fingerprint.map_or(Ok(()), checked_with_usage)
}

/// Kosli's pre-run checks of an attestation's optional artifact argument.
pub fn check_attestation_arg(
    args: &[impl AsRef<str>],
    artifact_type: Option<&str>,
    fingerprint: Option<&str>,
) -> anyhow::Result<()> {
    let arg = args.first().map(AsRef::as_ref);
    if artifact_type.is_some() && arg.is_none_or(str::is_empty) {
        return Err(usage::error(
            "artifact name argument is required when --artifact-type is set",
        ));
    }
    if let (None, None, Some(arg)) = (artifact_type, fingerprint, arg) {
        let hint = bool_hint(args);
        return Err(usage::error(format!(
            "--artifact-type or --fingerprint must be specified when artifact name ('{arg}') argument is supplied.{hint}"
        )));
    }
    fingerprint.map_or(Ok(()), checked_with_usage)
}

/// [`check`], as a pre-run check: its error comes with the usage line.
fn checked_with_usage(fingerprint: &str) -> anyhow::Result<()> {
    check(fingerprint).map_err(|e| usage::error(format!("{e:#}")))
}

pub fn check(fingerprint: &str) -> anyhow::Result<()> {
    Fingerprint::parse(fingerprint)?;
    Ok(())
}

#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// The file, directory or image.
    #[arg(value_name = "FILE-PATH | DIR-PATH | IMAGE-NAME")]
    args: Vec<String>,
    /// The type of the artifact: file, dir, docker or oci.
    #[arg(short = 't', long)]
    artifact_type: String,
    /// Paths or globs to leave out of a dir fingerprint (also read from .kosli_ignore).
    #[arg(short = 'x', long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// The old spelling of --exclude.
    #[arg(short = 'e', long = "e", hide = true, value_delimiter = ',')]
    old_exclude: Vec<String>,
    #[command(flatten)]
    registry: RegistryFlags,
}

impl FingerprintArgs {
    /// Prints the fingerprint, with a progress bar on a terminal unless `quiet`.
    pub fn run(self, quiet: bool) -> anyhow::Result<()> {
        let path = exactly_one(self.args)?;
        let exclude = [self.exclude, self.old_exclude].concat();
        let fingerprint = compute_watched(
            &self.artifact_type,
            &path,
            &exclude,
            &self.registry,
            &FingerprintBar::on_stderr(quiet),
        )?;
        println!("{fingerprint}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_directories_are_fingerprinted() {
        let dir = std::env::temp_dir().join(format!("custody-fp-cmd-{}", std::process::id()));
        let none = RegistryFlags::default();
        std::fs::create_dir_all(dir.join("logs")).unwrap();
        std::fs::write(dir.join("a.txt"), "this is non empty").unwrap();
        let file = dir.join("a.txt").display().to_string();
        assert_eq!(
            compute("file", &file, &[], &none).unwrap(),
            "1256d6510a6606ad61a4f6104243a291b18383b456d50205eba893b51e1807bc"
        );
        let root = dir.display().to_string();
        let with_logs = compute("dir", &root, &[], &none).unwrap();
        assert_ne!(
            with_logs,
            compute("dir", &root, &["logs".to_string()], &none).unwrap()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unknown_types_are_refused() {
        assert_eq!(
            compute("zip", "x", &[], &RegistryFlags::default())
                .unwrap_err()
                .to_string(),
            "zip is not a supported artifact type"
        );
    }

    #[test]
    fn arguments_are_checked_like_kosli() {
        let none = FingerprintFlags {
            artifact_type: None,
            exclude: vec![],
            registry: Box::default(),
        };
        let file = FingerprintFlags {
            artifact_type: Some("file".into()),
            exclude: vec![],
            registry: Box::default(),
        };
        let msg = |r: anyhow::Result<()>| r.unwrap_err().to_string();
        assert_eq!(
            msg(none.check_artifact(None, Some("x"), true)),
            "docker image name or file/dir path is required"
        );
        assert_eq!(
            msg(none.check_artifact(None, None, false)),
            "docker image name or file/dir path is required when --fingerprint is not provided"
        );
        assert_eq!(
            msg(none.check_artifact(Some("a"), None, true)),
            "either --artifact-type or --fingerprint must be specified"
        );
        assert!(file.check_artifact(Some("a"), None, true).is_ok());
        let args = vec!["wibble".to_string()];
        assert_eq!(
            msg(none.check_attestation(&args, None)),
            "--artifact-type or --fingerprint must be specified when artifact name ('wibble') argument is supplied."
        );
        assert_eq!(
            msg(file.check_attestation(&[], None)),
            "artifact name argument is required when --artifact-type is set"
        );
        assert!(none.check_attestation(&[], None).is_ok());
    }

    #[test]
    fn typed_fingerprints_must_be_sha256_hex() {
        assert!(check(&"a".repeat(64)).is_ok());
        assert_eq!(
            check("xxxx").unwrap_err().to_string(),
            "xxxx is not a valid SHA256 fingerprint. It should match the pattern ^([a-f0-9]{64})$"
        );
    }
}
