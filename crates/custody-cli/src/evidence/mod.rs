//! The reports attestations carry, read from files: every JUnit XML file
//! under a results directory, and SARIF files. The readers themselves are in
//! `custody-evidence`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use custody_evidence::{junit, sarif};
use serde_json::Value;

use crate::output::io_text;

/// A SARIF file's JSON, with at least a `runs` list.
pub fn load_sarif(path: &str) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow!("open {path}: {}", io_text(&e)))?;
    Ok(sarif::parse(&text)?)
}

fn xml_files(dir: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| anyhow!("{}: {}", dir.display(), io_text(&e)))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            xml_files(&path, found)?;
        } else if path.is_file() && path.extension().is_some_and(|x| x == "xml") {
            found.push(path);
        }
    }
    Ok(())
}

/// What a results directory holds: its XML files, in name order, and their suites.
#[derive(Debug)]
pub struct Results {
    pub files: Vec<PathBuf>,
    pub suites: Vec<junit::Suite>,
}

/// Every suite of every JUnit XML file under `dir`, files in name order.
pub fn results_dir(dir: &str) -> anyhow::Result<Results> {
    std::fs::symlink_metadata(dir).map_err(|e| anyhow!("lstat {dir}: {}", io_text(&e)))?;
    let mut files = Vec::new();
    xml_files(Path::new(dir), &mut files)?;
    let mut suites = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file)?;
        let parsed = std::str::from_utf8(&bytes)
            .map_err(|_| anyhow!("only UTF-8 encoding is supported"))
            .and_then(|text| junit::parse(text).map_err(anyhow::Error::from));
        match parsed {
            Ok(found) => suites.extend(found),
            Err(e) => bail!(
                "failed to parse XML file {}: {e}. If this is not a JUnit results file, use --results-dir to specify the directory containing only JUnit XML files",
                file.display()
            ),
        }
    }
    if suites.is_empty() {
        bail!("no tests found in {dir} directory");
    }
    Ok(Results { files, suites })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> String {
        format!(
            "{}/../custody-evidence/tests/fixtures/{path}",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    #[test]
    fn a_results_dir_is_walked_in_name_order() {
        let found = results_dir(&fixture("junit")).unwrap();
        assert_eq!(found.files.len(), 4, "{:?}", found.files);
        let names: Vec<&str> = found.suites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "integration",
                "unit",
                "calc",
                "pytest",
                "com.example.CalculatorTest"
            ]
        );
        let passing = results_dir(&fixture("junit-passing")).unwrap();
        assert!(
            passing
                .suites
                .iter()
                .all(|s| s.failures == 0 && s.errors == 0 && s.total == 2)
        );
    }

    #[test]
    fn non_utf8_and_empty_dirs_are_refused() {
        let dir = fixture("latin1");
        let err = results_dir(&dir).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "failed to parse XML file {dir}/latin1.xml: only UTF-8 encoding is supported. If this is not a JUnit results file, use --results-dir to specify the directory containing only JUnit XML files"
            )
        );
        let empty = fixture("sarif");
        assert_eq!(
            results_dir(&empty).unwrap_err().to_string(),
            format!("no tests found in {empty} directory")
        );
    }
}
