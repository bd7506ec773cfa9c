//! Crash-safe replacement of a dataset directory: one rename switches every file at once.
//!
//! An output directory `DIR` holds complete datasets in generation directories and shows one
//! of them under the usual file names, through fixed relative symbolic links:
//!
//! ```text
//! DIR/reports.jsonl    -> .jixiao-current/reports.jsonl   (one such link per output file)
//! DIR/.jixiao-current  -> .jixiao-gen-7                   (the only thing a commit changes)
//! DIR/.jixiao-gen-7/                                      (a complete dataset)
//! DIR/.jixiao-staging-…/                                  (the run in progress)
//! DIR/.jixiao.lock
//! ```
//!
//! A run writes everything into a staging directory inside `DIR` (same file system).
//! [`Staging::commit`] makes the staged files durable (`fsync`), renames the staging
//! directory to the next generation, and switches `.jixiao-current` to it by renaming a new
//! link over the old one: a single `rename`, so after a crash at any instant `DIR` shows the
//! previous complete dataset or the new one, never a mix. Older generations are removed after
//! the switch (or by the next run when a crash came first). Plain files left in `DIR` by an
//! older jixiao are first adopted into a generation of their own, one link at a time, each
//! step showing the same old dataset.
//!
//! A lock file keeps two runs from writing the same directory at once, which also makes it
//! safe for a run to remove what interrupted runs left behind.
//!
//! Every I/O error names its path, in jixiao's words ([`describe`]). For tests, the
//! environment variable `JIXIAO_CRASH_AT=N` makes the process abort at the N-th
//! [`crash_point`] it reaches, as a `kill -9` there would stop it.

use std::fs::{File, TryLockError};
use std::io;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use tempfile::TempDir;

/// A staging directory for the files that will replace those in `out`; holds the output
/// directory's lock while it lives.
#[derive(Debug)]
pub struct Staging {
    dir: TempDir,
    out: PathBuf,
    _lock: File,
}

/// The lock file in the output directory.
pub const LOCK_FILE: &str = ".jixiao.lock";
/// The link to the generation the output directory shows.
pub const CURRENT: &str = ".jixiao-current";
/// Prefix of staging directory names.
const STAGING_PREFIX: &str = ".jixiao-staging-";
/// Prefix of generation directory names (followed by the generation number).
const GENERATION_PREFIX: &str = ".jixiao-gen-";
/// How many more times a busy lock is tried, 50 ms apart.
const LOCK_TRIES: u32 = 20;
/// Where a new link is made before it is renamed into place.
const NEW_LINK: &str = ".jixiao-link.tmp";

impl Staging {
    /// Creates `out` if needed, locks it (an error when another run holds the lock), removes
    /// what interrupted runs left behind (staging directories, generations not shown) and
    /// makes a fresh staging directory.
    pub fn new(out: &Path) -> io::Result<Staging> {
        std::fs::create_dir_all(out).map_err(at(out, "cannot create the output directory"))?;
        let lock_path = out.join(LOCK_FILE);
        let lock = File::create(&lock_path).map_err(at(&lock_path, "cannot create"))?;
        // A lock just released can still be held for a moment by a child process forked
        // before its file was closed on exec (a test harness spawning commands in parallel),
        // so a busy lock is tried again for up to a second before it means another run.
        let mut tries = 0;
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if tries < LOCK_TRIES => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WouldBlock,
                        format!("another jixiao run is writing to {}", out.display()),
                    ))
                }
                Err(TryLockError::Error(e)) => return Err(at(&lock_path, "cannot lock")(e)),
            }
        }
        let current = current_generation(out)?;
        let copied = out.join(CURRENT);
        if current.is_none() && copied.is_dir() {
            // A copy made with the links followed (`cp -rL`): the plain files show the
            // dataset, this is a second copy of it.
            std::fs::remove_dir_all(&copied).map_err(at(&copied, "cannot remove"))?;
        }
        for entry in read_dir(out)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let leftover = name.starts_with(STAGING_PREFIX)
                || (name.starts_with(GENERATION_PREFIX) && Some(&name) != current.as_ref());
            if leftover && path.is_dir() {
                std::fs::remove_dir_all(&path).map_err(at(&path, "cannot remove"))?;
            } else if name == NEW_LINK {
                std::fs::remove_file(&path).map_err(at(&path, "cannot remove"))?;
            }
        }
        let dir = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(out)
            .map_err(at(out, "cannot create a staging directory in"))?;
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

    /// Where to write the staged file `name` (or any scratch file, removed before commit).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Makes the staged files `names` (and only those: the staging directory must hold
    /// nothing else) the dataset `out` shows, in one atomic step.
    pub fn commit(self, names: &[&str]) -> io::Result<()> {
        let out = self.out.clone();
        for name in names {
            sync_file(&self.path(name))?;
        }
        sync_dir(self.dir())?;
        crash_point("staged files saved");
        adopt(&out, names)?;
        let staged = self.dir.keep();
        let generation = next_generation(&out)?;
        let target = out.join(&generation);
        std::fs::rename(&staged, &target).map_err(at(&target, "cannot create"))?;
        sync_dir(&out)?;
        crash_point("new generation in place");
        for name in names {
            let link = out.join(name);
            if !is_stable_link(&out, name) {
                symlink(Path::new(CURRENT).join(name), &link)
                    .map_err(at(&link, "cannot create"))?;
                crash_point(&format!("link {name} made"));
            }
        }
        sync_dir(&out)?;
        switch(&out, &generation)?;
        for entry in read_dir(&out)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(GENERATION_PREFIX) && name != generation {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(at(&path, "cannot remove"))?;
                crash_point("previous generation removed");
            }
        }
        Ok(())
    }
}

/// The directory holding the dataset that `dir` shows now: the generation
/// `.jixiao-current` points to, or `dir` itself when it has none (a dataset written by an
/// older jixiao, or copied with the links followed). Reading a dataset's files through this
/// path keeps them all from one generation.
pub fn dataset_dir(dir: &Path) -> PathBuf {
    match std::fs::read_link(dir.join(CURRENT)) {
        Ok(generation) => dir.join(generation),
        Err(_) => dir.to_path_buf(),
    }
}

/// The name of the generation `.jixiao-current` points to.
fn current_generation(out: &Path) -> io::Result<Option<String>> {
    let link = out.join(CURRENT);
    match std::fs::read_link(&link) {
        Ok(target) => Ok(Some(target.to_string_lossy().into_owned())),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::InvalidInput
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(at(&link, "cannot read")(e)),
    }
}

/// A name for the next generation: one more than the highest in `out`.
fn next_generation(out: &Path) -> io::Result<String> {
    let mut highest = 0u64;
    for entry in read_dir(out)? {
        let name = entry.file_name();
        let number = name
            .to_str()
            .and_then(|n| n.strip_prefix(GENERATION_PREFIX))
            .and_then(|n| n.parse::<u64>().ok());
        highest = highest.max(number.unwrap_or(0));
    }
    Ok(format!("{GENERATION_PREFIX}{}", highest + 1))
}

/// True when `out/name` is the link through `.jixiao-current` that a commit makes.
fn is_stable_link(out: &Path, name: &str) -> bool {
    std::fs::read_link(out.join(name)).is_ok_and(|t| t == Path::new(CURRENT).join(name))
}

/// Points `.jixiao-current` at `generation`: a new link renamed over the old one.
fn switch(out: &Path, generation: &str) -> io::Result<()> {
    replace_with_link(out, CURRENT, Path::new(generation))?;
    crash_point("switched to the new generation");
    Ok(())
}

/// Replaces `out/name` by a link to `target` in one rename, and makes that durable.
fn replace_with_link(out: &Path, name: &str, target: &Path) -> io::Result<()> {
    let new = out.join(NEW_LINK);
    let _ = std::fs::remove_file(&new);
    symlink(target, &new).map_err(at(&new, "cannot create"))?;
    crash_point(&format!("new link for {name} made"));
    let link = out.join(name);
    std::fs::rename(&new, &link).map_err(at(&link, "cannot replace"))?;
    sync_dir(out)
}

/// Turns the output files that are plain files (or links of someone else) into the links a
/// commit switches, without changing what `out` shows at any instant: their content goes
/// into a generation of its own (hard links, or copies when linking is not possible), the
/// current link is switched to it, then each file is replaced by its link.
fn adopt(out: &Path, names: &[&str]) -> io::Result<()> {
    let foreign: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| out.join(name).symlink_metadata().is_ok() && !is_stable_link(out, name))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let scratch = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(out)
        .map_err(at(out, "cannot create a staging directory in"))?;
    for name in names {
        let shown = out.join(name);
        let real = match std::fs::canonicalize(&shown) {
            Ok(real) => real,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(at(&shown, "cannot read")(e)),
        };
        if !real.is_file() {
            return Err(io::Error::other(format!(
                "{}: in the way of the dataset file of that name (not a file)",
                shown.display()
            )));
        }
        let copy = scratch.path().join(name);
        if std::fs::hard_link(&real, &copy).is_err() {
            std::fs::copy(&real, &copy).map_err(at(&copy, "cannot copy the previous file to"))?;
            sync_file(&copy)?;
        }
    }
    sync_dir(scratch.path())?;
    let generation = next_generation(out)?;
    let target = out.join(&generation);
    std::fs::rename(scratch.keep(), &target).map_err(at(&target, "cannot create"))?;
    sync_dir(out)?;
    crash_point("previous files adopted");
    switch(out, &generation)?;
    for name in foreign {
        replace_with_link(out, name, &Path::new(CURRENT).join(name))?;
        crash_point(&format!("{name} replaced by its link"));
    }
    Ok(())
}

fn read_dir(dir: &Path) -> io::Result<Vec<std::fs::DirEntry>> {
    std::fs::read_dir(dir)
        .and_then(|entries| entries.collect())
        .map_err(at(dir, "cannot list"))
}

/// Writes `path`'s data to the disk.
pub fn sync_file(path: &Path) -> io::Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(at(path, "cannot save"))
}

/// Writes the directory `dir`'s entries (names created, renamed, removed) to the disk. A
/// file system that cannot sync a directory (some network and FUSE ones say so) is let be.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    match File::open(dir).and_then(|f| f.sync_all()) {
        Err(e)
            if !matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Err(at(dir, "cannot save")(e))
        }
        _ => Ok(()),
    }
}

/// An I/O error `e` on `path` as `path: what: cause`, the cause in jixiao's words.
pub fn at<'a>(path: &'a Path, what: &'a str) -> impl FnOnce(io::Error) -> io::Error + 'a {
    move |e| {
        io::Error::new(
            e.kind(),
            format!("{}: {what}: {}", path.display(), describe(&e)),
        )
    }
}

pub use jixiao_dataset::describe_io as describe;

/// An error from deeper down (writing the dataset …) in jixiao's words when an I/O error
/// (or SQLite's full disk, read-only or permission error) caused it ([`describe`]), else its
/// own message.
pub fn describe_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<io::Error>() {
            // An I/O error of ours already names its path and cause.
            if io.get_ref().is_none() {
                return describe(io);
            }
        }
        if let Some(sqlite) = c.downcast_ref::<rusqlite::Error>() {
            use rusqlite::ErrorCode as C;
            let kind = match sqlite.sqlite_error_code() {
                Some(C::DiskFull) => Some(io::ErrorKind::StorageFull),
                Some(C::ReadOnly) => Some(io::ErrorKind::ReadOnlyFilesystem),
                Some(C::PermissionDenied) => Some(io::ErrorKind::PermissionDenied),
                _ => None,
            };
            if let Some(kind) = kind {
                return format!("jixiao.sqlite: {}", describe(&kind.into()));
            }
        }
        cause = c.source();
    }
    e.to_string()
}

/// A point where the tests kill the process: with `JIXIAO_CRASH_AT=N` in the environment,
/// the N-th point reached prints `jixiao: crash injected at point N: STEP` on stderr and
/// aborts, with no destructor run and no buffer flushed. Without it, nothing happens.
pub fn crash_point(step: &str) {
    static AT: OnceLock<Option<usize>> = OnceLock::new();
    static REACHED: AtomicUsize = AtomicUsize::new(0);
    let at = AT.get_or_init(|| {
        std::env::var("JIXIAO_CRASH_AT")
            .ok()
            .and_then(|n| n.parse().ok())
    });
    if let Some(at) = *at {
        let n = REACHED.fetch_add(1, Ordering::SeqCst) + 1;
        if n == at {
            crate::output::stderr_line(&format!("jixiao: crash injected at point {n}: {step}"));
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_replaces_all_files() {
        let out = tempfile::tempdir().unwrap();
        let staging = Staging::new(out.path()).unwrap();
        std::fs::write(staging.path("a"), "old a").unwrap();
        staging.commit(&["a"]).unwrap();
        let staging = Staging::new(out.path()).unwrap();
        std::fs::write(staging.path("a"), "new a").unwrap();
        std::fs::write(staging.path("b"), "new b").unwrap();
        staging.commit(&["a", "b"]).unwrap();
        let read = |name: &str| std::fs::read_to_string(out.path().join(name)).unwrap();
        assert_eq!((read("a"), read("b")), ("new a".into(), "new b".into()));
        assert_eq!(
            names(out.path()),
            [CURRENT, ".jixiao-gen-2", LOCK_FILE, "a", "b"],
            "staging directory and old generation removed"
        );
        assert_eq!(dataset_dir(out.path()), out.path().join(".jixiao-gen-2"));
    }

    #[test]
    fn plain_files_of_an_older_jixiao_are_adopted() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("a"), "old a").unwrap();
        std::fs::write(out.path().join("b"), "old b").unwrap();
        let staging = Staging::new(out.path()).unwrap();
        std::fs::write(staging.path("a"), "new a").unwrap();
        std::fs::write(staging.path("b"), "new b").unwrap();
        staging.commit(&["a", "b"]).unwrap();
        for name in ["a", "b"] {
            assert!(is_stable_link(out.path(), name));
            assert_eq!(
                std::fs::read_to_string(out.path().join(name)).unwrap(),
                format!("new {name}")
            );
        }
    }

    #[test]
    fn a_copy_with_the_links_followed_is_written_like_plain_files() {
        let work = tempfile::tempdir().unwrap();
        let (out, copy) = (work.path().join("out"), work.path().join("copy"));
        let staging = Staging::new(&out).unwrap();
        std::fs::write(staging.path("a"), "old a").unwrap();
        staging.commit(&["a"]).unwrap();
        let copied = std::process::Command::new("cp")
            .arg("-rL")
            .args([&out, &copy])
            .status()
            .unwrap();
        assert!(copied.success() && copy.join(CURRENT).is_dir());
        assert_eq!(dataset_dir(&copy), copy);
        let staging = Staging::new(&copy).unwrap();
        std::fs::write(staging.path("a"), "new a").unwrap();
        staging.commit(&["a"]).unwrap();
        assert_eq!(std::fs::read_to_string(copy.join("a")).unwrap(), "new a");
        assert!(is_stable_link(&copy, "a"));
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "old a");
    }

    #[test]
    fn something_in_the_way_stops_the_commit_before_any_change() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("a"), "old a").unwrap();
        std::fs::create_dir(out.path().join("b")).unwrap();
        let staging = Staging::new(out.path()).unwrap();
        std::fs::write(staging.path("a"), "new a").unwrap();
        std::fs::write(staging.path("b"), "new b").unwrap();
        let err = staging.commit(&["a", "b"]).unwrap_err().to_string();
        assert!(
            err.contains(&out.path().join("b").display().to_string()),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(out.path().join("a")).unwrap(),
            "old a"
        );
    }

    #[test]
    fn leftovers_of_interrupted_runs_are_removed() {
        let out = tempfile::tempdir().unwrap();
        let first = Staging::new(out.path()).unwrap();
        std::fs::write(first.path("a"), "a").unwrap();
        first.commit(&["a"]).unwrap();
        let interrupted = Staging::new(out.path()).unwrap();
        std::fs::write(interrupted.path("a"), "half written").unwrap();
        // A killed process neither commits nor removes its staging directory.
        let left_behind = interrupted.dir.keep();
        drop(interrupted._lock);
        std::fs::create_dir(out.path().join(".jixiao-gen-9")).unwrap();
        let staging = Staging::new(out.path()).unwrap();
        assert!(!left_behind.exists());
        assert!(staging.dir.path().exists());
        assert!(!out.path().join(".jixiao-gen-9").exists());
        assert!(
            out.path().join(".jixiao-gen-1").exists(),
            "the shown one stays"
        );
        assert_eq!(std::fs::read_to_string(out.path().join("a")).unwrap(), "a");
    }

    #[test]
    fn a_second_run_on_the_same_directory_is_refused() {
        let out = tempfile::tempdir().unwrap();
        let first = Staging::new(out.path()).unwrap();
        let err = Staging::new(out.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert!(first.dir.path().exists(), "the running one keeps its files");
        drop(first);
        Staging::new(out.path()).unwrap();
    }

    #[test]
    fn errors_name_the_path_in_plain_words() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "").unwrap();
        let out = file.join("out");
        let err = Staging::new(&out).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{}: cannot create the output directory: a part of the path is a file, not a directory",
                out.display()
            )
        );
    }
}
