//! The failing test cases of a JUnit attestation, read by the server from the
//! XML it uploaded as evidence: one XML file, or the `.xml` files of a gzip'd
//! tar (as `attest junit` packages a results directory). Reading is bounded
//! in bytes, entries and cases; evidence that cannot be read gives no cases
//! and never fails the attestation.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use custody_evidence::junit_cases::{FailedCase, failing_cases};

/// At most this many failing cases are kept per attestation.
pub const MAX_CASES: usize = 50;
/// At most this many bytes of XML are read out of an archive.
const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;
/// At most this many archive entries are looked at.
const MAX_ENTRIES: usize = 10_000;

/// The failing cases in an uploaded attachment, or none when it holds no
/// readable JUnit XML.
pub async fn of_attachment(file_name: &str, path: &Path) -> Vec<FailedCase> {
    let (file_name, path) = (file_name.to_string(), path.to_path_buf());
    tokio::task::spawn_blocking(move || read(&file_name, &path))
        .await
        .unwrap_or_default()
}

fn read(file_name: &str, path: &Path) -> Vec<FailedCase> {
    let Ok(mut file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut magic = [0u8; 2];
    let gzipped = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    if file.seek(SeekFrom::Start(0)).is_err() {
        return Vec::new();
    }
    if gzipped {
        return from_archive(BufReader::new(file));
    }
    if !file_name.to_ascii_lowercase().ends_with(".xml") {
        return Vec::new();
    }
    let mut text = String::new();
    if file.take(MAX_XML_BYTES).read_to_string(&mut text).is_err() {
        return Vec::new();
    }
    failing_cases(&text, MAX_CASES).unwrap_or_default()
}

fn from_archive(source: impl Read) -> Vec<FailedCase> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(source));
    let Ok(entries) = archive.entries() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut budget = MAX_XML_BYTES;
    for entry in entries.take(MAX_ENTRIES) {
        let Ok(entry) = entry else { break };
        let is_xml = entry
            .path()
            .is_ok_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")));
        if !is_xml || !entry.header().entry_type().is_file() {
            continue;
        }
        let mut text = String::new();
        let mut limited = entry.take(budget);
        if limited.read_to_string(&mut text).is_err() {
            continue;
        }
        budget = budget.saturating_sub(text.len() as u64);
        if let Ok(cases) = failing_cases(&text, MAX_CASES - found.len()) {
            found.extend(cases);
        }
        if found.len() >= MAX_CASES || budget == 0 {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `bytes` as an attachment named `file_name`.
    fn read_bytes(file_name: &str, bytes: &[u8]) -> Vec<FailedCase> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        read(file_name, file.path())
    }

    const FAILING: &str = r#"<testsuite name="unit"><testcase classname="c" name="t1"><failure message="boom"/></testcase></testsuite>"#;

    fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, text) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, text.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn cases_are_read_from_a_file_or_the_xml_files_of_an_archive() {
        assert_eq!(
            read_bytes("results.xml", FAILING.as_bytes())[0].message,
            "boom"
        );
        assert!(read_bytes("notes.txt", FAILING.as_bytes()).is_empty());
        let archive = tgz(&[
            ("a.xml", FAILING),
            ("README.md", FAILING),
            ("sub/b.XML", FAILING),
        ]);
        assert_eq!(read_bytes("evidence.tgz", &archive).len(), 2);
    }

    #[test]
    fn unreadable_evidence_gives_no_cases() {
        assert!(read_bytes("results.xml", b"<testsuite><testcase>").is_empty());
        assert!(read_bytes("evidence.tgz", &[0x1f, 0x8b, 0, 1, 2]).is_empty());
    }

    #[test]
    fn no_more_than_the_limit_is_kept() {
        let many: String = (0..MAX_CASES + 5)
            .map(|i| format!(r#"<testcase name="t{i}"><error/></testcase>"#))
            .collect();
        let xml = format!(r#"<testsuite name="s">{many}</testsuite>"#);
        assert_eq!(read_bytes("r.xml", xml.as_bytes()).len(), MAX_CASES);
    }
}
