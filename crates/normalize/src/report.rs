//! Reading the reports of one logical table: rows are classified by their label cells
//! (项目名称, 项目资金, 年度总体目标, the indicator header, 总分 …) and every block is read by
//! the columns its own header row names.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use jixiao_extract::{Table, TextSource};
use regex::Regex;
use rust_decimal::Decimal;

use crate::findings::*;
use crate::grid::Grid;
use crate::hierarchy::{self, HeadingCells};
use crate::record::{FieldSource, FundingRow, Indicator, Report, Severity, SourceRef};
use crate::text;
use crate::vocab::{self, FundingColumn, IndicatorColumn, Label};

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([12][0-9]{3})\s*年度").expect("static regex"));
static YEAR_REMARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[(（]\s*[12][0-9]{3}\s*年度?\s*[)）]").expect("static regex"));

/// Where the table came from, for the records' `source`.
pub struct Origin<'a> {
    /// `source.file`.
    pub file: &'a str,
    /// `source.sha256`.
    pub sha256: &'a str,
    /// `source.table`.
    pub index: usize,
}

/// What one table gave.
pub struct Reading {
    /// The reports found; empty when the table is not a 自评表.
    pub reports: Vec<Report>,
    /// When there is no report: the block labels the table still holds (项目资金, 年度总体目标,
    /// 一级指标…, 总分) — the rest of a report whose table was not joined across a page.
    pub stray: Vec<&'static str>,
}

/// Reads the reports of one table.
pub fn read_table(table: &Table, origin: &Origin<'_>) -> Reading {
    let Some(grid) = Grid::new(table) else {
        return Reading {
            reports: Vec::new(),
            stray: Vec::new(),
        };
    };
    let mut drafts = Vec::new();
    let mut draft = Draft::new(&grid, table.caption.clone());
    for row in 0..grid.n_rows() {
        if let Some(next) = draft.row(row) {
            drafts.push(std::mem::replace(&mut draft, next));
        }
    }
    drafts.push(draft);
    let mut stray = BTreeSet::new();
    for d in &drafts {
        stray.extend(d.seen.iter().filter_map(|l| match l {
            Label::Funding => Some("项目资金"),
            Label::Goal => Some("年度总体目标"),
            Label::Total => Some("总分"),
            _ => None,
        }));
        if d.indicators.is_some() {
            stray.insert("一级指标…");
        }
    }
    let mut reports: Vec<_> = drafts
        .into_iter()
        .filter(Draft::is_report)
        .map(Draft::finish)
        .collect();
    let single = reports.len() == 1;
    for (report, rows) in &mut reports {
        report.source = SourceRef {
            file: origin.file.to_string(),
            sha256: origin.sha256.to_string(),
            pages: if single {
                table.pages.clone()
            } else {
                pages(table, *rows)
            },
            table: origin.index,
        };
    }
    let stray = if reports.is_empty() {
        stray.into_iter().collect()
    } else {
        Vec::new()
    };
    Reading {
        reports: reports.into_iter().map(|(r, _)| r).collect(),
        stray,
    }
}

/// The pages of the cells starting on rows `[start, end)`.
fn pages(table: &Table, (start, end): (usize, usize)) -> Vec<u32> {
    let set: BTreeSet<u32> = table
        .cells
        .iter()
        .filter(|c| c.row >= start && c.row < end)
        .map(|c| c.page)
        .collect();
    set.into_iter().collect()
}

/// Which block body rows belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    None,
    Funding,
    Goal,
    Indicators,
    /// The body of a duplicated block header: ignored.
    Skip,
}

/// A header cell's column range.
type Cols = (usize, usize);

/// A kind of column a block header names (funding or indicator columns).
trait HeaderColumn: Copy + PartialEq + 'static {
    /// Every column of the kind, in record order.
    const ALL: &'static [Self];
    /// The record field holding the block ("funding", "indicators").
    const BLOCK: &'static str;
    /// Finding code for a column the header does not name.
    const MISSING_CODE: &'static str;
    /// Message of a column header printed twice.
    const DUPLICATE_MESSAGE: &'static str;
    /// Message of a column the header does not name.
    const MISSING_MESSAGE: &'static str;
    /// The column a header cell's key names.
    fn lookup(key: &str) -> Option<Self>;
    /// The record field of the column.
    fn field(self) -> &'static str;
    /// Severity of the column missing from the header.
    fn missing_severity(self) -> Severity;
}

impl HeaderColumn for FundingColumn {
    const ALL: &'static [Self] = &FundingColumn::ALL;
    const BLOCK: &'static str = "funding";
    const MISSING_CODE: &'static str = MISSING_FUNDING_COLUMN;
    const DUPLICATE_MESSAGE: &'static str =
        "funding column header printed twice; the first is used";
    const MISSING_MESSAGE: &'static str =
        "the funding header names no such column; values are null";
    fn lookup(key: &str) -> Option<Self> {
        vocab::funding_column(key)
    }
    fn field(self) -> &'static str {
        FundingColumn::field(self)
    }
    fn missing_severity(self) -> Severity {
        Severity::Error
    }
}

impl HeaderColumn for IndicatorColumn {
    const ALL: &'static [Self] = &IndicatorColumn::ALL;
    const BLOCK: &'static str = "indicators";
    const MISSING_CODE: &'static str = MISSING_INDICATOR_COLUMN;
    const DUPLICATE_MESSAGE: &'static str =
        "indicator column header printed twice; the first is used";
    const MISSING_MESSAGE: &'static str = "the indicator header names no such column";
    fn lookup(key: &str) -> Option<Self> {
        vocab::indicator_column(key)
    }
    fn field(self) -> &'static str {
        IndicatorColumn::field(self)
    }
    fn missing_severity(self) -> Severity {
        match self {
            IndicatorColumn::Deviation | IndicatorColumn::Level1 | IndicatorColumn::Level2 => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }
}

struct FundingHeader {
    row: usize,
    columns: Vec<(FundingColumn, Cols)>,
    /// First column of the value columns; row labels sit left of it.
    first: usize,
}

struct GoalHeader {
    row: usize,
    expected: Option<Cols>,
    actual: Option<Cols>,
}

struct IndicatorHeader {
    row: usize,
    columns: Vec<(IndicatorColumn, Cols)>,
}

impl IndicatorHeader {
    fn col(&self, c: IndicatorColumn) -> Option<Cols> {
        self.columns.iter().find(|(k, _)| *k == c).map(|(_, r)| *r)
    }
}

/// The cells of one indicator row, by column.
struct RawIndicator {
    cells: [Option<usize>; 8],
}

/// A report being read.
struct Draft<'g> {
    grid: &'g Grid<'g>,
    report: Report,
    /// Text lines that may carry the title and year (caption, rows before the first label).
    lines: Vec<String>,
    /// Unlabelled rows outside any block after the report started: the next report's title.
    loose: Vec<String>,
    /// Label kinds seen, for recognition.
    seen: BTreeSet<Label>,
    block: Block,
    funding: Option<FundingHeader>,
    goal: Option<GoalHeader>,
    indicators: Option<IndicatorHeader>,
    goal_expected: Vec<String>,
    goal_actual: Vec<String>,
    raw: Vec<RawIndicator>,
    total_seen: bool,
    /// (field path, cell) of every value read, for OCR-confidence findings.
    used: Vec<(String, usize)>,
    /// First and one-past-last row.
    rows: (usize, usize),
}

impl<'g> Draft<'g> {
    fn new(grid: &'g Grid<'g>, lines: Vec<String>) -> Self {
        Draft {
            grid,
            report: Report::default(),
            lines,
            loose: Vec::new(),
            seen: BTreeSet::new(),
            block: Block::None,
            funding: None,
            goal: None,
            indicators: None,
            goal_expected: Vec::new(),
            goal_actual: Vec::new(),
            raw: Vec::new(),
            total_seen: false,
            used: Vec::new(),
            rows: (usize::MAX, 0),
        }
    }

    fn note(
        &mut self,
        code: &str,
        severity: Severity,
        field: impl Into<String>,
        printed: Option<&str>,
        message: impl Into<String>,
    ) {
        self.report
            .findings
            .push(finding(code, severity, field, printed, message));
    }

    /// Whether anything of a report has been read.
    fn started(&self) -> bool {
        !self.seen.is_empty()
    }

    /// Reads one row; returns a new draft when the row starts another report.
    fn row(&mut self, row: usize) -> Option<Draft<'g>> {
        let grid = self.grid;
        if self.is_indicator_header(row) {
            self.touch(row);
            if self.indicators.is_some() {
                self.note(
                    DUPLICATE_HEADER,
                    Severity::Info,
                    "indicators",
                    None,
                    format!("indicator header repeated on row {row}; skipped"),
                );
            } else {
                self.indicator_header(row);
            }
            self.block = Block::Indicators;
            return None;
        }
        let all: Vec<(usize, Label)> = grid
            .row_starts(row)
            .iter()
            .filter_map(|&i| grid.label(i).map(|l| (i, l)))
            .collect();
        let in_goal = self.block == Block::Goal || all.iter().any(|(_, l)| *l == Label::Goal);
        let labels: Vec<(usize, Label)> = all
            .into_iter()
            .filter(|(_, l)| match l {
                Label::Indicators => false,
                Label::GoalExpected | Label::GoalActual => in_goal,
                _ => true,
            })
            .collect();
        if labels.is_empty() {
            self.body(row);
            return None;
        }
        if let Some(&(cell, _)) = labels.iter().find(|(_, l)| *l == Label::ProjectName) {
            let (value, _) = grid.right_of(cell);
            match &self.report.project_name {
                Some(name) if vocab::key(name) == vocab::key(&value) => {
                    self.note(
                        DUPLICATE_HEADER,
                        Severity::Info,
                        "project_name",
                        Some(&value),
                        format!("项目名称 row repeated on row {row}; skipped"),
                    );
                    return None;
                }
                _ if self.started() => {
                    let mut next = Draft::new(grid, std::mem::take(&mut self.loose));
                    next.row(row);
                    return Some(next);
                }
                _ => {}
            }
        }
        self.touch(row);
        for (cell, label) in labels {
            self.seen.insert(label);
            match label {
                Label::ProjectName => self.field(cell, "project_name"),
                Label::Department => self.field(cell, "department"),
                Label::ImplementingUnit => self.field(cell, "implementing_unit"),
                Label::Grade => self.field(cell, "grade"),
                Label::Funding if self.funding.is_some() => self.duplicate_block(cell, "funding"),
                Label::Funding => {
                    self.funding_header(cell);
                    self.block = Block::Funding;
                }
                Label::Goal if self.goal.is_some() => self.duplicate_block(cell, "goal_expected"),
                Label::Goal => {
                    self.goal_header(cell);
                    self.block = Block::Goal;
                }
                Label::GoalExpected | Label::GoalActual => {
                    let (value, used) = grid.right_of(cell);
                    if !value.is_empty() {
                        let field = if label == Label::GoalExpected {
                            "goal_expected"
                        } else {
                            "goal_actual"
                        };
                        self.use_cells(field, &used);
                        if label == Label::GoalExpected {
                            &mut self.goal_expected
                        } else {
                            &mut self.goal_actual
                        }
                        .push(value);
                    }
                }
                Label::Total => {
                    self.total(cell);
                    self.block = Block::None;
                }
                Label::Indicators => {}
            }
        }
        None
    }

    fn touch(&mut self, row: usize) {
        self.rows = (self.rows.0.min(row), self.rows.1.max(row + 1));
    }

    fn use_cells(&mut self, field: &str, cells: &[usize]) {
        self.used
            .extend(cells.iter().map(|&c| (field.to_string(), c)));
    }

    fn duplicate_block(&mut self, cell: usize, field: &str) {
        let printed = self.grid.text(cell).trim().to_string();
        self.note(
            DUPLICATE_HEADER,
            Severity::Warning,
            field,
            Some(&printed),
            "block header printed twice; the second block is skipped",
        );
        self.block = Block::Skip;
    }

    /// A label with its value to the right.
    fn field(&mut self, cell: usize, field: &'static str) {
        let (value, used) = self.grid.right_of(cell);
        let value = text::field_text(&value);
        let slot = match field {
            "project_name" => &mut self.report.project_name,
            "department" => &mut self.report.department,
            "implementing_unit" => &mut self.report.implementing_unit,
            _ => &mut self.report.grade,
        };
        match (slot.as_ref(), value) {
            (Some(old), Some(new)) if *old != new => {
                let printed = new.clone();
                self.note(
                    DUPLICATE_HEADER,
                    Severity::Warning,
                    field,
                    Some(&printed),
                    "label printed twice with different values; the first is kept",
                );
            }
            (Some(_), _) => {}
            (None, value) => {
                *slot = value;
                self.use_cells(field, &used);
            }
        }
    }

    fn is_indicator_header(&self, row: usize) -> bool {
        let cols: BTreeSet<_> = self
            .grid
            .row_starts(row)
            .iter()
            .filter_map(|&i| vocab::indicator_column(self.grid.key(i)))
            .map(|c| c as u8)
            .collect();
        let has = |c: IndicatorColumn| cols.contains(&(c as u8));
        has(IndicatorColumn::Name)
            || [
                IndicatorColumn::Level1,
                IndicatorColumn::Level2,
                IndicatorColumn::Target,
                IndicatorColumn::Actual,
            ]
            .iter()
            .filter(|c| has(**c))
            .count()
                >= 2
    }

    /// The columns a header row names, in the order printed: notes a column header printed
    /// twice (the first is used) and every column of `C` the header does not name.
    fn header_columns<C: HeaderColumn>(
        &mut self,
        cells: impl IntoIterator<Item = usize>,
    ) -> Vec<(C, Cols)> {
        let grid = self.grid;
        let mut columns: Vec<(C, Cols)> = Vec::new();
        for i in cells {
            let Some(col) = C::lookup(grid.key(i)) else {
                continue;
            };
            if columns.iter().any(|(c, _)| *c == col) {
                let printed = grid.text(i).trim().to_string();
                self.note(
                    DUPLICATE_HEADER,
                    Severity::Warning,
                    format!("{}[*].{}", C::BLOCK, col.field()),
                    Some(&printed),
                    C::DUPLICATE_MESSAGE,
                );
            } else {
                columns.push((col, grid.cols(i)));
            }
        }
        for &col in C::ALL {
            if !columns.iter().any(|(c, _)| *c == col) {
                self.note(
                    C::MISSING_CODE,
                    col.missing_severity(),
                    format!("{}[*].{}", C::BLOCK, col.field()),
                    None,
                    C::MISSING_MESSAGE,
                );
            }
        }
        columns
    }

    fn funding_header(&mut self, label: usize) {
        let grid = self.grid;
        let row = grid.cells[label].row;
        let (_, label_end) = grid.cols(label);
        let cells = grid.row_cells(row);
        let columns: Vec<(FundingColumn, Cols)> =
            self.header_columns(cells.into_iter().filter(|&i| grid.cols(i).0 >= label_end));
        let first = columns
            .iter()
            .map(|(_, (a, _))| *a)
            .min()
            .unwrap_or(label_end);
        self.funding = Some(FundingHeader {
            row,
            columns,
            first,
        });
    }

    fn goal_header(&mut self, label: usize) {
        let grid = self.grid;
        let row = grid.cells[label].row;
        let mut header = GoalHeader {
            row,
            expected: None,
            actual: None,
        };
        for i in grid.row_cells(row) {
            match grid.label(i) {
                Some(Label::GoalExpected) => {
                    header.expected = header.expected.or(Some(grid.cols(i)))
                }
                Some(Label::GoalActual) => header.actual = header.actual.or(Some(grid.cols(i))),
                _ => {}
            }
        }
        if header.expected.is_none() && header.actual.is_none() {
            // 年度总体目标 with its text beside it and no 预期/实际 split.
            let (value, used) = grid.right_of(label);
            if !value.is_empty() {
                self.use_cells("goal_expected", &used);
                self.goal_expected.push(value);
            }
        }
        self.goal = Some(header);
    }

    fn indicator_header(&mut self, row: usize) {
        let grid = self.grid;
        let columns: Vec<(IndicatorColumn, Cols)> = self.header_columns(grid.row_cells(row));
        self.indicators = Some(IndicatorHeader { row, columns });
    }

    /// A row without labels: a line of the block it is in.
    fn body(&mut self, row: usize) {
        let grid = self.grid;
        match self.block {
            Block::Funding => self.funding_row(row),
            Block::Goal => {
                let Some(header) = &self.goal else { return };
                let skip = starting_by(grid, row, header.row);
                for (range, field) in [
                    (header.expected, "goal_expected"),
                    (header.actual, "goal_actual"),
                ] {
                    let Some(range) = range else { continue };
                    if let Some(cell) = grid.under(row, range, &skip) {
                        let t = grid.text(cell).trim();
                        if !t.is_empty() {
                            let t = t.to_string();
                            self.use_cells(field, &[cell]);
                            if field == "goal_expected" {
                                &mut self.goal_expected
                            } else {
                                &mut self.goal_actual
                            }
                            .push(t);
                        }
                    }
                }
                self.touch(row);
            }
            Block::Indicators => {
                let Some(header) = &self.indicators else {
                    return;
                };
                let skip = starting_by(grid, row, header.row);
                let mut cells = [None; 8];
                for (col, range) in &header.columns {
                    cells[*col as usize] = grid.under(row, *range, &skip);
                }
                self.raw.push(RawIndicator { cells });
                self.touch(row);
            }
            Block::None => {
                let line: Vec<&str> = grid
                    .row_starts(row)
                    .iter()
                    .map(|&i| grid.text(i).trim())
                    .filter(|t| !t.is_empty())
                    .collect();
                if !line.is_empty() {
                    let line = line.join(" ");
                    if self.started() {
                        &mut self.loose
                    } else {
                        &mut self.lines
                    }
                    .push(line);
                }
            }
            Block::Skip => {}
        }
    }

    fn funding_row(&mut self, row: usize) {
        let grid = self.grid;
        let Some(header) = &self.funding else { return };
        let mut skip = starting_by(grid, row, header.row);
        let candidates: Vec<usize> = grid
            .row_cells(row)
            .into_iter()
            .filter(|i| !skip.contains(i))
            .collect();
        if candidates
            .iter()
            .filter(|&&i| vocab::funding_column(grid.key(i)).is_some())
            .count()
            >= 2
        {
            self.note(
                DUPLICATE_HEADER,
                Severity::Info,
                "funding",
                None,
                format!("funding header repeated on row {row}; skipped"),
            );
            return;
        }
        let label = candidates
            .iter()
            .copied()
            .find(|&i| vocab::funding_row(grid.key(i)).is_some())
            .or_else(|| {
                candidates
                    .iter()
                    .copied()
                    .find(|&i| grid.cols(i).0 < header.first && !grid.text(i).trim().is_empty())
            });
        skip.extend(label);
        let values: Vec<(FundingColumn, Option<usize>)> = header
            .columns
            .iter()
            .map(|(col, range)| (*col, grid.under(row, *range, &skip)))
            .collect();
        let printed_label = label.map_or("", |i| grid.text(i).trim());
        if printed_label.is_empty()
            && values
                .iter()
                .all(|(_, c)| c.is_none_or(|c| grid.text(c).trim().is_empty()))
        {
            return;
        }
        self.touch(row);
        let index = self.report.funding.len();
        let name = match vocab::funding_row(label.map_or("", |i| grid.key(i))) {
            Some(canonical) => canonical.to_string(),
            None => {
                let printed = printed_label.to_string();
                self.note(
                    UNKNOWN_FUNDING_ROW,
                    Severity::Warning,
                    format!("funding[{index}].row"),
                    Some(&printed),
                    "funding row label not in the vocabulary; kept as printed",
                );
                printed
            }
        };
        if let Some(l) = label {
            self.use_cells(&format!("funding[{index}].row"), &[l]);
        }
        let mut out = FundingRow {
            row: name,
            initial_budget: None,
            annual_budget: None,
            executed: None,
            weight: None,
            execution_rate: None,
            score: None,
        };
        for (col, cell) in values {
            let Some(cell) = cell else { continue };
            let field = format!("funding[{index}].{}", col.field());
            let suffixes: &[&str] = match col {
                FundingColumn::ExecutionRate => &["%"],
                FundingColumn::Weight | FundingColumn::Score => &["分"],
                _ => &[],
            };
            let value = self.number(&field, cell, suffixes);
            *match col {
                FundingColumn::InitialBudget => &mut out.initial_budget,
                FundingColumn::AnnualBudget => &mut out.annual_budget,
                FundingColumn::Executed => &mut out.executed,
                FundingColumn::Weight => &mut out.weight,
                FundingColumn::ExecutionRate => &mut out.execution_rate,
                FundingColumn::Score => &mut out.score,
            } = value;
        }
        self.report.funding.push(out);
    }

    /// Reads a number cell; an unreadable one becomes a finding and `None`.
    fn number(&mut self, field: &str, cell: usize, suffixes: &[&str]) -> Option<Decimal> {
        self.use_cells(field, &[cell]);
        match text::number(self.grid.text(cell), suffixes) {
            Ok(v) => v,
            Err(e) => {
                self.note(
                    UNREADABLE_NUMBER,
                    Severity::Error,
                    field,
                    Some(&e.0),
                    "printed value is not a number",
                );
                None
            }
        }
    }

    fn total(&mut self, label: usize) {
        let grid = self.grid;
        let row = grid.cells[label].row;
        self.total_seen = true;
        let (weight, score) = match &self.indicators {
            Some(h) => {
                let at = |c| h.col(c).and_then(|r| grid.under(row, r, &[label]));
                (at(IndicatorColumn::Weight), at(IndicatorColumn::Score))
            }
            None => {
                let (_, end) = grid.cols(label);
                let mut filled = grid
                    .row_cells(row)
                    .into_iter()
                    .filter(|&i| grid.cols(i).0 >= end && !grid.text(i).trim().is_empty());
                (filled.next(), filled.next())
            }
        };
        if let Some(c) = weight {
            self.report.total_weight = self.number("total_weight", c, &["分"]);
        }
        if let Some(c) = score {
            self.report.total_score = self.number("total_score", c, &["分"]);
        }
    }

    /// Whether the table is a report: one of its blocks (项目资金, 年度总体目标, the indicator
    /// header) and at least one more of its labels. A list of projects (项目名称 … 评分等级 as
    /// column headers) has no block.
    fn is_report(&self) -> bool {
        let kinds = self
            .seen
            .iter()
            .filter(|l| {
                !matches!(
                    l,
                    Label::GoalExpected | Label::GoalActual | Label::Indicators
                )
            })
            .count()
            + usize::from(self.indicators.is_some())
            + usize::from(self.lines.iter().any(|l| vocab::key(l).contains("自评表")));
        let has_block = self.funding.is_some() || self.goal.is_some() || self.indicators.is_some();
        has_block && kinds >= 2
    }

    /// The record, with findings for whatever could not be read, and its row range.
    fn finish(mut self) -> (Report, (usize, usize)) {
        self.title_and_year();
        self.goals();
        self.build_indicators();
        self.missing();
        self.confidence();
        (self.report, self.rows)
    }

    fn title_and_year(&mut self) {
        let nfkc: Vec<String> = self.lines.iter().map(|l| text::nfkc_trim(l)).collect();
        self.report.title = self
            .lines
            .iter()
            .find(|l| vocab::key(l).contains("自评表"))
            .and_then(|l| text::field_text(&YEAR_REMARK.replace_all(l, "")));
        self.report.year = nfkc
            .iter()
            .find_map(|l| YEAR.captures(l))
            .and_then(|c| c[1].parse().ok());
    }

    fn goals(&mut self) {
        self.report.goal_expected = text::goal_text(&self.goal_expected.join("\n"));
        self.report.goal_actual = text::goal_text(&self.goal_actual.join("\n"));
    }

    fn build_indicators(&mut self) {
        let grid = self.grid;
        let raw = std::mem::take(&mut self.raw);
        let text_of = |r: &RawIndicator, c: IndicatorColumn| {
            r.cells[c as usize].map_or("", |i| grid.text(i).trim())
        };
        let heads: Vec<HeadingCells<'_>> = raw
            .iter()
            .map(|r| HeadingCells {
                level1: r.cells[IndicatorColumn::Level1 as usize].map(|i| (i, grid.text(i))),
                level2: r.cells[IndicatorColumn::Level2 as usize].map(|i| (i, grid.text(i))),
            })
            .collect();
        let resolved = hierarchy::resolve(&heads);
        let mut reported: BTreeSet<(&'static str, &'static str, Option<String>)> = BTreeSet::new();
        for (r, heads) in raw.iter().zip(resolved) {
            let content = [
                IndicatorColumn::Name,
                IndicatorColumn::Target,
                IndicatorColumn::Actual,
                IndicatorColumn::Weight,
                IndicatorColumn::Score,
                IndicatorColumn::Deviation,
            ];
            if content.iter().all(|&c| text_of(r, c).is_empty()) {
                continue; // only heading fragments (a heading cut by a page break)
            }
            let no_numbers = text_of(r, IndicatorColumn::Weight).is_empty()
                && text_of(r, IndicatorColumn::Score).is_empty();
            if no_numbers && !self.report.indicators.is_empty() {
                self.join_row(r);
                continue;
            }
            let index = self.report.indicators.len();
            let field = |c: IndicatorColumn| format!("indicators[{index}].{}", c.field());
            for c in [
                IndicatorColumn::Level1,
                IndicatorColumn::Level2,
                IndicatorColumn::Name,
                IndicatorColumn::Target,
                IndicatorColumn::Actual,
                IndicatorColumn::Deviation,
            ] {
                if let Some(cell) = r.cells[c as usize] {
                    self.use_cells(&field(c), &[cell]);
                }
            }
            for p in heads.problems {
                if reported.insert((p.code, p.field, p.printed.clone())) {
                    self.note(
                        p.code,
                        p.severity,
                        format!("indicators[{index}].{}", p.field),
                        p.printed.as_deref(),
                        p.message,
                    );
                }
            }
            let weight = r.cells[IndicatorColumn::Weight as usize]
                .and_then(|c| self.number(&field(IndicatorColumn::Weight), c, &["分"]));
            let score = r.cells[IndicatorColumn::Score as usize]
                .and_then(|c| self.number(&field(IndicatorColumn::Score), c, &["分"]));
            let target = text::field_text(text_of(r, IndicatorColumn::Target));
            let actual = text::field_text(text_of(r, IndicatorColumn::Actual));
            self.report.indicators.push(Indicator {
                level1: heads.level1,
                level2: heads.level2,
                name: text_of(r, IndicatorColumn::Name).to_string(),
                target_parsed: target.as_deref().and_then(text::parse_value),
                actual_parsed: actual.as_deref().and_then(text::parse_value),
                target,
                actual,
                weight,
                score,
                deviation_reason: text_of(r, IndicatorColumn::Deviation).to_string(),
            });
        }
    }

    /// Appends a row without 分值/得分 to the indicator above (a row cut by a page break).
    fn join_row(&mut self, r: &RawIndicator) {
        let grid = self.grid;
        let index = self.report.indicators.len() - 1;
        let text_of = |c: IndicatorColumn| r.cells[c as usize].map_or("", |i| grid.text(i).trim());
        let (name, target, actual, deviation) = (
            text_of(IndicatorColumn::Name),
            text_of(IndicatorColumn::Target),
            text_of(IndicatorColumn::Actual),
            text_of(IndicatorColumn::Deviation),
        );
        let printed = [name, target, actual, deviation]
            .iter()
            .filter(|t| !t.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        self.note(
            JOINED_ROW,
            Severity::Warning,
            format!("indicators[{index}]"),
            Some(&printed),
            "row without 分值/得分 joined to the indicator above",
        );
        let ind = &mut self.report.indicators[index];
        ind.name.push_str(name);
        ind.deviation_reason.push_str(deviation);
        for (slot, parsed, add) in [
            (&mut ind.target, &mut ind.target_parsed, target),
            (&mut ind.actual, &mut ind.actual_parsed, actual),
        ] {
            if add.is_empty() {
                continue;
            }
            let joined = format!("{}{}", slot.as_deref().unwrap_or(""), add);
            *parsed = text::parse_value(&joined);
            *slot = text::field_text(&joined);
        }
    }

    /// Findings for what a complete report has and this one does not.
    fn missing(&mut self) {
        let fields = [
            ("title", self.report.title.is_none(), Severity::Warning),
            ("year", self.report.year.is_none(), Severity::Warning),
            (
                "project_name",
                self.report.project_name.is_none(),
                Severity::Error,
            ),
            (
                "department",
                self.report.department.is_none(),
                Severity::Warning,
            ),
            (
                "implementing_unit",
                self.report.implementing_unit.is_none(),
                Severity::Warning,
            ),
            (
                "goal_expected",
                self.report.goal_expected.is_none(),
                Severity::Warning,
            ),
            (
                "goal_actual",
                self.report.goal_actual.is_none(),
                Severity::Warning,
            ),
            ("grade", self.report.grade.is_none(), Severity::Info),
        ];
        for (field, missing, severity) in fields {
            if missing {
                self.note(MISSING_FIELD, severity, field, None, "not found or blank");
            }
        }
        if self.funding.is_none() {
            self.note(
                MISSING_BLOCK,
                Severity::Error,
                "funding",
                None,
                "no 项目资金 block",
            );
        } else {
            for canonical in vocab::funding_rows() {
                if !self.report.funding.iter().any(|r| r.row == canonical) {
                    self.note(
                        MISSING_FUNDING_ROW,
                        Severity::Warning,
                        "funding",
                        None,
                        format!("no {canonical} row"),
                    );
                }
            }
        }
        if self.indicators.is_none() {
            self.note(
                MISSING_BLOCK,
                Severity::Error,
                "indicators",
                None,
                "no indicator header (一级指标 … 三级指标)",
            );
        }
        if !self.total_seen {
            self.note(
                MISSING_TOTAL,
                Severity::Error,
                "total_score",
                None,
                "no 总分 row",
            );
        }
    }

    fn confidence(&mut self) {
        let used = std::mem::take(&mut self.used);
        for (field, cell) in used {
            let c = &self.grid.cells[cell];
            if c.text_source != TextSource::Pdf {
                self.report.provenance.push(FieldSource {
                    field: field.clone(),
                    text_source: c.text_source,
                    confidence: c
                        .confidence
                        .and_then(Decimal::from_f32_retain)
                        .map(|d| d.round_dp(2)),
                });
            }
            if let Some(conf) = c.confidence.filter(|&v| v < LOW_CONFIDENCE) {
                let printed = c.text.trim().to_string();
                self.note(
                    LOW_OCR_CONFIDENCE,
                    Severity::Warning,
                    field,
                    Some(&printed),
                    format!("value read by OCR with confidence {conf:.2}"),
                );
            }
        }
    }
}

/// Cells on `row` that start on or above `header` (labels spanning down into a block).
fn starting_by(grid: &Grid<'_>, row: usize, header: usize) -> Vec<usize> {
    grid.row_cells(row)
        .into_iter()
        .filter(|&i| grid.cells[i].row <= header)
        .collect()
}
