//! The standard streams, written so that a closed or full stream never aborts the work:
//! `jixiao ingest … 2>/dev/full` or `… 2>&1 | head` still writes its dataset, and the exit
//! status says what happened.

use std::io::{self, Write};

/// Writes one line to stderr. A stderr that is closed, full or a broken pipe loses the
/// message and nothing else (`eprintln!` would panic).
pub fn stderr_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}").and_then(|()| err.flush());
}

/// Writes `text` to stdout. A reader that went away (`| head`) is not an error; any other
/// failure (a full disk behind `>`) is returned, since the output is the command's result.
pub fn stdout_text(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        result => result,
    }
}
