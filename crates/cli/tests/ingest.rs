//! `ingest` end to end: a corpus of broken files generated here, determinism across `--jobs`,
//! `--resume`, and atomic output.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use jixiao::ingest::{ingest, IngestError, IngestOptions, Parsed, Summary};
use jixiao::manifest::{FileStatus, Manifest};
use lopdf::{dictionary, Document, Object, ObjectId, Stream};

const GOOD: &str = "chromium/putuo-2022.pdf";
const OTHER: &str = "libreoffice/districts-excerpt.pdf";
const THIRD: &str = "chromium/minhang-2023-excerpt.pdf";

fn options(inputs: &[&Path], out: &Path, jobs: usize) -> IngestOptions {
    IngestOptions::quiet(
        inputs.iter().map(|p| p.to_path_buf()).collect(),
        out.to_path_buf(),
        jobs,
    )
}

fn run(opts: &IngestOptions) -> Result<Summary, IngestError> {
    let pipeline = common::pipeline();
    ingest(opts, &|bytes, file, sha| pipeline.process(bytes, file, sha))
}

fn manifest(out: &Path) -> Manifest {
    Manifest::read(&out.join("manifest.json"))
        .unwrap()
        .expect("manifest.json written")
}

/// Every file directly in `dir`, by name.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.path().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                b"<dir>".to_vec()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

fn copy_sample(rel: &str, to: &Path) -> PathBuf {
    std::fs::copy(common::sample(rel), to).unwrap();
    to.to_path_buf()
}

/// A one-page PDF made with lopdf, changed by `edit` (document, page, page tree) before saving.
fn one_page_pdf(edit: impl FnOnce(&mut Document, ObjectId, ObjectId)) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages = doc.new_object_id();
    let content = doc.add_object(Stream::new(dictionary! {}, b"0 0 m 100 0 l S".to_vec()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content,
        "Resources" => dictionary! {},
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    edit(&mut doc, page, pages);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A zlib stream that inflates to `1 + 258 × matches` zero bytes: one literal, then
/// back-references of length 258 at distance 1, in one fixed-Huffman block (~1000:1).
fn zlib_zero_bomb(matches: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, len: u32) {
            self.acc |= value << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u64, len: u32) {
            let reversed = (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)));
            self.put(reversed, len);
        }
    }
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // fixed Huffman
    bits.code(0b0011_0000, 8); // literal 0
    for _ in 0..matches {
        bits.code(0b1100_0101, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1 (code 0)
    }
    bits.code(0, 7); // end of block
    bits.put(0, 7); // pad to a byte
    let total = 1 + 258 * matches as u64;
    let adler = ((total % 65521) << 16) | 1; // a = 1 + Σ 0, b = Σ a
    bits.out.extend_from_slice(&(adler as u32).to_be_bytes());
    bits.out
}

/// The broken-file corpus, written into `dir`: name → expected status.
fn broken_corpus(dir: &Path) -> Vec<(&'static str, FileStatus)> {
    let good = std::fs::read(common::sample(GOOD)).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    write("a-good.pdf", &good);
    write("b-duplicate.pdf", &good);
    write("c-zero-bytes.pdf", b"");
    write("d-truncated.pdf", &good[..good.len() / 3]);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let random: Vec<u8> = (0..50_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    write("e-random-bytes.pdf", &random);
    write(
        "f-garbage-xref.pdf",
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nxref\n0 ZZ\nnot an xref table\n\
          trailer\n<< /Size -3 /Root 42 0 R >>\nstartxref\n99999999\n%%EOF\n",
    );
    write(
        "g-encrypted.pdf",
        &one_page_pdf(|doc, _, _| {
            let id = Object::String(
                b"0123456789abcdef".to_vec(),
                lopdf::StringFormat::Hexadecimal,
            );
            doc.trailer.set("ID", vec![id.clone(), id]);
            let version = lopdf::EncryptionVersion::V2 {
                document: &doc.clone(),
                owner_password: "owner",
                user_password: "secret",
                key_length: 128,
                permissions: lopdf::Permissions::default(),
            };
            let state = lopdf::EncryptionState::try_from(version).unwrap();
            doc.encrypt(&state).unwrap();
        }),
    );
    write(
        "h-decompression-bomb.pdf",
        &one_page_pdf(|doc, page, _| {
            // ~2 GiB of zeros behind 13 MB of Flate data.
            let bomb = Stream::new(
                dictionary! { "Filter" => "FlateDecode" },
                zlib_zero_bomb(8_400_000),
            );
            let id = doc.add_object(bomb);
            doc.get_dictionary_mut(page).unwrap().set("Contents", id);
        }),
    );
    write(
        "i-cyclic-page-tree.pdf",
        &one_page_pdf(|doc, page, pages| {
            let tree = doc.get_dictionary_mut(pages).unwrap();
            tree.set("Kids", vec![page.into(), pages.into()]);
            tree.set("Count", 2);
        }),
    );
    write(
        "j-nested-forms.pdf",
        &one_page_pdf(|doc, page, _| {
            // A chain of 200 Form XObjects, each drawing the next, the last drawing the first.
            let ids: Vec<ObjectId> = (0..200).map(|_| doc.new_object_id()).collect();
            for (i, id) in ids.iter().enumerate() {
                let next = ids[(i + 1) % ids.len()];
                let form = Stream::new(
                    dictionary! {
                        "Type" => "XObject",
                        "Subtype" => "Form",
                        "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
                        "Resources" => dictionary! { "XObject" => dictionary! { "F" => next } },
                    },
                    b"0 0 m 10 10 l S /F Do".to_vec(),
                );
                doc.objects.insert(*id, Object::Stream(form));
            }
            let content = doc.add_object(Stream::new(dictionary! {}, b"/F Do".to_vec()));
            let page = doc.get_dictionary_mut(page).unwrap();
            page.set("Contents", content);
            page.set(
                "Resources",
                dictionary! { "XObject" => dictionary! { "F" => ids[0] } },
            );
        }),
    );
    write(
        "k-huge-mediabox.pdf",
        &one_page_pdf(|doc, page, _| {
            let huge = vec![0.into(), 0.into(), Object::Real(1.0e9), Object::Real(1.0e9)];
            doc.get_dictionary_mut(page).unwrap().set("MediaBox", huge);
        }),
    );
    write("l-notes.txt", "这不是 PDF 文件。\n".as_bytes());
    vec![
        ("a-good.pdf", FileStatus::Ok),
        ("b-duplicate.pdf", FileStatus::SkippedDuplicate),
        ("c-zero-bytes.pdf", FileStatus::NotAPdf),
        // lopdf rebuilds the xref of what is left: the pages are there, their content is not.
        ("d-truncated.pdf", FileStatus::Partial),
        ("e-random-bytes.pdf", FileStatus::NotAPdf),
        ("f-garbage-xref.pdf", FileStatus::Failed),
        ("g-encrypted.pdf", FileStatus::Failed),
        ("h-decompression-bomb.pdf", FileStatus::Partial),
        // The cycle is cut: the one real page is read.
        ("i-cyclic-page-tree.pdf", FileStatus::Ok),
        ("j-nested-forms.pdf", FileStatus::Partial),
        ("k-huge-mediabox.pdf", FileStatus::Ok),
        ("l-notes.txt", FileStatus::NotAPdf),
    ]
}

/// Each broken file appears once with its status and a message; the good file's records are
/// exactly those `parse` gives for it alone; the batch reports the failures.
#[test]
fn broken_files_are_isolated() {
    let corpus = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let expected = broken_corpus(corpus.path());
    let summary = run(&options(&[corpus.path()], out.path(), 2)).unwrap();
    let m = manifest(out.path());
    let prefix = format!("{}/", corpus.path().display());
    let got: Vec<(&str, FileStatus)> = m
        .files
        .iter()
        .map(|f| (f.file.strip_prefix(&prefix).unwrap(), f.status))
        .collect();
    assert_eq!(got, expected, "{m:#?}");
    for f in &m.files {
        let needs_message = !matches!(f.status, FileStatus::Ok | FileStatus::SkippedDuplicate);
        assert_eq!(f.error.is_some(), needs_message, "{f:?}");
    }
    let entry = |name: &str| m.files.iter().find(|f| f.file.ends_with(name)).unwrap();
    assert!(entry("g-encrypted.pdf")
        .error
        .as_deref()
        .unwrap()
        .contains("password"));
    assert!(entry("h-decompression-bomb.pdf")
        .error
        .as_deref()
        .unwrap()
        .contains("limit"));
    assert_eq!(entry("i-cyclic-page-tree.pdf").pages, 1);
    assert_eq!(
        entry("b-duplicate.pdf").duplicate_of.as_deref(),
        Some(entry("a-good.pdf").file.as_str())
    );
    assert!(summary.count(FileStatus::Failed) > 0);

    let good_name = &entry("a-good.pdf").file;
    let alone = common::pipeline()
        .parse(&std::fs::read(common::sample(GOOD)).unwrap(), good_name)
        .unwrap();
    assert!(!alone.reports.is_empty());
    let lines: Vec<jixiao_normalize::Report> =
        std::fs::read_to_string(out.path().join("reports.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    assert_eq!(lines, alone.reports);
    assert_eq!(entry("a-good.pdf").reports, alone.reports.len());
}

/// A panic in the per-file pipeline is that file's failure, not the batch's.
#[test]
fn a_panicking_worker_fails_only_its_file() {
    let inputs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    copy_sample(GOOD, &inputs.path().join("a.pdf"));
    copy_sample(OTHER, &inputs.path().join("b.pdf"));
    let pipeline = common::pipeline();
    let process = |bytes: &[u8], file: &str, sha: &str| -> Result<Parsed, String> {
        if file.ends_with("b.pdf") {
            panic!("boom in {file}");
        }
        pipeline.process(bytes, file, sha)
    };
    let summary = ingest(&options(&[inputs.path()], out.path(), 2), &process).unwrap();
    assert_eq!(summary.count(FileStatus::Ok), 1);
    assert_eq!(summary.count(FileStatus::Failed), 1);
    let m = manifest(out.path());
    assert_eq!(m.files[1].status, FileStatus::Failed);
    let error = m.files[1].error.as_deref().unwrap();
    assert!(
        error.contains("panic") && error.contains("boom in"),
        "{error}"
    );
    assert!(m.files[0].reports > 0);
}

/// `--jobs 1` and `--jobs 2` write byte-identical datasets.
#[test]
fn outputs_do_not_depend_on_jobs() {
    let inputs = tempfile::tempdir().unwrap();
    std::fs::create_dir(inputs.path().join("sub")).unwrap();
    copy_sample(GOOD, &inputs.path().join("sub/one.pdf"));
    copy_sample(OTHER, &inputs.path().join("two.pdf"));
    copy_sample(THIRD, &inputs.path().join("three.pdf"));
    copy_sample(GOOD, &inputs.path().join("copy-of-one.pdf"));
    std::fs::write(inputs.path().join("readme.txt"), "not a pdf").unwrap();
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    run(&options(&[inputs.path()], one.path(), 1)).unwrap();
    run(&options(&[inputs.path()], two.path(), 2)).unwrap();
    let (a, b) = (snapshot(one.path()), snapshot(two.path()));
    let mut names = jixiao_dataset::output_files(&Default::default());
    names.extend([
        jixiao::stage::LOCK_FILE.to_string(),
        jixiao::stage::CURRENT.to_string(),
        ".jixiao-gen-1".to_string(),
    ]);
    names.sort_unstable();
    assert_eq!(a.keys().map(String::as_str).collect::<Vec<_>>(), names);
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{name} differs between --jobs 1 and --jobs 2"
        );
    }
    assert!(
        manifest(one.path())
            .files
            .iter()
            .filter(|f| f.reports > 0)
            .count()
            == 3
    );
}

/// `--resume` reads only the new files and gives the same dataset as one run over all of them.
#[test]
fn resume_reads_only_new_files() {
    let inputs = tempfile::tempdir().unwrap();
    copy_sample(GOOD, &inputs.path().join("a.pdf"));
    copy_sample(OTHER, &inputs.path().join("c.pdf"));
    let out = tempfile::tempdir().unwrap();
    run(&options(&[inputs.path()], out.path(), 2)).unwrap();

    copy_sample(THIRD, &inputs.path().join("b.pdf"));
    copy_sample(OTHER, &inputs.path().join("d-same-as-c.pdf"));
    let calls = AtomicUsize::new(0);
    let pipeline = common::pipeline();
    let counting = |bytes: &[u8], file: &str, sha: &str| {
        calls.fetch_add(1, Ordering::Relaxed);
        pipeline.process(bytes, file, sha)
    };
    let resume = IngestOptions {
        resume: true,
        ..options(&[inputs.path()], out.path(), 2)
    };
    ingest(&resume, &counting).unwrap();
    assert_eq!(calls.load(Ordering::Relaxed), 1, "only b.pdf is read again");
    let m = manifest(out.path());
    let statuses: Vec<FileStatus> = m.files.iter().map(|f| f.status).collect();
    use FileStatus::{Ok, SkippedDuplicate};
    assert_eq!(statuses, [Ok, Ok, Ok, SkippedDuplicate]);

    let fresh = tempfile::tempdir().unwrap();
    run(&options(&[inputs.path()], fresh.path(), 1)).unwrap();
    let (resumed, fresh) = (snapshot(out.path()), snapshot(fresh.path()));
    for name in jixiao_dataset::output_files(&Default::default())
        .iter()
        .filter(|n| *n != jixiao_dataset::MANIFEST_FILE)
    {
        assert!(
            resumed[name] == fresh[name],
            "{name} differs between resumed and fresh runs"
        );
    }
}

/// `--resume` reads a file that failed last time again (its cause may be gone) and keeps the
/// files that were read.
#[test]
fn resume_retries_failed_files() {
    let inputs = tempfile::tempdir().unwrap();
    copy_sample(GOOD, &inputs.path().join("a.pdf"));
    copy_sample(OTHER, &inputs.path().join("b.pdf"));
    let out = tempfile::tempdir().unwrap();
    let pipeline = common::pipeline();
    let failing_b = |bytes: &[u8], file: &str, sha: &str| {
        if file.ends_with("b.pdf") {
            Err("models missing".to_string())
        } else {
            pipeline.process(bytes, file, sha)
        }
    };
    ingest(&options(&[inputs.path()], out.path(), 2), &failing_b).unwrap();
    let statuses: Vec<FileStatus> = manifest(out.path())
        .files
        .iter()
        .map(|f| f.status)
        .collect();
    assert_eq!(statuses, [FileStatus::Ok, FileStatus::Failed]);

    let read = std::sync::Mutex::new(Vec::new());
    let recording = |bytes: &[u8], file: &str, sha: &str| {
        read.lock().unwrap().push(file.to_string());
        pipeline.process(bytes, file, sha)
    };
    let resume = IngestOptions {
        resume: true,
        ..options(&[inputs.path()], out.path(), 2)
    };
    ingest(&resume, &recording).unwrap();
    let read = read.into_inner().unwrap();
    assert!(read.len() == 1 && read[0].ends_with("b.pdf"), "{read:?}");
    let m = manifest(out.path());
    let statuses: Vec<FileStatus> = m.files.iter().map(|f| f.status).collect();
    assert_eq!(statuses, [FileStatus::Ok, FileStatus::Ok]);

    let fresh = tempfile::tempdir().unwrap();
    run(&options(&[inputs.path()], fresh.path(), 1)).unwrap();
    assert!(
        std::fs::read(out.path().join("reports.jsonl")).unwrap()
            == std::fs::read(fresh.path().join("reports.jsonl")).unwrap(),
        "the retried file's records are in the dataset"
    );
}

/// Nothing reaches the output directory before the run is complete; a run that fails keeps
/// the previous dataset byte for byte and leaves no staging files. (`crash.rs` kills runs at
/// every step of their commit.)
#[test]
fn outputs_are_replaced_atomically() {
    let inputs = tempfile::tempdir().unwrap();
    copy_sample(GOOD, &inputs.path().join("a.pdf"));
    let out = tempfile::tempdir().unwrap();
    run(&options(&[inputs.path()], out.path(), 1)).unwrap();
    let before = snapshot(out.path());

    // While files are being read, the output directory holds only the old set, staging and
    // checkpoints.
    copy_sample(OTHER, &inputs.path().join("b.pdf"));
    let pipeline = common::pipeline();
    let watching = |bytes: &[u8], file: &str, sha: &str| {
        let now = snapshot(out.path());
        let fresh: Vec<&String> = now.keys().filter(|k| !before.contains_key(*k)).collect();
        assert!(
            fresh
                .iter()
                .all(|k| k.starts_with(".jixiao-staging-") || *k == ".jixiao-checkpoints"),
            "{fresh:?}"
        );
        assert!(before.iter().all(|(k, v)| &now[k] == v));
        pipeline.process(bytes, file, sha)
    };
    ingest(&options(&[inputs.path()], out.path(), 1), &watching).unwrap();
    let after = snapshot(out.path());
    let generation = |dir: &str| dir.replace("-gen-1", "-gen-2");
    assert_eq!(
        after.keys().cloned().collect::<Vec<_>>(),
        before.keys().map(|k| generation(k)).collect::<Vec<_>>(),
        "the next generation replaces the previous one"
    );
    assert_ne!(after["reports.jsonl"], before["reports.jsonl"]);

    // A resume over a damaged previous dataset fails and changes nothing.
    let mut jsonl = after["reports.jsonl"].clone();
    let cut = jsonl.len() / 2;
    jsonl.truncate(cut);
    std::fs::write(out.path().join("reports.jsonl"), &jsonl).unwrap();
    let damaged = snapshot(out.path());
    copy_sample(THIRD, &inputs.path().join("c.pdf"));
    let resume = IngestOptions {
        resume: true,
        ..options(&[inputs.path()], out.path(), 2)
    };
    let err = run(&resume).unwrap_err();
    assert!(matches!(err, IngestError::Previous(_)), "{err}");
    assert_eq!(snapshot(out.path()), damaged);
}
