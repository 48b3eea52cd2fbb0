//! Zip archives from Kudu (site packages, zipped logs), read with the `zip`
//! crate: zip64 archives read, every entry's CRC checked, encrypted entries
//! refused, and what an archive unpacks to bounded in entries and bytes, so a
//! zip bomb stops at the cap. Entry names that would escape the target
//! directory are refused too.

use std::io::{Cursor, Read};
use std::path::{Component, Path};

use anyhow::{Context, anyhow, bail};

/// Most entries an archive may hold.
const MAX_ENTRIES: usize = 100_000;
/// Most bytes an archive may unpack to.
const MAX_BYTES: u64 = 512 * 1024 * 1024;

/// The entries of a zip archive in directory order: name and content
/// (directories, named with a trailing `/`, have no content).
pub fn entries(data: &[u8]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    entries_within(data, MAX_BYTES)
}

fn entries_within(data: &[u8], max_bytes: u64) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(data)).map_err(|e| anyhow!("not a zip archive: {e}"))?;
    if archive.len() > MAX_ENTRIES {
        bail!(
            "the zip archive holds {} entries: more than {MAX_ENTRIES}",
            archive.len()
        );
    }
    let mut left = max_bytes;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .context("corrupt zip central directory")?;
        let name = file
            .name()
            .map_err(|e| anyhow!("zip entry {i} has no readable name: {e}"))?
            .replace('\\', "/");
        if file.encrypted() {
            bail!("encrypted zip entries are not supported ({name})");
        }
        let mut content = Vec::new();
        (&mut file)
            .take(left + 1)
            .read_to_end(&mut content)
            .with_context(|| format!("reading zip entry {name}"))?;
        left = left
            .checked_sub(content.len() as u64)
            .ok_or_else(|| anyhow!("the zip archive unpacks to more than {max_bytes} bytes"))?;
        out.push((name, content));
    }
    Ok(out)
}

/// Unpacks a zip archive into `dir`.
pub fn extract(data: &[u8], dir: &Path) -> anyhow::Result<()> {
    for (name, content) in entries(data)? {
        let relative = Path::new(&name);
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        {
            bail!("zip entry {name} points outside the archive");
        }
        let path = dir.join(relative);
        if name.ends_with('/') {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    /// A zip with `(name, content, deflated)` entries; `zip64` forces the
    /// zip64 records.
    fn zip(files: &[(&str, &[u8], bool)], zip64: bool) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content, deflated) in files {
            let method = if *deflated {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            };
            let options = SimpleFileOptions::default()
                .compression_method(method)
                .large_file(zip64);
            if name.ends_with('/') {
                writer.add_directory(*name, options).unwrap();
            } else {
                writer.start_file(*name, options).unwrap();
                writer.write_all(content).unwrap();
            }
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn stored_deflated_and_zip64_entries_are_extracted() {
        for zip64 in [false, true] {
            let data = zip(
                &[
                    ("app/", b"", false),
                    ("app/index.js", b"console.log(1)\n", true),
                    ("package.json", b"{}", false),
                ],
                zip64,
            );
            let dir = tempfile::tempdir().unwrap();
            extract(&data, dir.path()).unwrap();
            let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
            assert_eq!(read("app/index.js"), "console.log(1)\n");
            assert_eq!(read("package.json"), "{}");
        }
    }

    #[test]
    fn escaping_names_garbage_bad_checksums_and_bombs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = extract(&zip(&[("../x", b"", false)], false), dir.path()).unwrap_err();
        assert_eq!(err.to_string(), "zip entry ../x points outside the archive");
        assert!(
            entries(b"hello")
                .unwrap_err()
                .to_string()
                .starts_with("not a zip archive")
        );

        let mut data = zip(&[("a.txt", b"hello world", false)], false);
        let at = data.windows(11).position(|w| w == b"hello world").unwrap();
        data[at] = b'j';
        let err = entries(&data).unwrap_err();
        assert!(format!("{err:#}").contains("a.txt"), "{err:#}");

        let zeros = vec![0u8; 64 * 1024];
        let bomb = zip(&[("zeros", &zeros, true), ("more", &zeros, true)], false);
        assert!(bomb.len() < 4096, "deflate shrinks zeros");
        let err = entries_within(&bomb, 100 * 1024).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the zip archive unpacks to more than 102400 bytes"
        );
        assert_eq!(entries_within(&bomb, 128 * 1024).unwrap().len(), 2);
    }
}
