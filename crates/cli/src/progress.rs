//! Progress of an ingest on stderr: a bar on a terminal, plain periodic lines otherwise,
//! nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, a line every few seconds otherwise.
    Auto,
    /// Nothing.
    Quiet,
}

/// How often a plain progress line is printed.
const LINE_INTERVAL: Duration = Duration::from_secs(5);

enum Display {
    Bar(ProgressBar),
    Lines(Mutex<Instant>),
    Quiet,
}

/// Counters of a running ingest, shared by the workers.
pub struct Progress {
    display: Display,
    total: u64,
    files: AtomicU64,
    pages: AtomicU64,
    reports: AtomicU64,
    errors: AtomicU64,
    start: Instant,
}

impl Progress {
    /// Starts showing progress over `total` files.
    pub fn new(total: u64, mode: ProgressMode) -> Progress {
        let display = match mode {
            ProgressMode::Quiet => Display::Quiet,
            ProgressMode::Auto if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template(
                    "{elapsed_precise} {wide_bar} {pos}/{len} files, {msg}, ETA {eta}",
                )
                .expect("the template is valid");
                bar.set_style(style);
                Display::Bar(bar)
            }
            ProgressMode::Auto => Display::Lines(Mutex::new(Instant::now())),
        };
        Progress {
            display,
            total,
            files: AtomicU64::new(0),
            pages: AtomicU64::new(0),
            reports: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            start: Instant::now(),
        }
    }

    /// Records one finished file.
    pub fn file_done(&self, pages: u32, reports: usize, failed: bool) {
        let files = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        self.pages.fetch_add(u64::from(pages), Ordering::Relaxed);
        self.reports.fetch_add(reports as u64, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        match &self.display {
            Display::Bar(bar) => {
                bar.set_message(self.counters());
                bar.set_position(files);
            }
            Display::Lines(last) => {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() >= LINE_INTERVAL {
                    *last = Instant::now();
                    crate::output::stderr_line(&format!(
                        "jixiao: {files}/{} files, {}, ETA {}",
                        self.total,
                        self.counters(),
                        self.eta(files)
                    ));
                }
            }
            Display::Quiet => {}
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }

    /// Pages read so far.
    pub fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Pages per second so far.
    pub fn pages_per_second(&self) -> f64 {
        self.pages() as f64 / self.elapsed().as_secs_f64().max(1e-9)
    }

    fn counters(&self) -> String {
        format!(
            "{} pages, {} reports, {} errors, {} pages/s",
            self.pages(),
            self.reports.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
            rate(self.pages_per_second())
        )
    }

    fn eta(&self, done: u64) -> String {
        if done == 0 {
            return "?".into();
        }
        let per_file = self.elapsed().as_secs_f64() / done as f64;
        format!("{:.0}s", per_file * self.total.saturating_sub(done) as f64)
    }
}

/// A rate as a reader wants it: whole numbers from 10 up, two significant digits below
/// (scanned pages go at about one a second).
pub fn rate(per_second: f64) -> String {
    if per_second >= 10.0 {
        format!("{per_second:.0}")
    } else if per_second >= 1.0 {
        format!("{per_second:.1}")
    } else {
        format!("{per_second:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn rates_keep_two_significant_digits_when_slow() {
        assert_eq!(rate(1374.4), "1374");
        assert_eq!(rate(1.04), "1.0");
        assert_eq!(rate(0.456), "0.46");
    }
}
