//! `ingest --shard K/N` + `merge`: the merged dataset is byte-identical to a single ingest of
//! the same inputs, duplicates across shards included; merge refuses incomplete or
//! inconsistent shard sets.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use jixiao::ingest::{ingest, IngestOptions, DEFAULT_MAX_FILE_BYTES};
use jixiao::manifest::{FileStatus, Manifest};
use jixiao::merge::{merge, MergeError, MergeOptions};
use jixiao::progress::ProgressMode;
use jixiao::shard::{shard_of, Shard};
use jixiao_dataset::{output_files, DatasetOptions};

const COUNTS: [u32; 3] = [2, 4, 7];

fn options(input: &Path, out: &Path, shard: Option<Shard>) -> IngestOptions {
    IngestOptions {
        inputs: vec![input.to_path_buf()],
        out: out.to_path_buf(),
        jobs: 2,
        resume: false,
        dataset: Default::default(),
        max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        progress: ProgressMode::Quiet,
        shard,
    }
}

fn run(opts: &IngestOptions) {
    let pipeline = common::pipeline();
    ingest(opts, &|bytes, file, sha| pipeline.process(bytes, file, sha)).unwrap();
}

/// Runs the N shards of `input` into `root/shard-K`; returns their directories.
fn shards(input: &Path, root: &Path, count: u32) -> Vec<PathBuf> {
    (0..count)
        .map(|index| {
            let dir = root.join(format!("shard-{index}"));
            run(&options(input, &dir, Some(Shard { index, count })));
            dir
        })
        .collect()
}

fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    output_files(&DatasetOptions::default())
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            (name, bytes)
        })
        .collect()
}

fn manifest(dir: &Path) -> Manifest {
    Manifest::read(&dir.join("manifest.json")).unwrap().unwrap()
}

/// The first name `prefix-I.pdf` (I = 0, 1, …) whose path below `dir` satisfies `wanted`
/// (given its shard for each count in [`COUNTS`]).
fn name_where(dir: &Path, prefix: &str, wanted: impl Fn(&[u32]) -> bool) -> String {
    (0..)
        .map(|i| format!("{prefix}-{i}.pdf"))
        .find(|name| {
            let path = dir.join(name).to_string_lossy().into_owned();
            wanted(&COUNTS.map(|n| shard_of(&path, n)))
        })
        .unwrap()
}

/// Born-digital samples and files that are not PDFs, plus three byte-identical copies placed
/// so that, for every count, the first (in path order) is in another shard than the two
/// later ones: their shard makes the last a duplicate of the second, a single run makes both
/// duplicates of the first.
fn corpus(dir: &Path) {
    for (rel, name) in [
        ("chromium/putuo-2022.pdf", "a/putuo.pdf"),
        ("chromium/minhang-2023-excerpt.pdf", "a/minhang.pdf"),
        ("libreoffice/districts-excerpt.pdf", "b/districts.pdf"),
        ("chromium/scoring.pdf", "b/scoring.pdf"),
        ("chromium/layout.pdf", "c/layout.pdf"),
    ] {
        std::fs::create_dir_all(dir.join(name).parent().unwrap()).unwrap();
        std::fs::copy(common::sample(rel), dir.join(name)).unwrap();
    }
    let original = dir.join("d");
    std::fs::create_dir_all(&original).unwrap();
    let first = name_where(&original, "0-first", |_| true);
    let first_shards = COUNTS.map(|n| shard_of(&original.join(&first).to_string_lossy(), n));
    // Two later copies sharing a shard that is not the first copy's, for every count.
    let later = name_where(&original, "1-later", |s| {
        s.iter().zip(first_shards).all(|(a, b)| *a != b)
    });
    let later_shards = COUNTS.map(|n| shard_of(&original.join(&later).to_string_lossy(), n));
    let last = name_where(&original, "2-last", |s| s == later_shards);
    for name in [&first, &later, &last] {
        std::fs::copy(
            common::sample("chromium/putuo-2022-with-cover.pdf"),
            original.join(name),
        )
        .unwrap();
    }
    std::fs::write(dir.join("c/notes.txt"), "这不是 PDF。\n").unwrap();
    std::fs::write(dir.join("d/notes-copy.txt"), "这不是 PDF。\n").unwrap();
    std::fs::write(dir.join("c/empty.pdf"), b"").unwrap();
}

/// For N in {1, 2, 4, 7}: every file in exactly one shard, and the merge equals a single run,
/// byte for byte, in every output file.
#[test]
fn merging_shards_equals_a_single_run() {
    let input = tempfile::tempdir().unwrap();
    corpus(input.path());
    let work = tempfile::tempdir().unwrap();
    let single = work.path().join("single");
    run(&options(input.path(), &single, None));
    let expected = outputs(&single);
    let single_manifest = manifest(&single);
    let duplicates: Vec<_> = single_manifest
        .files
        .iter()
        .filter(|f| f.status == FileStatus::SkippedDuplicate)
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(duplicates.len(), 3, "{duplicates:?}");

    for count in [1, 2, 4, 7] {
        let root = work.path().join(format!("n{count}"));
        let dirs = shards(input.path(), &root, count);
        let mut seen = 0;
        for (index, dir) in dirs.iter().enumerate() {
            let m = manifest(dir);
            let info = m.shard.as_ref().expect("shard recorded");
            assert_eq!((info.index, info.count), (index as u32, count));
            assert_eq!(info.listed, single_manifest.files.len());
            seen += m.files.len();
        }
        assert_eq!(seen, single_manifest.files.len(), "each file in one shard");
        // The shards' order on the command line does not matter.
        let mut given = dirs.clone();
        given.reverse();
        let merged = root.join("merged");
        let summary = merge(&MergeOptions {
            shards: given,
            out: merged.clone(),
        })
        .unwrap();
        assert_eq!(summary.count(FileStatus::SkippedDuplicate), 3);
        for (name, bytes) in outputs(&merged) {
            assert!(
                bytes == expected[&name],
                "{name}: merge of {count} shards differs from the single run"
            );
        }
    }
}

fn small_corpus(dir: &Path) {
    for i in 0..12 {
        std::fs::write(dir.join(format!("note-{i}.txt")), format!("note {i}\n")).unwrap();
    }
}

fn merge_err(shards: &[PathBuf], out: &Path) -> MergeError {
    merge(&MergeOptions {
        shards: shards.to_vec(),
        out: out.to_path_buf(),
    })
    .unwrap_err()
}

fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("manifest.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut value);
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

/// A missing or repeated shard, shards of different versions, options or listings, a
/// single run's dataset, and a shard holding another's file are refused, with nothing written.
#[test]
fn inconsistent_shard_sets_are_refused() {
    let input = tempfile::tempdir().unwrap();
    small_corpus(input.path());
    let work = tempfile::tempdir().unwrap();
    let dirs = shards(input.path(), work.path(), 3);
    let out = work.path().join("out");
    let message = |e: MergeError| e.to_string();

    let e = merge_err(&dirs[..2], &out);
    assert!(
        matches!(e, MergeError::Missing { ref missing, count: 3 } if missing == &[2]),
        "{e}"
    );
    assert!(message(e).contains("missing shard: 2 of 3"));
    let e = merge_err(&[dirs[0].clone(), dirs[1].clone(), dirs[1].clone()], &out);
    assert!(matches!(e, MergeError::Twice { index: 1, .. }), "{e}");

    let single = work.path().join("single");
    run(&options(input.path(), &single, None));
    let e = merge_err(&[single], &out);
    assert!(matches!(e, MergeError::NotAShard(_)), "{e}");

    // A shard run with other options.
    let other = work.path().join("other-options");
    run(&IngestOptions {
        dataset: jixiao_dataset::DatasetOptions {
            excel_csv: true,
            ..Default::default()
        },
        ..options(input.path(), &other, Some(Shard { index: 2, count: 3 }))
    });
    let e = merge_err(&[dirs[0].clone(), dirs[1].clone(), other.clone()], &out);
    assert!(
        matches!(
            e,
            MergeError::Options {
                what: "the options",
                ..
            }
        ),
        "{e}"
    );

    // A shard run after a file was added to the inputs.
    std::fs::write(input.path().join("late.txt"), "late\n").unwrap();
    let late = work.path().join("late");
    run(&options(
        input.path(),
        &late,
        Some(Shard { index: 2, count: 3 }),
    ));
    let e = merge_err(&[dirs[0].clone(), dirs[1].clone(), late], &out);
    assert!(
        matches!(
            e,
            MergeError::Options {
                what: "the files listed under the inputs",
                ..
            }
        ),
        "{e}"
    );
    std::fs::remove_file(input.path().join("late.txt")).unwrap();

    // A shard of another count.
    let four = work.path().join("four");
    run(&options(
        input.path(),
        &four,
        Some(Shard { index: 3, count: 4 }),
    ));
    let e = merge_err(&[dirs[0].clone(), four], &out);
    assert!(
        matches!(
            e,
            MergeError::Count {
                count: 4,
                expected: 3,
                ..
            }
        ),
        "{e}"
    );

    // Made by another version.
    let old = work.path().join("old");
    run(&options(
        input.path(),
        &old,
        Some(Shard { index: 2, count: 3 }),
    ));
    edit_manifest(&old, |m| m["jixiao_version"] = "0.0.1".into());
    let e = merge_err(&[dirs[0].clone(), dirs[1].clone(), old], &out);
    assert!(matches!(e, MergeError::Version { .. }), "{e}");

    // A file moved from one shard's manifest to another's.
    let moved = work.path().join("moved");
    run(&options(
        input.path(),
        &moved,
        Some(Shard { index: 1, count: 3 }),
    ));
    let stolen = manifest(&dirs[0]).files[0].clone();
    edit_manifest(&moved, |m| {
        let files = m["files"].as_array_mut().unwrap();
        files.push(serde_json::to_value(&stolen).unwrap());
    });
    let e = merge_err(&[dirs[0].clone(), moved, dirs[2].clone()], &out);
    assert!(matches!(e, MergeError::Foreign { index: 1, .. }), "{e}");

    // A file dropped from a shard's manifest.
    let dropped = work.path().join("dropped");
    run(&options(
        input.path(),
        &dropped,
        Some(Shard { index: 2, count: 3 }),
    ));
    edit_manifest(&dropped, |m| {
        m["files"].as_array_mut().unwrap().pop();
    });
    let e = merge_err(&[dirs[0].clone(), dirs[1].clone(), dropped], &out);
    assert!(matches!(e, MergeError::Listing { .. }), "{e}");

    assert!(!out.exists(), "nothing written by a refused merge");
    merge(&MergeOptions {
        shards: dirs,
        out: out.clone(),
    })
    .unwrap();
    assert_eq!(manifest(&out).files.len(), 12);
}

/// `--shard auto` takes K and N from Slurm's or Kubernetes' variables; the binary's merge
/// gives the single run's dataset.
#[test]
fn shard_auto_from_the_scheduler_environment() {
    let input = tempfile::tempdir().unwrap();
    small_corpus(input.path());
    let work = tempfile::tempdir().unwrap();
    let jixiao = |args: &[&str], env: &[(&str, String)]| {
        let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .args(args)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let input_arg = input.path().to_str().unwrap();
    let mut dirs = Vec::new();
    for k in 0..3u32 {
        let dir = work.path().join(format!("s{k}"));
        let env = if k < 2 {
            vec![
                ("SLURM_ARRAY_TASK_ID", (k + 1).to_string()),
                ("SLURM_ARRAY_TASK_MIN", "1".to_string()),
                ("SLURM_ARRAY_TASK_COUNT", "3".to_string()),
            ]
        } else {
            vec![
                ("JOB_COMPLETION_INDEX", k.to_string()),
                ("JIXIAO_SHARD_COUNT", "3".to_string()),
            ]
        };
        let (code, stderr) = jixiao(
            &[
                "ingest",
                input_arg,
                "--out",
                dir.to_str().unwrap(),
                "--shard",
                "auto",
                "-q",
            ],
            &env,
        );
        assert_eq!(code, Some(0), "{stderr}");
        let info = manifest(&dir).shard.unwrap();
        assert_eq!((info.index, info.count), (k, 3));
        dirs.push(dir);
    }
    let (code, stderr) = jixiao(&["ingest", input_arg, "--out", "x", "--shard", "auto"], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("SLURM_ARRAY_TASK_ID"), "{stderr}");

    let single = work.path().join("single");
    let (code, stderr) = jixiao(
        &["ingest", input_arg, "--out", single.to_str().unwrap(), "-q"],
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let merged = work.path().join("merged");
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(dirs[..2].iter().map(|d| d.to_str().unwrap()));
    let (code, stderr) = jixiao(&args, &[]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("missing shard: 2 of 3"), "{stderr}");
    args.push(dirs[2].to_str().unwrap());
    let (code, stderr) = jixiao(&args, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(outputs(&merged), outputs(&single));
}
