//! The canonical 一级/二级 of every indicator row, whatever the printing did to the headings:
//! merged cells, wrapping, cuts by a page break ("满意度指" + "标"), abbreviations
//! ("服务对象"), a 二级 printed in the 一级 column, blank cells meaning "as above".

use crate::findings::{HEADING_MISMATCH, MISSING_HEADING, UNKNOWN_HEADING};
use crate::record::Severity;
use crate::vocab::{self, COST, OUTPUT};

/// The printed heading cells of one row of the indicator block.
#[derive(Debug, Clone, Default)]
pub struct HeadingCells<'a> {
    /// The cell under the 一级 column (an id equal for every row the cell spans) and its text.
    pub level1: Option<(usize, &'a str)>,
    /// The cell under the 二级 column and its text.
    pub level2: Option<(usize, &'a str)>,
}

/// A problem with a row's headings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Finding code.
    pub code: &'static str,
    /// Finding severity.
    pub severity: Severity,
    /// `level1` or `level2`.
    pub field: &'static str,
    /// The heading as printed.
    pub printed: Option<String>,
    /// What was done.
    pub message: String,
}

/// The canonical headings of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headings {
    /// Canonical 一级, or the printed text when unknown.
    pub level1: String,
    /// Canonical 二级, or the printed text when unknown.
    pub level2: String,
    /// What could not be resolved.
    pub problems: Vec<Problem>,
}

/// A run of consecutive rows sharing one heading cell (or one blank).
#[derive(Debug, Clone)]
struct Run {
    start: usize,
    end: usize,
    text: String,
}

impl Run {
    fn key(&self) -> String {
        vocab::key(&self.text)
    }
}

/// Groups rows by the cell they show in one column, then joins a run whose text alone is no
/// heading onto the run above when the two together are one (a heading cut by a page break).
fn runs(cells: &[Option<(usize, &str)>], resolves: impl Fn(usize, &str) -> bool) -> Vec<Run> {
    let mut out: Vec<(Option<usize>, Run)> = Vec::new();
    for (row, cell) in cells.iter().enumerate() {
        let id = cell.map(|(id, _)| id);
        match out.last_mut() {
            Some((last, run)) if last.is_some() && *last == id => run.end = row + 1,
            _ => out.push((
                id,
                Run {
                    start: row,
                    end: row + 1,
                    text: cell.map_or("", |(_, t)| t).trim().to_string(),
                },
            )),
        }
    }
    let mut merged: Vec<Run> = Vec::new();
    for (_, run) in out {
        let k = run.key();
        if let Some(prev) = merged.last_mut() {
            let joined = format!("{}{}", prev.key(), k);
            if !k.is_empty()
                && !prev.text.is_empty()
                && !resolves(run.start, &k)
                && resolves(prev.start, &joined)
            {
                prev.text.push_str(&run.text);
                prev.end = run.end;
                continue;
            }
        }
        merged.push(run);
    }
    merged
}

/// What a text in the 一级 column names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Level1 {
    Blank,
    Known(&'static str),
    /// A 二级 printed one column off: (its 一级, the 二级).
    Shifted(&'static str, &'static str),
    Unknown(String),
}

fn level1_of(text: &str) -> Level1 {
    if vocab::key(text).is_empty() {
        Level1::Blank
    } else if let Some(c) = vocab::level1(text) {
        Level1::Known(c)
    } else if let Some((p, c)) = vocab::level2(text, None) {
        Level1::Shifted(p, c)
    } else {
        Level1::Unknown(text.trim().to_string())
    }
}

/// What a text in the 二级 column names, given the row's 一级.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Level2 {
    Blank,
    Known(&'static str, &'static str),
    Unknown(String),
}

fn level2_of(text: &str, parent: Option<&str>) -> Level2 {
    if vocab::key(text).is_empty() {
        Level2::Blank
    } else if let Some((p, c)) = vocab::level2(text, parent).or_else(|| vocab::level2(text, None)) {
        Level2::Known(p, c)
    } else {
        Level2::Unknown(text.trim().to_string())
    }
}

/// Resolves the headings of every row of an indicator block (fragment rows included, so
/// that cut headings can be joined).
pub fn resolve(rows: &[HeadingCells<'_>]) -> Vec<Headings> {
    let col1: Vec<_> = rows.iter().map(|r| r.level1).collect();
    let runs1 = runs(&col1, |_, k| {
        matches!(level1_of(k), Level1::Known(_) | Level1::Shifted(..))
    });
    // Per row: the 一级 reading and the id of the run it came from (blank runs inherit).
    let mut l1 = vec![(Level1::Blank, usize::MAX); rows.len()];
    let mut current = (Level1::Blank, usize::MAX);
    for (i, run) in runs1.iter().enumerate() {
        let reading = level1_of(&run.text);
        if reading != Level1::Blank {
            current = (reading, i);
        }
        for slot in &mut l1[run.start..run.end] {
            *slot = current.clone();
        }
    }
    let parent_of = |row: usize| match &l1[row].0 {
        Level1::Known(c) => Some(*c),
        Level1::Shifted(p, _) => Some(*p),
        _ => None,
    };
    let col2: Vec<_> = rows.iter().map(|r| r.level2).collect();
    let runs2 = split_at_groups(
        runs(&col2, |row, k| {
            matches!(level2_of(k, parent_of(row)), Level2::Known(..))
        }),
        &l1,
    );
    let mut l2 = vec![Level2::Blank; rows.len()];
    let mut current2 = (Level2::Blank, usize::MAX);
    for run in &runs2 {
        let group = l1[run.start].1;
        let reading = level2_of(&run.text, parent_of(run.start));
        if reading != Level2::Blank {
            current2 = (reading, group);
        } else if current2.1 != group {
            current2 = (Level2::Blank, group);
        }
        for slot in &mut l2[run.start..run.end] {
            *slot = current2.0.clone();
        }
    }
    l1.into_iter()
        .zip(l2)
        .map(|((a, _), b)| combine(a, b))
        .collect()
}

/// Splits 二级 runs where the 一级 group changes (a blank 二级 never inherits across 一级).
fn split_at_groups(runs: Vec<Run>, l1: &[(Level1, usize)]) -> Vec<Run> {
    let mut out = Vec::new();
    for run in runs {
        let mut start = run.start;
        for row in run.start + 1..run.end {
            if l1[row].1 != l1[row - 1].1 {
                out.push(Run {
                    start,
                    end: row,
                    text: run.text.clone(),
                });
                start = row;
            }
        }
        out.push(Run {
            start,
            end: run.end,
            text: run.text,
        });
    }
    out
}

fn problem(
    code: &'static str,
    severity: Severity,
    field: &'static str,
    printed: Option<&str>,
    message: String,
) -> Problem {
    Problem {
        code,
        severity,
        field,
        printed: printed.map(str::to_string),
        message,
    }
}

fn combine(l1: Level1, l2: Level2) -> Headings {
    let mut problems = Vec::new();
    let (level1, level2) = match (l1, l2) {
        // 2020 template: 成本指标 printed in the 一级 column with no 2021 成本 二级.
        (Level1::Known(COST), Level2::Blank)
        | (Level1::Known(COST), Level2::Known(OUTPUT, COST)) => {
            (OUTPUT.to_string(), COST.to_string())
        }
        (Level1::Known(c1), Level2::Known(p, c2)) => {
            if p != c1 {
                problems.push(problem(
                    HEADING_MISMATCH,
                    Severity::Warning,
                    "level2",
                    Some(c2),
                    format!("二级 {c2} belongs to {p}, printed under {c1}"),
                ));
            }
            (c1.to_string(), c2.to_string())
        }
        (Level1::Known(c1), Level2::Blank) => match vocab::children(c1) {
            [only] => (c1.to_string(), only.to_string()),
            _ => {
                problems.push(problem(
                    MISSING_HEADING,
                    Severity::Warning,
                    "level2",
                    None,
                    format!("no 二级 printed under {c1}"),
                ));
                (c1.to_string(), String::new())
            }
        },
        (Level1::Known(c1), Level2::Unknown(t)) => {
            problems.push(unknown("level2", &t));
            (c1.to_string(), t)
        }
        // A 二级 printed in the 一级 column; the 二级 column, when it names one, wins.
        (Level1::Shifted(p, _), Level2::Known(p2, c2)) if p2 == p => {
            (p.to_string(), c2.to_string())
        }
        (Level1::Shifted(p, c), other) => {
            match other {
                Level2::Unknown(t) => problems.push(unknown("level2", &t)),
                Level2::Known(p2, c2) => problems.push(problem(
                    HEADING_MISMATCH,
                    Severity::Warning,
                    "level2",
                    Some(c2),
                    format!("二级 {c2} belongs to {p2}, printed beside {c}"),
                )),
                Level2::Blank => {}
            }
            (p.to_string(), c.to_string())
        }
        (Level1::Unknown(t), l2) => {
            problems.push(unknown("level1", &t));
            let level2 = match l2 {
                Level2::Blank => String::new(),
                Level2::Known(_, c2) => c2.to_string(),
                Level2::Unknown(t2) => {
                    problems.push(unknown("level2", &t2));
                    t2
                }
            };
            (t, level2)
        }
        (Level1::Blank, Level2::Known(p, c2)) => {
            problems.push(problem(
                MISSING_HEADING,
                Severity::Info,
                "level1",
                None,
                format!("no 一级 printed; {p} inferred from 二级 {c2}"),
            ));
            (p.to_string(), c2.to_string())
        }
        (Level1::Blank, l2) => {
            problems.push(problem(
                MISSING_HEADING,
                Severity::Warning,
                "level1",
                None,
                "no 一级 printed".to_string(),
            ));
            let level2 = match l2 {
                Level2::Unknown(t) => {
                    problems.push(unknown("level2", &t));
                    t
                }
                _ => {
                    problems.push(problem(
                        MISSING_HEADING,
                        Severity::Warning,
                        "level2",
                        None,
                        "no 二级 printed".to_string(),
                    ));
                    String::new()
                }
            };
            (String::new(), level2)
        }
    };
    Headings {
        level1,
        level2,
        problems,
    }
}

fn unknown(field: &'static str, text: &str) -> Problem {
    problem(
        UNKNOWN_HEADING,
        Severity::Warning,
        field,
        Some(text),
        format!("heading {text:?} is not in the vocabulary; kept as printed"),
    )
}
