//! Audit packages: one `tar.gz` holding the facts about a trail or an
//! artifact as JSON documents, every evidence file beside the attestation
//! that carries it, the org's signed log checkpoint, and a README saying
//! what is inside. Bounded in size; entries are written in a fixed order
//! with the package's time, so a package is reproducible from its facts.

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

/// The largest package built, 256 MiB before compression.
pub const MAX_PACKAGE_BYTES: u64 = 256 * 1024 * 1024;

/// A package being filled.
pub struct Package {
    root: String,
    at: u64,
    files: Vec<(String, Vec<u8>)>,
    size: u64,
}

/// A file name that cannot climb out of its folder or hide (`..`, `/`, leading dots).
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.trim_start_matches('.') {
        "" => "file".to_string(),
        rest => rest.to_string(),
    }
}

impl Package {
    /// A package whose entries sit under `root/`, dated `at` (Unix seconds).
    pub fn new(root: &str, at: f64) -> Package {
        Package {
            root: safe_name(root),
            at: at.max(0.0) as u64,
            files: Vec::new(),
            size: 0,
        }
    }

    /// Adds a file; refuses to grow past [`MAX_PACKAGE_BYTES`].
    pub fn add(&mut self, path: &str, bytes: Vec<u8>) -> ApiResult<()> {
        self.size += bytes.len() as u64;
        if self.size > MAX_PACKAGE_BYTES {
            return Err(ApiError::TooLarge(format!(
                "the audit package would exceed {MAX_PACKAGE_BYTES} bytes: download the evidence of single attestations instead"
            )));
        }
        self.files.push((path.to_string(), bytes));
        Ok(())
    }

    /// Adds a document as indented JSON.
    pub fn add_json(&mut self, path: &str, doc: &impl Serialize) -> ApiResult<()> {
        let bytes = serde_json::to_vec_pretty(doc)
            .map_err(|e| ApiError::Internal(format!("serialising {path}: {e}")))?;
        self.add(path, bytes)
    }

    /// The `tar.gz`, with `readme` first and the files listed in it.
    pub fn finish(self, readme: &str) -> ApiResult<Vec<u8>> {
        let mut listing = format!("{readme}\n## Files\n\n");
        for (path, bytes) in &self.files {
            listing.push_str(&format!("- `{path}` ({} bytes)\n", bytes.len()));
        }
        let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
        let entries =
            std::iter::once(("README.md".to_string(), listing.into_bytes())).chain(self.files);
        for (path, bytes) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(self.at);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(
                &mut header,
                format!("{}/{path}", self.root),
                bytes.as_slice(),
            )
            .map_err(|e| ApiError::Internal(format!("writing the audit package: {e}")))?;
        }
        let gz = tar
            .into_inner()
            .map_err(|e| ApiError::Internal(format!("writing the audit package: {e}")))?;
        gz.finish()
            .map_err(|e| ApiError::Internal(format!("writing the audit package: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn unpack(bytes: &[u8]) -> Vec<(String, String)> {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let mut text = String::new();
                e.read_to_string(&mut text).unwrap();
                (e.path().unwrap().display().to_string(), text)
            })
            .collect()
    }

    #[test]
    fn packages_list_their_files_in_the_readme() {
        let mut p = Package::new("trail-t1", 1_700_000_000.0);
        p.add_json("trail.json", &serde_json::json!({"name": "t1"}))
            .unwrap();
        p.add("evidence/a/report.xml", b"<testsuites/>".to_vec())
            .unwrap();
        let files = unpack(&p.finish("# Trail t1\n").unwrap());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "trail-t1/README.md",
                "trail-t1/trail.json",
                "trail-t1/evidence/a/report.xml"
            ]
        );
        assert!(
            files[0].1.contains("- `evidence/a/report.xml` (13 bytes)"),
            "{}",
            files[0].1
        );
    }

    #[test]
    fn names_cannot_climb_out() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name(""), "file");
        assert_eq!(safe_name("report v1.xml"), "report_v1.xml");
    }
}
