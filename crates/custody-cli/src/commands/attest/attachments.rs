//! `--attachments`: files and directories sent with an attestation as its
//! `attachment_file` part, packaged as Kosli does: one regular file as is, one
//! directory as a gzip'd tar `evidence.tgz` of its files (entry names relative to
//! it), several paths as `evidence.tgz` holding each at its own path. The file
//! is streamed from disk as it is sent (an archive is written to a temporary
//! file first), so attachments of any size cost no memory.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;
use custody_client::FileContent;
use flate2::Compression;
use flate2::write::GzEncoder;
use tempfile::TempPath;

use crate::output::io_text;

/// The multipart part an attachment travels in.
const PART: &str = "attachment_file";
/// The name of a packaged archive.
const ARCHIVE: &str = "evidence.tgz";

/// `--attachments PATH[,PATH...]`.
#[derive(Debug, Clone, Default, Args)]
pub struct AttachmentFlags {
    /// Files or directories to attach (repeatable): one file is sent as is, a
    /// directory or several paths as a gzip'd tar `evidence.tgz`.
    #[arg(long, value_delimiter = ',')]
    pub attachments: Vec<String>,
}

/// The attachment to send: its form parts, and the temporary archive they
/// read from (removed when this is dropped, so keep it until the send ends).
#[derive(Default)]
pub struct Packaged {
    pub files: Vec<(String, String, FileContent)>,
    _archive: Option<TempPath>,
}

impl AttachmentFlags {
    /// The form's file parts: none, or the packaged attachment.
    pub fn files(&self) -> anyhow::Result<Packaged> {
        if self.attachments.is_empty() {
            return Ok(Packaged::default());
        }
        let package = package(&self.attachments)?;
        Ok(Packaged {
            files: vec![(
                PART.to_string(),
                package.name,
                FileContent::Path(package.path.to_path_buf()),
            )],
            _archive: package.archive,
        })
    }
}

/// What is uploaded for some paths: a file under a name, which is a temporary
/// archive unless one file was given.
pub struct Package {
    pub name: String,
    pub path: PathBuf,
    archive: Option<TempPath>,
}

/// The file to upload for these paths.
pub fn package(paths: &[String]) -> anyhow::Result<Package> {
    for path in paths {
        std::fs::metadata(path).map_err(|e| anyhow!("failed to attach {path}: {}", io_text(&e)))?;
    }
    let context = || format!("failed to package attachments {}", paths.join(", "));
    let entries: Vec<(PathBuf, PathBuf)> = match paths {
        [one] if Path::new(one).is_file() => {
            let name = Path::new(one)
                .file_name()
                .map_or_else(|| one.clone(), |n| n.to_string_lossy().into_owned());
            return Ok(Package {
                name,
                path: PathBuf::from(one),
                archive: None,
            });
        }
        [dir] => vec![(dir.into(), PathBuf::new())],
        several => several
            .iter()
            .map(|p| (p.into(), inside(Path::new(p))))
            .collect(),
    };
    let archive = archive(&entries).with_context(context)?;
    Ok(Package {
        name: ARCHIVE.to_string(),
        path: archive.to_path_buf(),
        archive: Some(archive),
    })
}

/// Where a given path goes in an archive of several: its own path, made
/// relative (root, drive and `.`/`..` parts dropped).
fn inside(path: &Path) -> PathBuf {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part),
            _ => None,
        })
        .collect()
}

/// A temporary gzip'd tar of `(source, name in the archive)` pairs;
/// directories add their regular files (in name order) under their name.
fn archive(entries: &[(PathBuf, PathBuf)]) -> std::io::Result<TempPath> {
    let (file, path) = tempfile::Builder::new()
        .prefix("custody-evidence-")
        .suffix(".tgz")
        .tempfile()?
        .into_parts();
    let out = std::io::BufWriter::new(file);
    let mut tar = tar::Builder::new(GzEncoder::new(out, Compression::default()));
    for (source, name) in entries {
        for (file, entry) in regular_files(source, name)? {
            tar.append_path_with_name(&file, &entry)?;
        }
    }
    tar.into_inner()?
        .finish()?
        .into_inner()
        .map_err(|e| e.into_error())?;
    Ok(path)
}

/// The regular files at or under `source` (symbolic links to files included,
/// linked directories not descended), each with its archive name under `name`.
fn regular_files(source: &Path, name: &Path) -> std::io::Result<Vec<(PathBuf, PathBuf)>> {
    let kind = std::fs::symlink_metadata(source)?.file_type();
    if kind.is_dir() {
        let mut children: Vec<_> = std::fs::read_dir(source)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<_>>()?;
        children.sort();
        let mut out = Vec::new();
        for child in children {
            out.extend(regular_files(&source.join(&child), &name.join(&child))?);
        }
        Ok(out)
    } else if std::fs::metadata(source)?.is_file() {
        Ok(vec![(source.to_path_buf(), name.to_path_buf())])
    } else {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// The name a package is sent under, and its bytes.
    fn sent(paths: &[String]) -> (String, Vec<u8>) {
        let package = package(paths).unwrap();
        (package.name.clone(), std::fs::read(&package.path).unwrap())
    }

    /// The entry names and contents of a packaged archive.
    fn entries(bytes: &[u8]) -> Vec<(String, String)> {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let mut out = Vec::new();
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().display().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            out.push((name, text));
        }
        out
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("reports/nested")).unwrap();
        std::fs::write(dir.path().join("reports/a.xml"), "A").unwrap();
        std::fs::write(dir.path().join("reports/nested/b.xml"), "B").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "N").unwrap();
        dir
    }

    fn text(path: PathBuf) -> String {
        path.display().to_string()
    }

    #[test]
    fn one_file_is_sent_as_is() {
        let dir = tree();
        let (name, bytes) = sent(&[text(dir.path().join("notes.txt"))]);
        assert_eq!(
            (name.as_str(), bytes.as_slice()),
            ("notes.txt", b"N".as_slice())
        );
    }

    #[test]
    fn an_archive_lives_as_long_as_its_package() {
        let dir = tree();
        let package = package(&[text(dir.path().join("reports"))]).unwrap();
        let path = package.path.clone();
        assert!(path.is_file());
        drop(package);
        assert!(!path.exists(), "the temporary archive is removed");
    }

    #[test]
    fn a_directory_becomes_evidence_tgz_with_relative_entries() {
        let dir = tree();
        let (name, bytes) = sent(&[text(dir.path().join("reports"))]);
        assert_eq!(name, "evidence.tgz");
        let want = [("a.xml", "A"), ("nested/b.xml", "B")];
        let want: Vec<_> = want
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        assert_eq!(entries(&bytes), want);
    }

    #[test]
    fn several_paths_are_archived_each_at_its_path() {
        let dir = tree();
        let (notes, reports) = (dir.path().join("notes.txt"), dir.path().join("reports"));
        let (name, bytes) = sent(&[text(notes.clone()), text(reports.clone())]);
        assert_eq!(name, "evidence.tgz");
        let names: Vec<String> = entries(&bytes).into_iter().map(|(n, _)| n).collect();
        let at = |p: PathBuf| inside(&p).display().to_string();
        assert_eq!(
            names,
            vec![
                at(notes),
                at(reports.join("a.xml")),
                at(reports.join("nested/b.xml"))
            ]
        );
        assert!(names.iter().all(|n| !n.starts_with('/')), "{names:?}");
    }

    #[test]
    fn a_missing_path_is_a_clear_error() {
        let err = package(&["/nonexistent/report.xml".to_string()])
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "failed to attach /nonexistent/report.xml: no such file or directory"
        );
        let none = AttachmentFlags::default().files().unwrap();
        assert!(none.files.is_empty());
    }
}
