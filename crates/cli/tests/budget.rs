//! Hostile files made here — a Flate bomb, a huge `/W` array, thousands of pages, deep
//! nesting — read by `ingest` under a memory budget: each fails alone with the budget's
//! message (or finishes), and the good files beside them are read as without a budget.
//!
//! `peak_rss_of_hostile_files` (ignored; run with `--ignored --nocapture`) measures the
//! binary's peak resident memory on each hostile file with `--jobs 1` and `--jobs 4`: the
//! figures in `docs/benchmarks.md`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use jixiao::ingest::{ingest, IngestOptions};
use jixiao::limits::FileLimits;
use jixiao::manifest::{FileStatus, Manifest};

/// A PDF of the given object bodies (object `i + 1` is `objects[i]`; 1 is the catalog).
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let at = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<</Size {} /Root 1 0 R>>\nstartxref\n{at}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<<{dict} /Length {}>>\nstream\n", data.len()).into_bytes();
    out.extend(data);
    out.extend(b"\nendstream");
    out
}

const FONT: &str = "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>";

/// One page drawing `content` with Helvetica as /F1 and `resources` besides.
fn one_page(content: Vec<u8>, resources: &str, more: Vec<Vec<u8>>) -> Vec<u8> {
    let mut objects = vec![
        b"<</Type/Catalog/Pages 2 0 R>>".to_vec(),
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>".to_vec(),
        format!(
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]\
             /Resources<</Font<</F1 4 0 R>>{resources}>>/Contents 5 0 R>>"
        )
        .into_bytes(),
        FONT.as_bytes().to_vec(),
        content,
    ];
    objects.extend(more);
    pdf(&objects)
}

/// A content stream of `mib` MiB of spaces, deflated (about a thousandth of that).
fn flate_bomb(mib: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..mib {
        z.write_all(&chunk).unwrap();
    }
    one_page(
        stream("/Filter/FlateDecode", &z.finish().unwrap()),
        "",
        Vec::new(),
    )
}

/// A CID font whose `/W` array lists `count` widths (5 bytes of file each).
fn huge_widths(count: usize) -> Vec<u8> {
    let widths = format!("[1[{}]]", "500 ".repeat(count));
    one_page(
        stream("", b"BT /F2 12 Tf 72 700 Td <00010002> Tj ET"),
        "/Font<</F2 6 0 R>>",
        vec![
            b"<</Type/Font/Subtype/Type0/BaseFont/X/Encoding/Identity-H/DescendantFonts[7 0 R]>>"
                .to_vec(),
            format!(
                "<</Type/Font/Subtype/CIDFontType2/BaseFont/X\
                 /CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/W {widths}>>"
            )
            .into_bytes(),
        ],
    )
}

/// `pages` pages sharing one content stream: a ruled table of `rows` × 8 cells with text,
/// continued from page to page (no caption between them).
fn many_pages(pages: usize, rows: usize) -> Vec<u8> {
    let mut content = String::new();
    for r in 0..rows {
        for c in 0..8 {
            let (x, y) = (40 + c * 66, 760 - r * 18);
            content.push_str(&format!(
                "{x} {} 66 18 re S BT /F1 8 Tf {} {} Td (R{r}C{c} 1,234.56) Tj ET\n",
                y - 18,
                x + 2,
                y - 13
            ));
        }
    }
    let mut objects = vec![
        b"<</Type/Catalog/Pages 2 0 R>>".to_vec(),
        Vec::new(),
        FONT.as_bytes().to_vec(),
        stream("", content.as_bytes()),
    ];
    let kids: Vec<String> = (0..pages)
        .map(|i| {
            objects.push(
                b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]\
                  /Resources<</Font<</F1 3 0 R>>>>/Contents 4 0 R>>"
                    .to_vec(),
            );
            format!("{} 0 R", i + 5)
        })
        .collect();
    objects[1] = format!("<</Type/Pages/Kids[{}]/Count {pages}>>", kids.join(" ")).into_bytes();
    pdf(&objects)
}

/// Graphics states, arrays and dictionaries nested `depth` deep in a page and an object.
fn deep_nesting(depth: usize) -> Vec<u8> {
    let content = ["q ".repeat(depth), "[".repeat(depth), "<<".repeat(depth)].concat();
    one_page(
        stream("", content.as_bytes()),
        "",
        vec!["[".repeat(depth).into_bytes()],
    )
}

/// The hostile files, by name.
fn hostile_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("bomb-1GiB.pdf", flate_bomb(1024)),
        ("huge-widths-13MB.pdf", huge_widths(13 << 18)),
        ("pages-10000.pdf", many_pages(10_000, 20)),
        ("deep-nesting.pdf", deep_nesting(100_000)),
    ]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const GOOD: &str = "chromium/putuo-2022.pdf";

/// Memory limits under which each hostile file below goes over its share of 48 MiB, while
/// the good report needs much less.
fn tight(jobs: usize) -> FileLimits {
    let share = 48 << 20;
    let max_memory = (0..).map(|m: u64| m << 20).find(|&m| {
        FileLimits {
            max_memory: m,
            jobs,
            timeout: None,
        }
        .memory_share()
            >= share
    });
    FileLimits {
        max_memory: max_memory.unwrap(),
        jobs,
        timeout: None,
    }
}

#[test]
fn hostile_files_fail_alone_with_the_budget_message() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::copy(common::sample(GOOD), inputs.join("good.pdf")).unwrap();
    let over_share = [
        ("bomb.pdf", flate_bomb(64)),
        ("huge-widths.pdf", huge_widths(1 << 20)),
        ("pages.pdf", many_pages(1500, 40)),
    ];
    for (name, bytes) in &over_share {
        write(&inputs, name, bytes);
    }
    write(&inputs, "deep.pdf", &deep_nesting(100_000));
    for jobs in [1, 2] {
        let out = dir.path().join(format!("out-{jobs}"));
        let limits = tight(jobs);
        let pipeline = common::pipeline().with_file_limits(limits);
        let opts = IngestOptions::quiet(vec![inputs.clone()], out.clone(), jobs);
        ingest(&opts, &|bytes, file, sha| {
            pipeline.process(bytes, file, sha)
        })
        .unwrap();
        let manifest = Manifest::read(&out.join("manifest.json")).unwrap().unwrap();
        let entry = |name: &str| {
            manifest
                .files
                .iter()
                .find(|f| f.file.ends_with(name))
                .unwrap_or_else(|| panic!("{name} in the manifest"))
        };
        let good = entry("good.pdf");
        assert_eq!(good.status, FileStatus::Ok, "{good:?}");
        assert!(good.reports > 0);
        for (name, _) in &over_share {
            let e = entry(name);
            let message = e.error.as_deref().unwrap_or_default();
            assert_eq!(e.status, FileStatus::Failed, "{name}: {e:?}");
            assert!(
                message.starts_with("memory budget exceeded")
                    && message.contains(&format!("--jobs {jobs}")),
                "{name}: {message}"
            );
        }
        // Nesting is bounded by depth limits, not memory: the file is read (what of it
        // reads) like any other.
        assert_ne!(entry("deep.pdf").status, FileStatus::Failed);
    }
}

#[test]
fn a_file_over_its_time_limit_fails_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "pages.pdf", &many_pages(200, 20));
    let bin = env!("CARGO_BIN_EXE_jixiao");
    let run = |timeout: &str| {
        Command::new(bin)
            .args(["parse", "--file-timeout", timeout])
            .arg(&file)
            .output()
            .unwrap()
    };
    // A deadline of a nanosecond has passed before the first page.
    let late = run("0.000000001");
    let stderr = String::from_utf8_lossy(&late.stderr);
    assert_eq!(late.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("time budget exceeded") && stderr.contains("--file-timeout"),
        "{stderr}"
    );
    assert!(run("0").status.success(), "0 means no limit");
}

/// Peak resident memory (KiB) of `jixiao ingest` on `input` with `jobs` and `max_memory`,
/// from `/usr/bin/time`; and the first file's row of `files.csv`.
fn peak_rss(input: &Path, jobs: usize, max_memory: &str) -> (u64, String) {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_jixiao"))
        .arg("ingest")
        .arg(input)
        .arg("--out")
        .arg(out.path())
        .args(["--quiet", "--jobs", &jobs.to_string()])
        .args(["--max-memory", max_memory])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kib = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    let status = std::fs::read_to_string(out.path().join("files.csv"))
        .ok()
        .and_then(|csv| csv.lines().nth(1).map(str::to_string))
        .unwrap_or_else(|| stderr.to_string());
    (kib, status)
}

#[test]
#[ignore = "measurement for docs/benchmarks.md: minutes, and /usr/bin/time"]
fn peak_rss_of_hostile_files() {
    let dir = tempfile::tempdir().unwrap();
    let max_memory = std::env::var("JIXIAO_MAX_MEMORY").unwrap_or_else(|_| "1G".into());
    println!("--max-memory {max_memory}");
    println!("| file | size | jobs | peak RSS | files.csv row |");
    println!("|---|---|---|---|---|");
    for (name, bytes) in hostile_files() {
        for jobs in [1, 4] {
            // As many copies as jobs, so that every worker reads one at once.
            let input = dir
                .path()
                .join(format!("{jobs}-{}", name.trim_end_matches(".pdf")));
            std::fs::create_dir(&input).unwrap();
            for i in 0..jobs {
                write(&input, &format!("{i}-{name}"), &bytes);
            }
            let (kib, status) = peak_rss(&input, jobs, &max_memory);
            println!(
                "| {name} | {:.1} MB | {jobs} | {:.0} MiB | {status} |",
                bytes.len() as f64 / 1e6,
                kib as f64 / 1024.0
            );
        }
    }
}
