//! Rounding conventions: how a producing system turns an exact ratio into the printed
//! 2-decimal 执行率 and 得分, and how a document's convention is detected from its rows.

use std::fmt;

use jixiao_normalize::{FundingRow, Report};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// One way of rounding an exact value to the printed number of decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rounding {
    /// Drop the extra digits (toward zero): 84.4583 → 84.45 (闵行 2023 执行率).
    Truncate,
    /// Round half away from zero: 8.445 → 8.45 (闵行 2023 得分).
    HalfUp,
    /// Round half to even (banker's rounding): 8.445 → 8.44.
    HalfEven,
    /// Round away from zero (ceiling for positive values): 86.18304 → 86.19 (普陀 2022 执行率).
    Up,
}

impl Rounding {
    /// Every convention, in the order used to report and to break ties.
    pub const ALL: [Rounding; 4] = [
        Rounding::Truncate,
        Rounding::HalfUp,
        Rounding::HalfEven,
        Rounding::Up,
    ];

    /// Stable kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Rounding::Truncate => "truncate",
            Rounding::HalfUp => "half-up",
            Rounding::HalfEven => "half-even",
            Rounding::Up => "up",
        }
    }

    /// Rounds `value` to `dp` decimals under this convention, shown with exactly `dp`
    /// decimals (100 → "100.00").
    pub fn apply(self, value: Decimal, dp: u32) -> Decimal {
        let strategy = match self {
            Rounding::Truncate => RoundingStrategy::ToZero,
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::Up => RoundingStrategy::AwayFromZero,
        };
        let mut rounded = value.round_dp_with_strategy(dp, strategy);
        rounded.rescale(dp);
        rounded
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of [`Rounding`]s: the conventions a printed value (or a whole document) fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Roundings(u8);

impl Roundings {
    /// No convention.
    pub const NONE: Roundings = Roundings(0);
    /// Every convention (nothing discriminates between them).
    pub const ALL: Roundings = Roundings(0b1111);

    /// The set holding just `r`.
    pub fn only(r: Rounding) -> Roundings {
        Roundings(r.bit())
    }

    /// Whether `r` is in the set.
    pub fn contains(self, r: Rounding) -> bool {
        self.0 & r.bit() != 0
    }

    /// Whether the two sets share a convention.
    pub fn intersects(self, other: Roundings) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The member used to show a recomputed value: half-up when present (the common
    /// convention), else the first member; `None` for the empty set.
    pub fn preferred(self) -> Option<Rounding> {
        if self.contains(Rounding::HalfUp) {
            Some(Rounding::HalfUp)
        } else {
            self.iter().next()
        }
    }

    /// The members in [`Rounding::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Rounding> {
        Rounding::ALL
            .into_iter()
            .filter(move |r| self.contains(r.to_owned()))
    }

    fn with(self, r: Rounding) -> Roundings {
        Roundings(self.0 | r.bit())
    }
}

impl fmt::Display for Roundings {
    /// `truncate`, `half-up|half-even`, `any` (all four), `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Roundings::ALL {
            return f.write_str("any");
        }
        if self.is_empty() {
            return f.write_str("none");
        }
        let names: Vec<&str> = self.iter().map(Rounding::name).collect();
        f.write_str(&names.join("|"))
    }
}

/// The rounding convention of one source document, detected from all its funding rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convention {
    /// Conventions that fit the most 执行率 values (all four when no row discriminates).
    pub rate: Roundings,
    /// Conventions that fit the most budget 得分 values.
    pub score: Roundings,
}

impl Default for Convention {
    /// Accepts every convention: what a document with no discriminating row gets.
    fn default() -> Self {
        Convention {
            rate: Roundings::ALL,
            score: Roundings::ALL,
        }
    }
}

impl fmt::Display for Convention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rate={}; score={}", self.rate, self.score)
    }
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// The exact 执行率 of a row, `全年执行数 / 全年预算数 × 100`, and 0 when the budget is 0.
/// `None` when an input is missing or the arithmetic overflows.
pub fn exact_rate(row: &FundingRow) -> Option<Decimal> {
    let annual = row.annual_budget?;
    let executed = row.executed?;
    if annual.is_zero() {
        return Some(Decimal::ZERO);
    }
    executed.checked_mul(HUNDRED)?.checked_div(annual)
}

/// The conventions under which the row's printed 执行率 recomputes; `None` when the check
/// does not apply (a value is missing, or the budget is 0 so no rounding is involved).
pub fn rate_fits(row: &FundingRow) -> Option<Roundings> {
    let printed = row.execution_rate?;
    if row.annual_budget?.is_zero() {
        return None;
    }
    let exact = exact_rate(row)?;
    Some(fits(printed, &[exact], None))
}

/// The exact values a producer may have rounded to get the budget 得分: `分数 × 执行数 /
/// 预算数`, and `分数 × printed 执行率 / 100` when that rate is itself accepted
/// (`rate_ok`). Empty when a value is missing; `[0]` when the budget is 0.
pub fn score_bases(row: &FundingRow, rate_ok: bool) -> Vec<Decimal> {
    let (Some(weight), Some(annual), Some(executed)) =
        (row.weight, row.annual_budget, row.executed)
    else {
        return Vec::new();
    };
    if annual.is_zero() {
        return vec![Decimal::ZERO];
    }
    let mut bases: Vec<Decimal> = weight
        .checked_mul(executed)
        .and_then(|v| v.checked_div(annual))
        .into_iter()
        .collect();
    if rate_ok {
        if let Some(v) = row
            .execution_rate
            .and_then(|r| weight.checked_mul(r))
            .and_then(|v| v.checked_div(HUNDRED))
        {
            bases.push(v);
        }
    }
    bases
}

/// The conventions under which the row's printed budget 得分 recomputes (capped at the
/// 分数); `None` when the check does not apply (no 分数/得分, or a budget of 0).
pub fn score_fits(row: &FundingRow, rate_ok: bool) -> Option<Roundings> {
    let printed = row.score?;
    if row.annual_budget?.is_zero() {
        return None;
    }
    let bases = score_bases(row, rate_ok);
    if bases.is_empty() {
        return None;
    }
    Some(fits(printed, &bases, row.weight))
}

/// The conventions under which some `bases` value, rounded to the printed scale (and capped
/// at `cap`), equals `printed`.
pub fn fits(printed: Decimal, bases: &[Decimal], cap: Option<Decimal>) -> Roundings {
    let dp = printed.scale();
    Rounding::ALL.into_iter().fold(Roundings::NONE, |set, r| {
        let hit = bases.iter().any(|&b| {
            let v = r.apply(b, dp);
            cap.map_or(v, |c| v.min(c)) == printed
        });
        if hit {
            set.with(r)
        } else {
            set
        }
    })
}

/// Whether the printed 执行率 of `row` recomputes under `convention` (a rate of 0 for a
/// budget of 0 under any). `false` when a value is missing.
pub fn rate_accepted(row: &FundingRow, convention: &Convention) -> bool {
    match (row.execution_rate, exact_rate(row)) {
        (Some(printed), Some(exact)) => fits(printed, &[exact], None).intersects(convention.rate),
        _ => false,
    }
}

/// Detects the rounding convention of one document from every funding row of its reports:
/// for 执行率 and for 得分 separately, the conventions that fit the most rows. Rows that fit
/// every convention (exact values) or none (errors) do not change the choice; with no
/// discriminating row the result is [`Roundings::ALL`].
pub fn detect_convention<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Convention {
    let mut rate_counts = [0usize; 4];
    let mut rows = Vec::new();
    for report in reports {
        for row in &report.funding {
            if let Some(set) = rate_fits(row) {
                count(&mut rate_counts, set);
            }
            rows.push(row);
        }
    }
    let rate = best(&rate_counts);
    let provisional = Convention {
        rate,
        score: Roundings::ALL,
    };
    let mut score_counts = [0usize; 4];
    for row in rows {
        if let Some(set) = score_fits(row, rate_accepted(row, &provisional)) {
            count(&mut score_counts, set);
        }
    }
    Convention {
        rate,
        score: best(&score_counts),
    }
}

fn count(counts: &mut [usize; 4], set: Roundings) {
    for r in set.iter() {
        counts[r as usize] += 1;
    }
}

fn best(counts: &[usize; 4]) -> Roundings {
    let max = counts.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return Roundings::ALL;
    }
    Rounding::ALL
        .into_iter()
        .filter(|&r| counts[r as usize] == max)
        .fold(Roundings::NONE, Roundings::with)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn row(annual: &str, executed: &str, rate: &str, score: Option<&str>) -> FundingRow {
        FundingRow {
            row: "年度资金总额".into(),
            initial_budget: Some(d(annual)),
            annual_budget: Some(d(annual)),
            executed: Some(d(executed)),
            weight: score.map(|_| d("10.00")),
            execution_rate: Some(d(rate)),
            score: score.map(d),
        }
    }

    #[test]
    fn seed_rate_84_4583_fits_truncation_only() {
        // 闵行 2023 #3: 1404.77 / 1663.27 = 84.4583…%, printed 84.45, score 8.45.
        let r = row("1663.27", "1404.77", "84.45", Some("8.45"));
        assert_eq!(rate_fits(&r), Some(Roundings::only(Rounding::Truncate)));
        let score = score_fits(&r, true).unwrap();
        assert!(score.contains(Rounding::HalfUp));
        assert!(!score.contains(Rounding::Truncate));
    }

    #[test]
    fn exact_tie_45_625_separates_half_up_from_half_even() {
        // 1.46 / 3.20 = 45.625 exactly: half-up 45.63, half-even 45.62, truncate 45.62.
        let r = row("3.20", "1.46", "45.62", None);
        let set = rate_fits(&r).unwrap();
        assert_eq!(set.to_string(), "truncate|half-even");
        let r = row("3.20", "1.46", "45.63", None);
        assert_eq!(rate_fits(&r).unwrap().to_string(), "half-up|up");
    }

    #[test]
    fn putuo_rate_86_18304_printed_86_19_is_up() {
        let r = row("250000.00", "215457.60", "86.19", Some("8.62"));
        assert_eq!(rate_fits(&r), Some(Roundings::only(Rounding::Up)));
        assert!(score_fits(&r, true).unwrap().contains(Rounding::HalfUp));
    }

    #[test]
    fn score_is_capped_at_the_weight() {
        let r = row("10.00", "12.00", "120.00", Some("10.00"));
        assert_eq!(score_fits(&r, true), Some(Roundings::ALL));
    }

    #[test]
    fn zero_budget_rows_are_not_evidence() {
        let r = row("0.00", "0.00", "0.00", None);
        assert_eq!(rate_fits(&r), None);
        assert!(rate_accepted(&r, &Convention::default()));
    }

    #[test]
    fn detection_takes_the_convention_fitting_most_rows() {
        let report = |rows: Vec<FundingRow>| Report {
            funding: rows,
            ..Report::default()
        };
        let a = report(vec![
            row("1663.27", "1404.77", "84.45", Some("8.45")),
            row("3.20", "1.46", "45.62", None),
        ]);
        let b = report(vec![row("50.00", "49.52", "99.04", Some("9.90"))]);
        let conv = detect_convention([&a, &b]);
        assert_eq!(conv.rate, Roundings::only(Rounding::Truncate));
        assert!(conv.score.contains(Rounding::HalfUp) && !conv.score.contains(Rounding::Truncate));
        // 99.04 % is exact: the rate does not discriminate; 9.904 rounds up only under `up`.
        let only_b = detect_convention([&b]);
        assert_eq!(only_b.rate, Roundings::ALL);
        assert_eq!(only_b.score.to_string(), "truncate|half-up|half-even");
    }
}
