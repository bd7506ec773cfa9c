//! Finding input files: directories walked recursively, every regular file taken (PDFs are
//! recognised by content later), each file fingerprinted by SHA-256.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// How far into a file the `%PDF-` header is looked for (readers accept leading junk).
const HEADER_WINDOW: usize = 1024;

/// Why the inputs could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("{path}: no such file or directory")]
    Missing { path: String },
    #[error("{path}: cannot list: {}", crate::stage::describe(.source))]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// One file found under the inputs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputFile {
    /// The path as displayed and recorded (`source.file`); the sort key.
    pub name: String,
    pub path: PathBuf,
}

/// Lists every regular file under `inputs` (files as given, directories recursively),
/// sorted by name, each once, skipping the directory `exclude` (the output directory) when
/// met during a walk. Symbolic links to directories are not followed (no cycles); symbolic
/// links to files are.
pub fn discover(inputs: &[PathBuf], exclude: Option<&Path>) -> Result<Vec<InputFile>, WalkError> {
    let exclude = exclude.and_then(|p| std::fs::canonicalize(p).ok());
    let mut found = BTreeSet::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => WalkError::Missing {
                path: input.display().to_string(),
            },
            _ => WalkError::Io {
                path: input.display().to_string(),
                source: e,
            },
        })?;
        if meta.is_dir() {
            walk_dir(input, exclude.as_deref(), &mut found)?;
        } else {
            found.insert(input_file(input.clone()));
        }
    }
    Ok(found.into_iter().collect())
}

fn input_file(path: PathBuf) -> InputFile {
    InputFile {
        name: path.to_string_lossy().into_owned(),
        path,
    }
}

fn walk_dir(
    dir: &Path,
    exclude: Option<&Path>,
    found: &mut BTreeSet<InputFile>,
) -> Result<(), WalkError> {
    // An explicit stack keeps deep trees off the call stack.
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let io = |source| WalkError::Io {
            path: dir.display().to_string(),
            source,
        };
        for entry in std::fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io)?;
            if kind.is_dir() {
                if exclude.is_none_or(|ex| std::fs::canonicalize(&path).ok().as_deref() != Some(ex))
                {
                    stack.push(path);
                }
            } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
                found.insert(input_file(path));
            }
        }
    }
    Ok(())
}

/// What reading a file once tells: its hash, size and whether it looks like a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Lower-case hex SHA-256.
    pub sha256: String,
    pub bytes: u64,
    /// `%PDF-` occurs in the first kilobyte.
    pub is_pdf: bool,
}

/// Hashes a file in one streaming pass (constant memory, whatever its size).
pub fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(HEADER_WINDOW);
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        if head.len() < HEADER_WINDOW {
            let take = n.min(HEADER_WINDOW - head.len());
            head.extend_from_slice(&buf[..take]);
        }
        bytes += n as u64;
    }
    Ok(Fingerprint {
        sha256: hex(&hasher.finalize()),
        bytes,
        is_pdf: looks_like_pdf(&head),
    })
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// True when `%PDF-` occurs in the first kilobyte of `head`.
pub fn looks_like_pdf(head: &[u8]) -> bool {
    head[..head.len().min(HEADER_WINDOW)]
        .windows(5)
        .any(|w| w == b"%PDF-")
}

/// Lower-case hex of `digest`.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_recursively_sorted_and_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("b/c/z.pdf"), b"%PDF-1.7").unwrap();
        std::fs::write(root.join("a.txt"), b"hello").unwrap();
        std::fs::write(root.join("b/y"), b"").unwrap();
        let inputs = vec![root.to_path_buf(), root.join("a.txt")];
        std::fs::create_dir_all(root.join("out")).unwrap();
        std::fs::write(root.join("out/manifest.json"), b"{}").unwrap();
        let names: Vec<String> = discover(&inputs, Some(&root.join("out")))
            .unwrap()
            .into_iter()
            .map(|f| {
                f.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.txt", "b/c/z.pdf", "b/y"]);
    }

    #[test]
    fn missing_input_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = discover(&[dir.path().join("nope")], None).unwrap_err();
        assert!(matches!(err, WalkError::Missing { .. }), "{err}");
    }

    #[test]
    fn fingerprint_hashes_and_sniffs() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("x.bin");
        std::fs::write(&pdf, b"junk\n%PDF-1.4\n").unwrap();
        let fp = fingerprint(&pdf).unwrap();
        assert!(fp.is_pdf);
        assert_eq!(fp.bytes, 14);
        assert_eq!(fp.sha256, sha256_hex(b"junk\n%PDF-1.4\n"));
        // Known vector: SHA-256 of "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let txt = dir.path().join("x.pdf");
        std::fs::write(&txt, b"just text").unwrap();
        assert!(!fingerprint(&txt).unwrap().is_pdf);
    }
}
