//! Crash safety of `ingest`: the binary is killed at every crash point of a run in turn
//! (`JIXIAO_CRASH_AT=N` aborts it at the N-th, deterministically), and after each kill the
//! output directory must show the previous complete dataset or the new complete one, never
//! a mix; `--resume` then completes it, reading again only the files whose result was not
//! saved, into a dataset byte-identical to a clean run's.
//! `merge`, which commits the same way, is killed at each of its points too.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

use jixiao::ingest::{ingest, IngestOptions};
use jixiao::manifest::Manifest;
use jixiao_dataset::{output_files, DatasetOptions, MANIFEST_FILE};

/// The files of the previous dataset.
const OLD: [(&str, &str); 1] = [("a.pdf", "libreoffice/districts-excerpt.pdf")];
/// The files added for the new one (besides a copy of a.pdf and a text file).
const NEW: [(&str, &str); 2] = [
    ("b.pdf", "libreoffice/putuo-2022-with-cover.pdf"),
    ("c.pdf", "libreoffice/anomalies.pdf"),
];

fn jixiao(args: &[&str], crash_at: Option<usize>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    command
        .args(args)
        .env("JIXIAO_MODELS", common::ocr_config().models_dir)
        .env_remove("JIXIAO_CRASH_AT");
    if let Some(n) = crash_at {
        command.env("JIXIAO_CRASH_AT", n.to_string());
    }
    command.output().expect("run jixiao")
}

fn ingest_args<'a>(inputs: &'a Path, out: &'a Path, resume: bool) -> Vec<&'a str> {
    let mut args = vec![
        "ingest",
        inputs.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "1",
        "--quiet",
    ];
    if resume {
        args.push("--resume");
    }
    args
}

fn succeed(output: Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What a dataset directory shows under each output file name (`None`: nothing readable);
/// the manifest by its file entries, which a resumed run shares with a fresh one.
type View = BTreeMap<String, Option<Vec<u8>>>;

fn view(dir: &Path) -> View {
    output_files(&DatasetOptions::default())
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).ok().map(|bytes| {
                if name == MANIFEST_FILE {
                    let m: Manifest = serde_json::from_slice(&bytes).expect("manifest");
                    serde_json::to_vec(&m.files).unwrap()
                } else {
                    bytes
                }
            });
            (name, bytes)
        })
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn copy_samples(dir: &Path, files: &[(&str, &str)]) {
    for (name, sample) in files {
        std::fs::copy(common::sample(sample), dir.join(name)).unwrap();
    }
}

/// How the output directory looks before the run that is killed.
#[derive(Clone, Copy, Debug)]
enum Before {
    /// Nothing: the first run.
    Empty,
    /// The previous dataset, as this jixiao writes it.
    Previous,
    /// The previous dataset as plain files, as an older jixiao wrote it.
    PlainFiles,
}

/// Kills `ingest` (with `--resume` when `resume`) at each of its crash points in turn;
/// returns how many there were.
fn crash_everywhere(before: Before, resume: bool) -> usize {
    let work = tempfile::tempdir().unwrap();
    let inputs = work.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    copy_samples(&inputs, &OLD);
    let old = work.path().join("old");
    if !matches!(before, Before::Empty) {
        succeed(jixiao(&ingest_args(&inputs, &old, false), None));
    }
    copy_samples(&inputs, &NEW);
    std::fs::copy(inputs.join(OLD[0].0), inputs.join("copy-of-a.pdf")).unwrap();
    std::fs::write(inputs.join("notes.txt"), "不是 PDF\n").unwrap();
    let clean = work.path().join("clean");
    succeed(jixiao(&ingest_args(&inputs, &clean, false), None));
    let (old_view, new_view) = (view(&old), view(&clean));
    assert!(new_view.values().all(Option::is_some));
    assert_ne!(old_view, new_view);

    let pipeline = common::pipeline();
    for n in 1.. {
        let out = work.path().join(format!("out-{n}"));
        std::fs::create_dir(&out).unwrap();
        match before {
            Before::Empty => {}
            Before::Previous => {
                let copied = Command::new("cp")
                    .args(["-a", &format!("{}/.", old.display())])
                    .arg(&out)
                    .status()
                    .unwrap();
                assert!(copied.success());
            }
            Before::PlainFiles => {
                for name in output_files(&DatasetOptions::default()) {
                    std::fs::copy(old.join(&name), out.join(&name)).unwrap();
                }
            }
        }
        let killed = jixiao(&ingest_args(&inputs, &out, resume), Some(n));
        if killed.status.success() {
            assert_eq!(view(&out), new_view, "the run without a crash");
            eprintln!("{before:?} (resume: {resume}): killed at {} points", n - 1);
            return n - 1;
        }
        let stderr = String::from_utf8_lossy(&killed.stderr);
        let prefix = format!("jixiao: crash injected at point {n}: ");
        let step = stderr
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("not killed at point {n}: {stderr}"))
            .to_string();
        let shown = view(&out);
        assert!(
            shown == old_view || shown == new_view,
            "{before:?}, killed at point {n} ({step}): a mix of the old and new datasets"
        );

        // --resume completes the run, reading only the files whose result was not saved.
        let read = Mutex::new(Vec::new());
        let recording = |bytes: &[u8], file: &str, sha: &str| {
            read.lock().unwrap().push(file.to_string());
            pipeline.process(bytes, file, sha)
        };
        let opts = IngestOptions {
            resume: true,
            ..IngestOptions::quiet(vec![inputs.clone()], out.clone(), 1)
        };
        ingest(&opts, &recording).unwrap_or_else(|e| panic!("resume after {step}: {e}"));
        assert_eq!(view(&out), new_view, "resumed after point {n} ({step})");
        let mut read: Vec<String> = read.into_inner().unwrap().iter().map(|f| base(f)).collect();
        read.sort();
        let previous: &[(&str, &str)] = if matches!(before, Before::Empty) {
            &[]
        } else {
            &OLD
        };
        // What the killed run read, in path order, and how far it got.
        let mut readable: Vec<&str> = OLD.iter().chain(&NEW).map(|(name, _)| *name).collect();
        if resume {
            readable.retain(|name| !previous.iter().any(|(p, _)| p == name));
        }
        let saved: Vec<&str> = match step.strip_prefix("checkpoint of ") {
            Some(file) => {
                let last = base(file.trim_end_matches(" saved"));
                readable
                    .iter()
                    .copied()
                    .filter(|name| **name <= *last)
                    .collect()
            }
            None => readable.clone(),
        };
        let expected: Vec<&str> = if shown == new_view {
            Vec::new()
        } else {
            OLD.iter()
                .chain(&NEW)
                .map(|(name, _)| *name)
                .filter(|name| !previous.iter().any(|(p, _)| p == name) && !saved.contains(name))
                .collect()
        };
        assert_eq!(
            read, expected,
            "files read when resuming after point {n} ({step})"
        );

        let mut expected: Vec<String> = output_files(&DatasetOptions::default());
        expected.extend([
            jixiao::stage::CURRENT.to_string(),
            jixiao::stage::LOCK_FILE.to_string(),
        ]);
        let mut left = names(&out);
        left.retain(|n| !n.starts_with(".jixiao-gen-"));
        expected.sort();
        assert_eq!(left, expected, "after resuming from {step}");
        assert_eq!(names(&out).len(), expected.len() + 1, "one generation kept");
    }
    unreachable!()
}

#[test]
fn a_crash_at_any_point_of_the_first_run() {
    let points = crash_everywhere(Before::Empty, false);
    assert!(points > output_files(&DatasetOptions::default()).len());
}

#[test]
fn a_crash_at_any_point_of_a_run_over_a_previous_dataset() {
    assert!(crash_everywhere(Before::Previous, false) >= NEW.len() + 6);
}

#[test]
fn a_crash_at_any_point_of_a_resumed_run() {
    assert!(crash_everywhere(Before::Previous, true) >= NEW.len() + 6);
}

#[test]
fn a_crash_at_any_point_of_a_run_over_plain_files_of_an_older_jixiao() {
    let points = crash_everywhere(Before::PlainFiles, false);
    assert!(points > 2 * output_files(&DatasetOptions::default()).len());
}

/// `jixiao ARGS` run by `sh` after `setup` (shell commands).
fn jixiao_after(setup: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("{setup} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .env("JIXIAO_MODELS", common::ocr_config().models_dir)
        .env_remove("JIXIAO_CRASH_AT")
        .output()
        .expect("run sh")
}

/// Checks that an ingest into `out` failed with one message naming a path in `out` and
/// saying `cause`, and that `out` shows no dataset.
fn failed_naming(output: &Output, out: &Path, cause: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let prefix = format!("jixiao: {}", out.display());
    assert!(
        stderr.starts_with(&prefix)
            && stderr.trim_end().ends_with(cause)
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(view(out).values().all(Option::is_none));
}

/// Errors on the output directory name the path concerned, in jixiao's words.
#[test]
fn disk_errors_name_the_path() {
    let work = tempfile::tempdir().unwrap();
    let inputs = work.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    copy_samples(&inputs, &OLD);
    copy_samples(&inputs, &NEW);

    // --out below a file.
    let file = work.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = file.join("out");
    let failed = jixiao(&ingest_args(&inputs, &out, false), None);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&failed.stderr),
        format!(
            "jixiao: {}: cannot create the output directory: a part of the path is a file, \
             not a directory\n",
            out.display()
        )
    );

    // An output directory where this user may not write (as root, the test runs jixiao as
    // nobody, since root may write anywhere).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let locked = work.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = locked.join("out");
    let as_user = if std::fs::write(locked.join("probe"), "").is_ok() {
        "exec setpriv --reuid=65534 --regid=65534 --clear-groups -- \"$0\" \"$@\""
    } else {
        "exec \"$0\" \"$@\""
    };
    let _ = std::fs::remove_file(locked.join("probe"));
    let as_user = |args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg(as_user)
            .arg(env!("CARGO_BIN_EXE_jixiao"))
            .args(args)
            .env("JIXIAO_MODELS", common::ocr_config().models_dir)
            .env_remove("JIXIAO_CRASH_AT")
            .output()
            .unwrap()
    };
    let denied = as_user(&ingest_args(&inputs, &out, false));
    assert_eq!(
        String::from_utf8_lossy(&denied.stderr),
        format!(
            "jixiao: {}: cannot create the output directory: permission denied\n",
            out.display()
        )
    );
    // An input directory this user may not list.
    let hidden = inputs.join("hidden");
    std::fs::create_dir(&hidden).unwrap();
    std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o300)).unwrap();
    let denied = as_user(&ingest_args(&inputs, &work.path().join("unused"), false));
    assert_eq!(denied.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&denied.stderr),
        format!(
            "jixiao: {}: cannot list: permission denied\n",
            hidden.display()
        )
    );
    std::fs::remove_dir(&hidden).unwrap();

    // A previous dataset whose manifest this user may not read, resumed and merged.
    let previous = work.path().join("previous");
    succeed(jixiao(&ingest_args(&inputs, &previous, false), None));
    let manifest = previous.join(MANIFEST_FILE);
    let target = std::fs::canonicalize(&manifest).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o000)).unwrap();
    // (The directory and its lock are open to all, so that the run gets past the lock.)
    std::fs::set_permissions(&previous, std::fs::Permissions::from_mode(0o777)).unwrap();
    let lock = previous.join(".jixiao.lock");
    if lock.exists() {
        std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o666)).unwrap();
    }
    let unreadable = format!(
        "jixiao: {}: cannot read: permission denied\n",
        target.display()
    );
    let resumed = as_user(&ingest_args(&inputs, &previous, true));
    assert_eq!(resumed.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&resumed.stderr), unreadable);
    let merge_out = previous.join("merged");
    let merged = as_user(&[
        "merge",
        previous.to_str().unwrap(),
        "--out",
        merge_out.to_str().unwrap(),
    ]);
    assert_eq!(String::from_utf8_lossy(&merged.stderr), unreadable);

    // `golden check`: a golden file this user may not read fails that sample, naming it; a
    // golden directory it may not list stops the check, naming it.
    let samples = work.path().join("samples");
    std::fs::create_dir(&samples).unwrap();
    copy_samples(&samples, &OLD);
    let golden = work.path().join("golden");
    let golden_args = [
        "golden",
        "check",
        samples.to_str().unwrap(),
        golden.to_str().unwrap(),
    ];
    let mut bless = golden_args.to_vec();
    bless.push("--bless");
    succeed(jixiao(&bless, None));
    let golden_file = golden.join("a.json");
    std::fs::set_permissions(&golden_file, std::fs::Permissions::from_mode(0o000)).unwrap();
    let checked = as_user(&golden_args);
    assert_eq!(checked.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&checked.stdout);
    assert!(
        stdout.contains(&format!(
            "FAILED   a.pdf: {}: cannot read: permission denied\n",
            golden_file.display()
        )),
        "{stdout}"
    );
    std::fs::set_permissions(&golden, std::fs::Permissions::from_mode(0o311)).unwrap();
    let unlisted = as_user(&golden_args);
    assert_eq!(unlisted.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&unlisted.stderr),
        format!(
            "jixiao: {}: cannot list: permission denied\n",
            golden.display()
        )
    );

    // A file-size limit (`ulimit -f`, with SIGXFSZ ignored so that writes fail instead).
    let out = work.path().join("limited");
    let limited = jixiao_after(
        "ulimit -f 32 && trap '' XFSZ",
        &ingest_args(&inputs, &out, false),
    );
    failed_naming(
        &limited,
        &out,
        "the file would pass the size limit for files (ulimit -f)",
    );

    // A full disk: a small tmpfs, where the system lets this test mount one.
    let out = work.path().join("full");
    std::fs::create_dir(&out).unwrap();
    let mount = format!("mount -t tmpfs -o size=96k tmpfs {}", out.display());
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", &format!("{mount} 2>/dev/null")])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("no tmpfs mount allowed here (unshare -m, mount): full-disk case not run");
        return;
    }
    let in_tmpfs = |options: &str, out: &Path| {
        let mount = format!("mount -t tmpfs -o {options} tmpfs \"$1\" && shift && exec \"$@\"");
        let mut args = vec!["-m", "sh", "-c", &mount, "sh", out.to_str().unwrap()];
        args.push(env!("CARGO_BIN_EXE_jixiao"));
        args.extend(ingest_args(&inputs, out, false));
        Command::new("unshare")
            .args(&args)
            .env("JIXIAO_MODELS", common::ocr_config().models_dir)
            .env_remove("JIXIAO_CRASH_AT")
            .output()
            .unwrap()
    };
    let full = in_tmpfs("size=96k", &out);
    failed_naming(&full, &out, "the disk is full");
    let out = work.path().join("read-only");
    std::fs::create_dir(&out).unwrap();
    let read_only = in_tmpfs("ro", &out);
    failed_naming(&read_only, &out, "the file system is read-only");
}

/// The file name of a path.
fn base(path: &str) -> String {
    Path::new(path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// `merge` commits the same way: killed at each of its crash points over a previous
/// dataset, its output directory shows the old or the merged dataset, and merging again
/// gives the merged one.
#[test]
fn a_crash_at_any_point_of_a_merge() {
    let work = tempfile::tempdir().unwrap();
    let inputs = work.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    copy_samples(&inputs, &OLD);
    let old = work.path().join("old");
    succeed(jixiao(&ingest_args(&inputs, &old, false), None));
    copy_samples(&inputs, &NEW);
    let shards: Vec<String> = (0..2)
        .map(|k| {
            let dir = work.path().join(format!("shard-{k}"));
            let mut args = ingest_args(&inputs, &dir, false);
            let shard = format!("{k}/2");
            args.extend(["--shard", &shard]);
            succeed(jixiao(&args, None));
            dir.display().to_string()
        })
        .collect();
    let merge_args = |out: &Path| -> Vec<String> {
        let mut args = vec!["merge".to_string()];
        args.extend(shards.iter().cloned());
        args.extend(["--out".into(), out.display().to_string(), "--quiet".into()]);
        args
    };
    let merge = |out: &Path, crash_at| {
        let args = merge_args(out);
        jixiao(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            crash_at,
        )
    };
    let merged = work.path().join("merged");
    succeed(merge(&merged, None));
    let (old_view, new_view) = (view(&old), view(&merged));
    assert_ne!(old_view, new_view);
    for n in 1.. {
        let out = work.path().join(format!("out-{n}"));
        let copied = Command::new("cp")
            .arg("-a")
            .args([&old, &out])
            .status()
            .unwrap();
        assert!(copied.success());
        let killed = merge(&out, Some(n));
        if killed.status.success() {
            assert_eq!(view(&out), new_view);
            assert!(n > 4, "only {} crash points", n - 1);
            return;
        }
        let stderr = String::from_utf8_lossy(&killed.stderr);
        assert!(
            stderr.contains(&format!("crash injected at point {n}")),
            "{stderr}"
        );
        let shown = view(&out);
        assert!(
            shown == old_view || shown == new_view,
            "merge killed at point {n}: a mix: {stderr}"
        );
        succeed(merge(&out, None));
        assert_eq!(view(&out), new_view);
    }
}
