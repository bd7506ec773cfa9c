//! Per-file resource limits from `--max-memory`, `--file-timeout` and `--jobs`: sizes and
//! durations as users write them, the machine's memory, and each file's share of it.

use std::time::Duration;

/// Default `--file-timeout`: a long scanned report takes minutes, a hostile file forever.
pub const DEFAULT_FILE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Memory assumed when the machine's cannot be read.
const FALLBACK_MEMORY: u64 = 4 << 30;

/// Memory the process takes whatever the files: code, the thread stacks in use, the run's
/// bookkeeping.
const BASE_MEMORY: u64 = 64 << 20;

/// Memory one copy of the OCR models takes once loaded (ONNX Runtime sessions of the
/// PP-OCRv4 detector and recogniser with their arenas; measured in `docs/benchmarks.md`).
pub const OCR_INSTANCE_MEMORY: u64 = 160 << 20;

/// What each file being read may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    /// `--max-memory`: all files being read at once together.
    pub max_memory: u64,
    /// Files read at once.
    pub jobs: usize,
    /// `--file-timeout`; `None` for no limit.
    pub timeout: Option<Duration>,
}

impl FileLimits {
    /// Each file's share of the memory: what is left of `max_memory` after the process's
    /// base and one copy of the OCR models per job, split evenly between the jobs.
    pub fn memory_share(&self) -> u64 {
        let jobs = self.jobs.max(1) as u64;
        self.max_memory
            .saturating_sub(BASE_MEMORY + jobs * OCR_INSTANCE_MEMORY)
            / jobs
    }

    /// How the share was set, for messages.
    pub fn describe(&self) -> String {
        format!(
            "each of --jobs {} gets an equal share of --max-memory {}",
            self.jobs.max(1),
            format_size(self.max_memory)
        )
    }
}

/// Half the memory this process may use: the machine's physical memory, or the control
/// group's limit when lower (containers, Slurm jobs).
pub fn default_max_memory() -> u64 {
    let physical = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(FALLBACK_MEMORY);
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|t| t.trim().parse::<u64>().ok())
    .min()
    .unwrap_or(u64::MAX);
    physical.min(cgroup) / 2
}

/// A size such as `4G`, `512M`, `1.5GiB`, `800MB` or a number of bytes (units are powers
/// of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(format!("`{text}`: unknown unit (use K, M, G or T)")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 4G or 512M"))?;
    let bytes = value * scale as f64;
    if !(1.0..1e19).contains(&bytes) {
        return Err(format!("`{text}`: out of range"));
    }
    Ok(bytes as u64)
}

/// A duration such as `90s`, `10m`, `1h` or a number of seconds (`0`: no limit).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, scale) = match t.char_indices().last() {
        Some((i, 's')) => (&t[..i], 1.0),
        Some((i, 'm')) => (&t[..i], 60.0),
        Some((i, 'h')) => (&t[..i], 3600.0),
        _ => (t, 1.0),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 90s, 10m or 1h"))?;
    let secs = value * scale;
    if !(0.0..1e9).contains(&secs) {
        return Err(format!("`{text}`: out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Bytes as a size users read (`1.5 GiB`, `512 MiB`).
pub fn format_size(bytes: u64) -> String {
    let gib = bytes as f64 / f64::from(1 << 30);
    if gib >= 1.0 {
        format!("{gib:.1} GiB")
    } else {
        format!("{:.0} MiB", bytes as f64 / f64::from(1 << 20))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_read_as_written() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("512 MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("4X").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("0").is_err());
        assert_eq!(parse_timeout("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_timeout("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_timeout("0"), Ok(Duration::ZERO));
        assert!(parse_timeout("soon").is_err());
    }

    #[test]
    fn each_job_gets_an_equal_share_after_the_base() {
        let limits = |jobs| FileLimits {
            max_memory: 4 << 30,
            jobs,
            timeout: None,
        };
        let one = limits(1).memory_share();
        let four = limits(4).memory_share();
        assert!(four * 4 + 4 * OCR_INSTANCE_MEMORY + BASE_MEMORY <= 4 << 30);
        assert!(one > 3 * four);
        assert!(default_max_memory() > 0);
    }
}
