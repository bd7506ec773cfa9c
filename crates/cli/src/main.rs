//! The `jixiao` command line. Exit status: 0 success, 1 failure (some file failed, a
//! finding of severity error, a golden mismatch), 2 usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use jixiao::golden::{self, CheckOptions};
use jixiao::ingest::{self, IngestError, IngestOptions, Summary, DEFAULT_MAX_FILE_BYTES};
use jixiao::limits::{self, FileLimits};
use jixiao::manifest::FileStatus;
use jixiao::merge::{self, MergeError, MergeOptions};
use jixiao::output;
use jixiao::pipeline::{Pipeline, PipelineError};
use jixiao::progress::ProgressMode;
use jixiao::shard::Shard;
use jixiao::stage::describe;
use jixiao_dataset::xlsx::Labels;
use jixiao_dataset::DatasetOptions;
use jixiao_extract::{ExtractOptions, PageProblem, ProblemSeverity};
use jixiao_ocr::OcrConfig;

/// mimalloc: a quarter less CPU than the system allocator for ingest, which allocates many
/// small objects per page (`docs/benchmarks.md`, "Ingest").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "Turns 绩效自评表 PDFs into validated datasets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reads many PDFs (directories walked recursively) into a dataset directory.
    Ingest {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output directory (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// Worker threads (default: the number of cores).
        #[arg(long, short)]
        jobs: Option<usize>,
        /// Keep the files already in OUT's manifest (by SHA-256), reuse the results an
        /// interrupted run saved, and add the rest.
        #[arg(long)]
        resume: bool,
        /// Start the CSV files with a UTF-8 BOM, for Excel.
        #[arg(long)]
        excel_csv: bool,
        /// Column headers of jixiao.xlsx: `names` (as in the CSV files) or `zh` (Chinese).
        #[arg(long, default_value = "names")]
        labels: Labels,
        /// No progress and no summary.
        #[arg(long, short)]
        quiet: bool,
        /// Read only shard K of N (0 ≤ K < N) of the inputs, chosen by a hash of each path;
        /// `auto` takes K and N from Slurm (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or K
        /// from Kubernetes (JOB_COMPLETION_INDEX) and N from JIXIAO_SHARD_COUNT; `auto/N`
        /// gives N. Combine the shards with `jixiao merge`.
        #[arg(long, value_name = "K/N|auto|auto/N")]
        shard: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
        /// Exit 0 even when some files failed (each is in the manifest), for schedulers whose
        /// next step runs only after success.
        #[arg(long)]
        allow_failed: bool,
    },
    /// Merges the output directories of the shards of a sharded ingest (`ingest --shard`)
    /// into one dataset, identical to a single ingest of the same inputs.
    Merge {
        /// Every shard's output directory.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output directory (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// No summary.
        #[arg(long, short)]
        quiet: bool,
        /// Exit 0 even when the dataset holds failed files.
        #[arg(long)]
        allow_failed: bool,
    },
    /// Prints the extraction (pages' logical tables) of one PDF as JSON.
    Extract {
        file: PathBuf,
        /// Page or inclusive page range, e.g. `3` or `3-5`.
        #[arg(long, value_parser = page_range)]
        pages: Option<(u32, u32)>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Draws one page's glyphs, ruling lines, cells and tables as SVG (debug view).
    Inspect {
        file: PathBuf,
        /// 1-based page number.
        #[arg(long)]
        page: u32,
        /// Where to write the SVG.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Prints the reports of one PDF, with their findings, as JSON.
    Parse {
        file: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Re-validates a dataset's reports.jsonl; exit 1 when any finding is an error.
    Validate {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
    },
    /// Golden-file regression checks.
    Golden {
        #[command(subcommand)]
        command: GoldenCommand,
    },
}

/// Memory and time limits of reading files.
#[derive(clap::Args)]
struct LimitArgs {
    /// Memory the files being read may take together, e.g. `4G` or `512M` (default: half
    /// the machine's memory, or of the container's limit). Each of the --jobs files read at
    /// once gets an equal share; a file that needs more fails alone.
    #[arg(long, value_parser = limits::parse_size)]
    max_memory: Option<u64>,
    /// Longest time one file may take, e.g. `90s`, `10m`, `1h` (default `30m`; `0`: no
    /// limit). A file over it fails and the others go on.
    #[arg(long, value_parser = limits::parse_timeout)]
    file_timeout: Option<Duration>,
}

impl LimitArgs {
    fn file_limits(&self, jobs: usize) -> FileLimits {
        FileLimits {
            max_memory: self.max_memory.unwrap_or_else(limits::default_max_memory),
            jobs,
            timeout: Some(self.file_timeout.unwrap_or(limits::DEFAULT_FILE_TIMEOUT))
                .filter(|t| !t.is_zero()),
        }
    }
}

#[derive(Subcommand)]
enum GoldenCommand {
    /// Parses every PDF under SAMPLES and compares with GOLDEN/<path>.json field by field.
    Check {
        samples: PathBuf,
        golden: PathBuf,
        /// Rewrite the golden files from the current output instead of comparing.
        #[arg(long)]
        bless: bool,
        /// `PREFIX=FRACTION`: samples under PREFIX (e.g. `scanned/`) pass when at least
        /// FRACTION of their golden fields are exact (for OCR'd files). Repeatable.
        #[arg(long, value_parser = accuracy_rule)]
        min_accuracy: Vec<(String, f64)>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Jsonl,
    Table,
}

fn accuracy_rule(s: &str) -> Result<(String, f64), String> {
    let (prefix, fraction) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not PREFIX=FRACTION"))?;
    match fraction.trim().parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok((prefix.to_string(), f)),
        _ => Err(format!("`{fraction}` is not a fraction between 0 and 1")),
    }
}

fn page_range(s: &str) -> Result<(u32, u32), String> {
    let number = |t: &str| match t.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{t}` is not a page number (1, 2, …)")),
    };
    let (first, last) = match s.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => (number(s)?, number(s)?),
    };
    if first > last {
        return Err(format!("empty page range {s}"));
    }
    Ok((first, last))
}

/// A failure of a command: what to print and the exit status.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn usage(message: impl ToString) -> Failure {
        Failure {
            message: message.to_string(),
            code: 2,
        }
    }
    fn run(message: impl ToString) -> Failure {
        Failure {
            message: message.to_string(),
            code: 1,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            output::stderr_line(&format!("jixiao: {}", f.message));
            ExitCode::from(f.code)
        }
    }
}

fn jobs_or_cores(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

fn pipeline(jobs: usize) -> Pipeline {
    Pipeline::new(
        ExtractOptions::default(),
        OcrConfig {
            instances: jobs,
            ..OcrConfig::from_env()
        },
    )
}

/// The pipeline of a command reading files `limits.jobs` at a time (OCR on `ocr_jobs`
/// threads), each within its share.
fn limited_pipeline(ocr_jobs: usize, limits: FileLimits) -> Pipeline {
    pipeline(ocr_jobs).with_file_limits(limits)
}

fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Failure::usage(format!("{}: no such file", path.display())),
        _ => Failure::run(format!("{}: {}", path.display(), describe(&e))),
    })
}

/// A page asked for that the document does not have is a usage error; the rest are failures.
fn extract_failure(e: jixiao_extract::ExtractError) -> Failure {
    match e {
        jixiao_extract::ExtractError::PageOutOfRange { .. } => Failure::usage(e),
        e => Failure::run(e),
    }
}

/// How many schema violations `validate` lists before it only counts the rest.
const VIOLATIONS_SHOWN: usize = 50;

/// A dataset that does not conform to the published schema: each violation with its line and
/// JSON path (the first [`VIOLATIONS_SHOWN`] of them), then how many there are.
fn schema_failure(file: &Path, violations: &[jixiao_validate::dataset::Violation]) -> Failure {
    let mut message = format!(
        "{}: not a dataset of records (schema/record.schema.json): {} problem{}",
        file.display(),
        violations.len(),
        if violations.len() == 1 { "" } else { "s" }
    );
    for v in violations.iter().take(VIOLATIONS_SHOWN) {
        message.push_str(&format!("\n  {}: {v}", file.display()));
    }
    if violations.len() > VIOLATIONS_SHOWN {
        message.push_str(&format!(
            "\n  … and {} more",
            violations.len() - VIOLATIONS_SHOWN
        ));
    }
    Failure::run(message)
}

/// Writes `text` to stdout (see [`output::stdout_text`]).
fn emit(text: &str) -> Result<(), Failure> {
    output::stdout_text(text)
        .map_err(|e| Failure::run(format!("cannot write to stdout: {}", describe(&e))))
}

/// Writes one line on stderr; a closed or full stderr does not stop the command.
fn note(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "jixiao: {line}");
}

/// Prints on stderr what was repaired in `file` and every problem met on its pages (the same
/// list as the JSON's `problems`).
fn print_problems(file: &Path, problems: &[PageProblem], repairs: &[String]) {
    for repair in repairs {
        note(&format!("{}: repaired: {repair}", file.display()));
    }
    for p in problems {
        let severity = match p.severity {
            ProblemSeverity::Loss => "not read",
            ProblemSeverity::Note => "note",
        };
        note(&format!("{}: {p} ({severity})", file.display()));
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(value).map_err(Failure::run)?;
    text.push('\n');
    emit(&text)
}

/// The end of a batch command (`ingest`, `merge`): its summary printed unless `quiet`, exit
/// status 1 when a file failed unless `allow_failed`.
fn batch_outcome<E: std::fmt::Display>(
    result: Result<Summary, E>,
    is_usage: fn(&E) -> bool,
    quiet: bool,
    allow_failed: bool,
) -> Result<u8, Failure> {
    let summary = result.map_err(|e| {
        if is_usage(&e) {
            Failure::usage(&e)
        } else {
            Failure::run(&e)
        }
    })?;
    if !quiet {
        output::stderr_line(&summary.render());
    }
    Ok(u8::from(
        !allow_failed && summary.count(FileStatus::Failed) > 0,
    ))
}

fn run(command: Command) -> Result<u8, Failure> {
    match command {
        Command::Ingest {
            paths,
            out,
            jobs,
            resume,
            excel_csv,
            labels,
            quiet,
            shard,
            limits,
            allow_failed,
        } => {
            let shard = shard
                .map(|spec| Shard::parse(&spec, |var| std::env::var(var).ok()))
                .transpose()
                .map_err(Failure::usage)?;
            let jobs = jobs_or_cores(jobs);
            let file_limits = limits.file_limits(jobs);
            let pipeline = limited_pipeline(jobs, file_limits);
            let opts = IngestOptions {
                inputs: paths,
                out,
                jobs,
                resume,
                dataset: DatasetOptions { excel_csv, labels },
                max_file_bytes: DEFAULT_MAX_FILE_BYTES,
                progress: if quiet {
                    ProgressMode::Quiet
                } else {
                    ProgressMode::Auto
                },
                shard,
            };
            let result = ingest::ingest(&opts, &|bytes, file, sha| {
                pipeline.process(bytes, file, sha)
            });
            batch_outcome(result, IngestError::is_usage, quiet, allow_failed)
        }
        Command::Merge {
            shards,
            out,
            quiet,
            allow_failed,
        } => {
            let result = merge::merge(&MergeOptions { shards, out });
            batch_outcome(result, MergeError::is_usage, quiet, allow_failed)
        }
        Command::Extract {
            file,
            pages,
            limits,
        } => {
            let bytes = read_input(&file)?;
            let options = ExtractOptions {
                pages,
                ..ExtractOptions::default()
            };
            let extraction = limited_pipeline(jobs_or_cores(None), limits.file_limits(1))
                .extract_with(&bytes, &file.display().to_string(), &options)
                .map_err(|e| match e {
                    PipelineError::Extract(e) => extract_failure(e),
                    e => Failure::run(e),
                })?;
            print_json(&extraction)?;
            print_problems(&file, &extraction.problems, &extraction.repairs);
            Ok(0)
        }
        Command::Inspect { file, page, output } => {
            if page == 0 {
                return Err(Failure::usage("--page counts from 1"));
            }
            let bytes = read_input(&file)?;
            let options = ExtractOptions {
                pages: Some((page, page)),
                ..ExtractOptions::default()
            };
            let mut pages =
                jixiao_extract::interp::read_pages(&bytes, &options).map_err(extract_failure)?;
            let content = pages
                .first_mut()
                .ok_or_else(|| Failure::usage(format!("{}: no page {page}", file.display())))?;
            // A scanned page is drawn with what OCR found on it, as extraction sees it.
            if let Err(message) = pipeline(1).read_raster(content) {
                output::stderr_line(&format!(
                    "jixiao: {}: page {page}: {message}",
                    file.display()
                ));
            }
            let svg = jixiao_extract::inspect::page_svg(content, &options.table);
            std::fs::write(&output, svg)
                .map_err(|e| Failure::run(format!("{}: {}", output.display(), describe(&e))))?;
            Ok(0)
        }
        Command::Parse { file, limits } => {
            let bytes = read_input(&file)?;
            let output = limited_pipeline(jobs_or_cores(None), limits.file_limits(1))
                .parse(&bytes, &file.display().to_string())
                .map_err(Failure::run)?;
            print_json(&output)?;
            print_problems(&file, &output.problems, &output.repairs);
            for t in output.skipped.iter().filter(|t| t.holds_report_part) {
                note(&format!(
                    "{}: table {}: {}",
                    file.display(),
                    t.table,
                    t.reason
                ));
            }
            Ok(0)
        }
        Command::Validate { file, format } => {
            let schemas = jixiao_validate::dataset::Schemas::new();
            let mut reports = jixiao_validate::dataset::read_records(&read_input(&file)?, &schemas)
                .map_err(|violations| schema_failure(&file, &violations))?;
            jixiao_validate::validate_all(&mut reports);
            let rows = jixiao_validate::located_findings(&reports);
            let text = match format {
                Format::Jsonl => {
                    let mut text = String::new();
                    for row in &rows {
                        text.push_str(&serde_json::to_string(row).map_err(Failure::run)?);
                        text.push('\n');
                    }
                    text
                }
                Format::Table => jixiao_validate::format_findings_table(&rows),
            };
            emit(&text)?;
            Ok(u8::from(jixiao_validate::has_errors(&reports)))
        }
        Command::Golden {
            command:
                GoldenCommand::Check {
                    samples,
                    golden,
                    bless,
                    min_accuracy,
                },
        } => {
            let must_exist = if bless {
                vec![&samples]
            } else {
                vec![&samples, &golden]
            };
            if let Some(dir) = must_exist.into_iter().find(|d| !d.is_dir()) {
                return Err(Failure::usage(format!(
                    "{}: not a directory",
                    dir.display()
                )));
            }
            let pipeline = pipeline(jobs_or_cores(None));
            let parse = |path: &Path, rel: &str| -> Result<_, String> {
                let bytes = std::fs::read(path)
                    .map_err(|e| format!("{}: cannot read: {}", path.display(), describe(&e)))?;
                pipeline.parse(&bytes, rel).map_err(|e| e.to_string())
            };
            let results = golden::check(
                &samples,
                &golden,
                &CheckOptions {
                    bless,
                    skip: Vec::new(),
                    min_accuracy,
                },
                &parse,
            )
            .map_err(Failure::run)?;
            emit(&golden::render(&results))?;
            Ok(u8::from(!golden::passed(&results)))
        }
    }
}
