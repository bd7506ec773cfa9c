//! Findings with the report they belong to, as JSONL rows or a readable table.

use jixiao_normalize::{Finding, Report, Severity};
use serde::Serialize;

/// A finding with the report it belongs to: one JSONL line of `jixiao validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LocatedFinding<'a> {
    /// `source.file` of the report.
    pub file: &'a str,
    /// `source.sha256` of the report.
    pub sha256: &'a str,
    /// `source.table`: the report's table index in its document.
    pub table: usize,
    /// 项目名称, when read.
    pub project_name: Option<&'a str>,
    /// The finding's own fields (code, severity, field, printed, recomputed, message).
    #[serde(flatten)]
    pub finding: &'a Finding,
}

/// Every finding of every report, in record order then finding order.
pub fn located_findings(reports: &[Report]) -> Vec<LocatedFinding<'_>> {
    reports
        .iter()
        .flat_map(|r| {
            r.findings.iter().map(move |finding| LocatedFinding {
                file: &r.source.file,
                sha256: &r.source.sha256,
                table: r.source.table,
                project_name: r.project_name.as_deref(),
                finding,
            })
        })
        .collect()
}

/// Whether any report has a finding of severity error (`jixiao validate` then exits 1).
pub fn has_errors(reports: &[Report]) -> bool {
    reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.severity == Severity::Error)
}

const PROJECT_WIDTH: usize = 24;

/// Formats findings as an aligned plain-text table (CJK characters count two columns) with
/// the columns severity, code, report (`file#table`), project, field, printed, recomputed
/// and message, followed by a line of totals per severity.
pub fn format_findings_table(rows: &[LocatedFinding<'_>]) -> String {
    let header = [
        "severity",
        "code",
        "report",
        "project",
        "field",
        "printed",
        "recomputed",
        "message",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            let f = r.finding;
            [
                severity_word(f.severity).to_owned(),
                f.code.clone(),
                format!("{}#{}", r.file, r.table),
                clip(r.project_name.unwrap_or("-"), PROJECT_WIDTH),
                f.field.clone(),
                one_line(f.printed.as_deref().unwrap_or("-")),
                one_line(f.recomputed.as_deref().unwrap_or("-")),
                one_line(&f.message),
            ]
        })
        .collect();
    let mut widths = header.map(width);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let mut out = String::new();
    let mut line = |cols: &[&str]| {
        for (i, cell) in cols.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < cols.len() {
                out.extend(std::iter::repeat_n(' ', widths[i] - width(cell) + 2));
            }
        }
        out.push('\n');
    };
    line(&header);
    for row in &cells {
        line(&row.each_ref().map(String::as_str));
    }
    let count = |s: Severity| rows.iter().filter(|r| r.finding.severity == s).count();
    out.push_str(&format!(
        "{} errors, {} warnings, {} info\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    out
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` cut to at most `max` columns, with "…" when cut.
fn clip(s: &str, max: usize) -> String {
    let s = one_line(s);
    if width(&s) <= max {
        return s;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        if used + char_width(c) > max - 1 {
            break;
        }
        used += char_width(c);
        out.push(c);
    }
    out.push('…');
    out
}

fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Terminal columns of a character: 2 for East Asian wide and fullwidth forms, else 1.
fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &str, severity: Severity, message: &str) -> Finding {
        Finding {
            code: code.into(),
            severity,
            field: "funding[0].execution_rate".into(),
            printed: Some("84.46".into()),
            recomputed: Some("84.45".into()),
            message: message.into(),
        }
    }

    #[test]
    fn table_aligns_wide_characters_and_counts_severities() {
        let a = finding("check-execution-rate", Severity::Error, "执行率 wrong");
        let b = finding("check-budget-adjusted", Severity::Info, "two\nlines");
        let rows = [
            LocatedFinding {
                file: "x.pdf",
                sha256: "s",
                table: 3,
                project_name: Some("储备人才专项经费"),
                finding: &a,
            },
            LocatedFinding {
                file: "x.pdf",
                sha256: "s",
                table: 12,
                project_name: None,
                finding: &b,
            },
        ];
        let text = format_findings_table(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        // The field column starts at the same display column on every row.
        let col = |l: &str| width(&l[..l.find("funding[0]").or_else(|| l.find("field")).unwrap()]);
        assert_eq!(col(lines[0]), col(lines[1]));
        assert_eq!(col(lines[1]), col(lines[2]));
        assert!(lines[1].contains("x.pdf#3") && lines[1].contains("储备人才专项经费"));
        assert!(lines[2].ends_with("two lines"));
        assert_eq!(lines[3], "1 errors, 0 warnings, 1 info");
    }

    #[test]
    fn long_project_names_are_clipped() {
        let s = clip("中共上海市闵行区委组织部_大组工网(2023 运维)", 10);
        assert_eq!(s, "中共上海…");
        assert!(width(&s) <= 10);
    }
}
