//! Per-file results of `ingest`, saved as each file is read so that `--resume` after a crash
//! reuses them instead of reading those files again.
//!
//! `DIR/.jixiao-checkpoints/` holds, for each file read, its records (`KEY.jsonl`, one
//! report a line, as in `reports.jsonl`) and then its manifest entry (`KEY.entry.json`),
//! each written to a temporary name, saved to disk and renamed: an entry that exists means a
//! complete result. KEY is the SHA-256 of the jixiao version, the file's path and the
//! SHA-256 of its bytes, so a result is reused only for the same bytes under the same path
//! read by the same jixiao. Files that failed are not saved (`--resume` reads them again).
//! A fresh run removes the checkpoints it finds; a run removes its own after its commit.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use jixiao_normalize::Report;

use crate::manifest::FileEntry;
use crate::stage::{at, crash_point, sync_dir};
use crate::walk::sha256_hex;

/// The checkpoint directory in the output directory.
pub const CHECKPOINT_DIR: &str = ".jixiao-checkpoints";

/// The checkpoints of one output directory.
#[derive(Debug)]
pub struct Checkpoints {
    dir: PathBuf,
}

/// A saved result: the file's entry and where its records are.
#[derive(Debug)]
pub struct Checkpoint {
    pub entry: FileEntry,
    pub records: PathBuf,
}

impl Checkpoints {
    /// The checkpoints of `out`; those already there are kept only when `keep` (`--resume`).
    /// The directory is made when the first checkpoint is saved.
    pub fn open(out: &Path, keep: bool) -> io::Result<Checkpoints> {
        let checkpoints = Checkpoints {
            dir: out.join(CHECKPOINT_DIR),
        };
        if !keep {
            checkpoints.remove()?;
        }
        Ok(checkpoints)
    }

    fn remove(&self) -> io::Result<()> {
        match std::fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(at(&self.dir, "cannot remove")(e)),
            _ => Ok(()),
        }
    }

    fn key(file: &str, sha256: &str) -> String {
        let version = env!("CARGO_PKG_VERSION");
        sha256_hex(format!("{version}\0{file}\0{sha256}").as_bytes())
    }

    /// The saved result for `file` with these bytes, if any.
    pub fn load(&self, file: &str, sha256: &str) -> Option<Checkpoint> {
        let key = Checkpoints::key(file, sha256);
        let text = std::fs::read(self.dir.join(format!("{key}.entry.json"))).ok()?;
        let entry: FileEntry = serde_json::from_slice(&text).ok()?;
        let records = self.dir.join(format!("{key}.jsonl"));
        (entry.file == file && entry.sha256.as_deref() == Some(sha256) && records.is_file())
            .then_some(Checkpoint { entry, records })
    }

    /// Saves one file's result; returns where its records are.
    pub fn save(&self, entry: &FileEntry, reports: &[Report]) -> io::Result<PathBuf> {
        let key = Checkpoints::key(&entry.file, entry.sha256.as_deref().unwrap_or(""));
        let records = self.dir.join(format!("{key}.jsonl"));
        std::fs::create_dir_all(&self.dir).map_err(at(&self.dir, "cannot create"))?;
        self.write(&records, |out| {
            for r in reports {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })?;
        self.write(&self.dir.join(format!("{key}.entry.json")), |out| {
            serde_json::to_writer(&mut *out, entry)?;
            Ok(())
        })?;
        sync_dir(&self.dir)?;
        crash_point(&format!("checkpoint of {} saved", entry.file));
        Ok(records)
    }

    /// Writes `path` through a temporary file, saved to disk before it is renamed.
    fn write(
        &self,
        path: &Path,
        fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let write = || -> io::Result<()> {
            let mut out = BufWriter::new(File::create(&tmp)?);
            fill(&mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()
        };
        write().map_err(at(&tmp, "cannot write"))?;
        std::fs::rename(&tmp, path).map_err(at(path, "cannot create"))
    }

    /// Removes every checkpoint (once the dataset holding them is committed).
    pub fn clear(self) -> io::Result<()> {
        crash_point("checkpoints to be removed");
        self.remove()
    }
}
