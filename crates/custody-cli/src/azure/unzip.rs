//! A small zip reader for what Kudu serves (site packages, zipped logs):
//! the central directory is read from the end-of-central-directory record,
//! entries are stored or deflated; zip64 and encryption are refused. Entry
//! names that would escape the target directory are refused too.

use std::io::Read;
use std::path::{Component, Path};

use anyhow::{Context, anyhow, bail};
use flate2::read::DeflateDecoder;

const END_OF_DIRECTORY: u32 = 0x0605_4b50;
const DIRECTORY_ENTRY: u32 = 0x0201_4b50;
const LOCAL_HEADER: u32 = 0x0403_4b50;

fn u16_at(data: &[u8], at: usize) -> anyhow::Result<usize> {
    let bytes = data
        .get(at..at + 2)
        .ok_or_else(|| anyhow!("truncated zip"))?;
    Ok(u16::from_le_bytes([bytes[0], bytes[1]]) as usize)
}

fn u32_at(data: &[u8], at: usize) -> anyhow::Result<u32> {
    let bytes = data
        .get(at..at + 4)
        .ok_or_else(|| anyhow!("truncated zip"))?;
    Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// The entries of a zip archive in directory order: name and content
/// (directories, named with a trailing `/`, have no content).
pub fn entries(data: &[u8]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let end = (0..=data.len().saturating_sub(22))
        .rev()
        .find(|&at| u32_at(data, at).ok() == Some(END_OF_DIRECTORY))
        .ok_or_else(|| anyhow!("not a zip archive"))?;
    let count = u16_at(data, end + 10)?;
    let mut at = u32_at(data, end + 16)? as usize;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(data, at)? != DIRECTORY_ENTRY {
            bail!("corrupt zip central directory");
        }
        let flags = u16_at(data, at + 8)?;
        let method = u16_at(data, at + 10)?;
        let size = u32_at(data, at + 20)?;
        let local = u32_at(data, at + 42)?;
        if size == u32::MAX || local == u32::MAX {
            bail!("zip64 archives are not supported");
        }
        if flags & 1 != 0 {
            bail!("encrypted zip entries are not supported");
        }
        let name_len = u16_at(data, at + 28)?;
        let name = data
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| anyhow!("truncated zip"))?;
        let name = String::from_utf8_lossy(name).replace('\\', "/");
        at += 46 + name_len + u16_at(data, at + 30)? + u16_at(data, at + 32)?;
        let local = local as usize;
        if u32_at(data, local)? != LOCAL_HEADER {
            bail!("corrupt zip entry {name}");
        }
        let start = local + 30 + u16_at(data, local + 26)? + u16_at(data, local + 28)?;
        let raw = data
            .get(start..start + size as usize)
            .ok_or_else(|| anyhow!("truncated zip entry {name}"))?;
        let content = match method {
            0 => raw.to_vec(),
            8 => {
                let mut content = Vec::new();
                DeflateDecoder::new(raw)
                    .read_to_end(&mut content)
                    .with_context(|| format!("inflating zip entry {name}"))?;
                content
            }
            m => bail!("zip entry {name} uses unsupported compression method {m}"),
        };
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

    /// A zip with `(name, content, deflated)` entries (CRCs left zero: not checked).
    fn zip(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let (mut data, mut directory) = (Vec::new(), Vec::new());
        for (name, content, deflated) in files {
            let body = if *deflated {
                let mut e = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
                e.write_all(content).unwrap();
                e.finish().unwrap()
            } else {
                content.to_vec()
            };
            let method: u16 = if *deflated { 8 } else { 0 };
            let sizes = [body.len() as u32, content.len() as u32];
            let mut local = LOCAL_HEADER.to_le_bytes().to_vec();
            local.extend([20, 0, 0, 0]);
            local.extend(method.to_le_bytes());
            local.extend([0; 8]);
            sizes.iter().for_each(|s| local.extend(s.to_le_bytes()));
            local.extend((name.len() as u16).to_le_bytes());
            local.extend([0, 0]);
            let mut entry = DIRECTORY_ENTRY.to_le_bytes().to_vec();
            entry.extend([20, 0]);
            entry.extend(&local[4..26]);
            entry.extend(&local[26..28]);
            entry.extend([0; 12]);
            entry.extend((data.len() as u32).to_le_bytes());
            entry.extend(name.as_bytes());
            directory.push(entry);
            data.extend(local);
            data.extend(name.as_bytes());
            data.extend(body);
        }
        let offset = data.len() as u32;
        let size: usize = directory.iter().map(Vec::len).sum();
        directory.iter().for_each(|e| data.extend(e));
        data.extend(END_OF_DIRECTORY.to_le_bytes());
        data.extend([0; 4]);
        data.extend((files.len() as u16).to_le_bytes().repeat(2));
        data.extend((size as u32).to_le_bytes());
        data.extend(offset.to_le_bytes());
        data.extend([0, 0]);
        data
    }

    #[test]
    fn stored_and_deflated_entries_are_extracted() {
        let data = zip(&[
            ("app/", b"", false),
            ("app/index.js", b"console.log(1)\n", true),
            ("package.json", b"{}", false),
        ]);
        let dir = tempfile::tempdir().unwrap();
        extract(&data, dir.path()).unwrap();
        let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
        assert_eq!(read("app/index.js"), "console.log(1)\n");
        assert_eq!(read("package.json"), "{}");
    }

    #[test]
    fn escaping_names_and_garbage_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = extract(&zip(&[("../x", b"", false)]), dir.path()).unwrap_err();
        assert_eq!(err.to_string(), "zip entry ../x points outside the archive");
        assert_eq!(
            entries(b"hello").unwrap_err().to_string(),
            "not a zip archive"
        );
    }
}
