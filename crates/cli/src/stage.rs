//! Atomic replacement of a set of output files.
//!
//! Everything is written into a staging directory inside the output directory (same file
//! system), then moved into place by `rename`. If any move fails, the moves already done are
//! undone, so the output directory holds either the complete old set or the complete new set;
//! a run that stops before [`Staging::commit`] leaves the old set untouched. A lock file
//! keeps two runs from writing the same directory at once, which also makes it safe to remove
//! the staging directories that interrupted runs left behind.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// A staging directory for the files that will replace those in `out`; holds the output
/// directory's lock while it lives.
#[derive(Debug)]
pub struct Staging {
    dir: TempDir,
    out: PathBuf,
    _lock: File,
}

const BACKUP: &str = ".previous";
/// Prefix of staging directory names.
const STAGING_PREFIX: &str = ".jixiao-staging-";
/// The lock file in the output directory.
pub const LOCK_FILE: &str = ".jixiao.lock";

impl Staging {
    /// Creates `out` if needed, locks it (an error when another run holds the lock), removes
    /// staging directories left by interrupted runs and makes a fresh one.
    pub fn new(out: &Path) -> std::io::Result<Staging> {
        std::fs::create_dir_all(out)?;
        let lock = File::create(out.join(LOCK_FILE))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    format!("another jixiao run is writing to {}", out.display()),
                ))
            }
            Err(TryLockError::Error(e)) => return Err(e),
        }
        for entry in std::fs::read_dir(out)? {
            let entry = entry?;
            let stale = entry
                .file_name()
                .to_string_lossy()
                .starts_with(STAGING_PREFIX);
            if stale && entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(entry.path())?;
            }
        }
        let dir = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(out)?;
        std::fs::create_dir(dir.path().join(BACKUP))?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            _lock: lock,
        })
    }

    /// The staging directory itself.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Where to write the staged file `name` (or any scratch file).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Moves the staged files `names` into the output directory, all or none. The staging
    /// directory (with the replaced files) is removed afterwards.
    pub fn commit(self, names: &[&str]) -> std::io::Result<()> {
        for name in names {
            std::fs::File::open(self.path(name))?.sync_all()?;
        }
        let mut done: Vec<(PathBuf, PathBuf)> = Vec::new();
        for name in names {
            let target = self.out.join(name);
            let mut step = |from: PathBuf, to: PathBuf| -> std::io::Result<()> {
                std::fs::rename(&from, &to)?;
                done.push((from, to));
                Ok(())
            };
            let result = (|| {
                if target.symlink_metadata().is_ok() {
                    step(target.clone(), self.path(BACKUP).join(name))?;
                }
                step(self.path(name), target.clone())
            })();
            if let Err(e) = result {
                for (from, to) in done.iter().rev() {
                    // Best effort: each of these renames reverses one that just succeeded.
                    let _ = std::fs::rename(to, from);
                }
                return Err(e);
            }
        }
        if let Ok(dir) = std::fs::File::open(&self.out) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_all_files() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("a"), "old a").unwrap();
        let staging = Staging::new(out.path()).unwrap();
        std::fs::write(staging.path("a"), "new a").unwrap();
        std::fs::write(staging.path("b"), "new b").unwrap();
        staging.commit(&["a", "b"]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.path().join("a")).unwrap(),
            "new a"
        );
        assert_eq!(
            std::fs::read_to_string(out.path().join("b")).unwrap(),
            "new b"
        );
        let mut left: Vec<String> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [LOCK_FILE, "a", "b"], "staging directory removed");
    }

    #[test]
    fn leftovers_of_interrupted_runs_are_removed() {
        let out = tempfile::tempdir().unwrap();
        let interrupted = Staging::new(out.path()).unwrap();
        std::fs::write(interrupted.path("a"), "half written").unwrap();
        // A killed process neither commits nor removes its staging directory.
        let left_behind = interrupted.dir.keep();
        drop(interrupted._lock);
        let staging = Staging::new(out.path()).unwrap();
        assert!(!left_behind.exists());
        assert!(staging.dir.path().exists());
    }

    #[test]
    fn a_second_run_on_the_same_directory_is_refused() {
        let out = tempfile::tempdir().unwrap();
        let first = Staging::new(out.path()).unwrap();
        let err = Staging::new(out.path()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        assert!(first.dir.path().exists(), "the running one keeps its files");
        drop(first);
        Staging::new(out.path()).unwrap();
    }

    #[test]
    fn failed_commit_restores_the_old_set() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("a"), "old a").unwrap();
        std::fs::write(out.path().join("b"), "old b").unwrap();
        let staging = Staging::new(out.path()).unwrap();
        std::fs::write(staging.path("a"), "new a").unwrap();
        std::fs::write(staging.path("b"), "new b").unwrap();
        std::fs::write(staging.path("c"), "new c").unwrap();
        std::fs::write(out.path().join("c"), "old c").unwrap();
        // Make the third step fail: moving the old "c" aside hits a non-empty directory.
        std::fs::create_dir_all(staging.path(BACKUP).join("c/x")).unwrap();
        assert!(staging.commit(&["a", "b", "c"]).is_err());
        assert_eq!(
            std::fs::read_to_string(out.path().join("a")).unwrap(),
            "old a"
        );
        assert_eq!(
            std::fs::read_to_string(out.path().join("b")).unwrap(),
            "old b"
        );
        assert_eq!(
            std::fs::read_to_string(out.path().join("c")).unwrap(),
            "old c"
        );
    }
}
