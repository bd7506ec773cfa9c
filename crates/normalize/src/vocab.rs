//! The vocabulary of the 自评表: labels, column headers, funding rows and indicator headings,
//! each with its canonical name and the variants offices print.
//!
//! Everything is matched on a [`key`]: the NFKC form without any whitespace, so wrapped
//! ("满意 度指 标") and full-width ("项目资金（万元）") printings compare equal to the
//! canonical text.

/// The matching key of a printed text: NFKC, all whitespace removed.
pub fn key(text: &str) -> String {
    crate::text::nfkc(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Texts longer than this (in bytes) are never labels, headers or headings.
pub const MAX_LABEL_BYTES: usize = 96;

/// The key of a label or header cell: [`key`] without a leading "其中", a trailing colon and a
/// trailing parenthesised remark ("项目资金(万元)" → "项目资金", "执行率(%)" → "执行率",
/// "其中:当年财政拨款" → "当年财政拨款"); empty for a text too long to be a label.
pub fn label_key(text: &str) -> String {
    if text.len() > MAX_LABEL_BYTES {
        return String::new();
    }
    let mut k = key(text);
    if let Some(rest) = k.strip_prefix("其中") {
        k = rest.trim_start_matches([':', '、']).to_string();
    }
    loop {
        let trimmed = k.trim_end_matches([':', '.']);
        if trimmed.len() != k.len() {
            k = trimmed.to_string();
            continue;
        }
        if k.ends_with(')') {
            if let Some(open) = k.rfind('(') {
                if open > 0 {
                    k.truncate(open);
                    continue;
                }
            }
        }
        break;
    }
    k
}

/// A label that starts a field or a block of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// 项目名称.
    ProjectName,
    /// 主管部门.
    Department,
    /// 实施单位.
    ImplementingUnit,
    /// 项目资金 (万元): the funding block's header cell.
    Funding,
    /// 年度总体目标: the goal block's header cell.
    Goal,
    /// 预期目标 (a sub-header of the goal block).
    GoalExpected,
    /// 实际完成情况 (a sub-header of the goal block).
    GoalActual,
    /// 绩效指标: the indicator block's left caption cell.
    Indicators,
    /// 总分.
    Total,
    /// 评分等级.
    Grade,
}

const LABELS: &[(Label, &[&str])] = &[
    (Label::ProjectName, &["项目名称"]),
    (Label::Department, &["主管部门", "主管单位"]),
    (Label::ImplementingUnit, &["实施单位", "项目实施单位"]),
    (Label::Funding, &["项目资金", "项目资金情况", "资金情况"]),
    (Label::Goal, &["年度总体目标", "总体目标", "年度目标"]),
    (Label::GoalExpected, &["预期目标", "年初设定目标"]),
    (
        Label::GoalActual,
        &["实际完成情况", "全年实际完成情况", "实际完成目标"],
    ),
    (Label::Indicators, &["绩效指标", "年度绩效指标"]),
    (Label::Total, &["总分", "合计得分", "总得分"]),
    (Label::Grade, &["评分等级", "自评等级", "评价等级", "等级"]),
];

/// The label a cell names, by its [`label_key`].
pub fn label(k: &str) -> Option<Label> {
    LABELS.iter().find(|(_, v)| v.contains(&k)).map(|(l, _)| *l)
}

/// A column of the funding block, named by its header cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FundingColumn {
    /// 年初预算数.
    InitialBudget,
    /// 全年预算数 (the adjusted budget).
    AnnualBudget,
    /// 全年执行数.
    Executed,
    /// 分数 / 分值.
    Weight,
    /// 执行率.
    ExecutionRate,
    /// 得分.
    Score,
}

impl FundingColumn {
    /// Every column, in the record's field order.
    pub const ALL: [FundingColumn; 6] = [
        FundingColumn::InitialBudget,
        FundingColumn::AnnualBudget,
        FundingColumn::Executed,
        FundingColumn::Weight,
        FundingColumn::ExecutionRate,
        FundingColumn::Score,
    ];

    /// The record field the column fills.
    pub fn field(self) -> &'static str {
        match self {
            FundingColumn::InitialBudget => "initial_budget",
            FundingColumn::AnnualBudget => "annual_budget",
            FundingColumn::Executed => "executed",
            FundingColumn::Weight => "weight",
            FundingColumn::ExecutionRate => "execution_rate",
            FundingColumn::Score => "score",
        }
    }
}

const FUNDING_COLUMNS: &[(FundingColumn, &[&str])] = &[
    (
        FundingColumn::InitialBudget,
        &["年初预算数", "年初预算", "年初预算金额"],
    ),
    (
        FundingColumn::AnnualBudget,
        &[
            "全年预算数",
            "全年预算",
            "调整后预算数",
            "全年预算金额",
            "预算数",
        ],
    ),
    (
        FundingColumn::Executed,
        &[
            "全年执行数",
            "全年执行",
            "实际执行数",
            "执行数",
            "全年实际支出",
        ],
    ),
    (FundingColumn::Weight, &["分数", "分值", "权重"]),
    (FundingColumn::ExecutionRate, &["执行率", "预算执行率"]),
    (FundingColumn::Score, &["得分", "自评得分"]),
];

/// The funding column a header cell names, by its [`label_key`].
pub fn funding_column(k: &str) -> Option<FundingColumn> {
    FUNDING_COLUMNS
        .iter()
        .find(|(_, v)| v.contains(&k))
        .map(|(c, _)| *c)
}

/// Canonical funding rows with their accepted variants (after [`label_key`]).
const FUNDING_ROWS: &[(&str, &[&str])] = &[
    (
        "年度资金总额",
        &["年度资金总额", "资金总额", "年度资金合计"],
    ),
    (
        "当年财政拨款",
        &["当年财政拨款", "本年财政拨款", "财政拨款", "当年财政资金"],
    ),
    ("上年结转资金", &["上年结转资金", "上年结转", "结转资金"]),
    ("其他资金", &["其他资金", "其它资金"]),
];

/// The canonical funding rows in template order.
pub fn funding_rows() -> impl Iterator<Item = &'static str> {
    FUNDING_ROWS.iter().map(|(c, _)| *c)
}

/// The canonical funding row a label names, by its [`label_key`] ("其中: 当年财政拨款" →
/// "当年财政拨款").
pub fn funding_row(k: &str) -> Option<&'static str> {
    FUNDING_ROWS
        .iter()
        .find(|(_, v)| v.contains(&k))
        .map(|(c, _)| *c)
}

/// A column of the indicator block, named by its header cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorColumn {
    /// 一级指标.
    Level1,
    /// 二级指标.
    Level2,
    /// 三级指标.
    Name,
    /// 年度指标值.
    Target,
    /// 实际完成值.
    Actual,
    /// 分值.
    Weight,
    /// 得分.
    Score,
    /// 偏差原因分析及改进措施.
    Deviation,
}

impl IndicatorColumn {
    /// Every column, in the record's field order.
    pub const ALL: [IndicatorColumn; 8] = [
        IndicatorColumn::Level1,
        IndicatorColumn::Level2,
        IndicatorColumn::Name,
        IndicatorColumn::Target,
        IndicatorColumn::Actual,
        IndicatorColumn::Weight,
        IndicatorColumn::Score,
        IndicatorColumn::Deviation,
    ];

    /// The record field the column fills.
    pub fn field(self) -> &'static str {
        match self {
            IndicatorColumn::Level1 => "level1",
            IndicatorColumn::Level2 => "level2",
            IndicatorColumn::Name => "name",
            IndicatorColumn::Target => "target",
            IndicatorColumn::Actual => "actual",
            IndicatorColumn::Weight => "weight",
            IndicatorColumn::Score => "score",
            IndicatorColumn::Deviation => "deviation_reason",
        }
    }
}

const INDICATOR_COLUMNS: &[(IndicatorColumn, &[&str])] = &[
    (IndicatorColumn::Level1, &["一级指标"]),
    (IndicatorColumn::Level2, &["二级指标"]),
    (IndicatorColumn::Name, &["三级指标", "指标名称"]),
    (
        IndicatorColumn::Target,
        &["年度指标值", "指标值", "年度目标值", "目标值", "预期指标值"],
    ),
    (
        IndicatorColumn::Actual,
        &[
            "实际完成值",
            "实际值",
            "完成值",
            "全年实际值",
            "实际完成指标值",
        ],
    ),
    (IndicatorColumn::Weight, &["分值", "分数", "权重"]),
    (IndicatorColumn::Score, &["得分", "自评得分"]),
    (
        IndicatorColumn::Deviation,
        &[
            "偏差原因分析及改进措施",
            "偏差原因分析及改进",
            "偏差原因及改进措施",
            "偏差原因分析",
            "偏差原因",
            "未完成原因分析",
            "备注",
        ],
    ),
];

/// The indicator column a header cell names, by its [`label_key`].
pub fn indicator_column(k: &str) -> Option<IndicatorColumn> {
    INDICATOR_COLUMNS
        .iter()
        .find(|(_, v)| v.contains(&k))
        .map(|(c, _)| *c)
}

/// 产出指标.
pub const OUTPUT: &str = "产出指标";
/// 效益指标.
pub const BENEFIT: &str = "效益指标";
/// 满意度指标.
pub const SATISFACTION: &str = "满意度指标";
/// 成本指标: a 一级 in the 2021+ template, a 二级 of 产出指标 in the 2020 one.
pub const COST: &str = "成本指标";

/// The canonical hierarchy: each 一级 with its 二级 (both templates together).
pub const HIERARCHY: &[(&str, &[&str])] = &[
    (OUTPUT, &["数量指标", "质量指标", "时效指标", COST]),
    (
        BENEFIT,
        &[
            "经济效益指标",
            "社会效益指标",
            "生态效益指标",
            "可持续影响指标",
        ],
    ),
    (SATISFACTION, &["服务对象满意度指标"]),
    (COST, &["经济成本指标", "社会成本指标", "生态环境成本指标"]),
];

/// Printed variants of headings that are neither the canonical name, nor the name without
/// "指标", nor a prefix of it: (variant key, 一级 it belongs to, canonical 二级).
const LEVEL2_VARIANTS: &[(&str, &str, &str)] = &[
    ("满意度指标", SATISFACTION, "服务对象满意度指标"),
    ("满意度", SATISFACTION, "服务对象满意度指标"),
    ("服务满意度指标", SATISFACTION, "服务对象满意度指标"),
    ("生态环境效益指标", BENEFIT, "生态效益指标"),
    ("可持续发展指标", BENEFIT, "可持续影响指标"),
];

/// Whether `k` (a heading key) names `canonical`: equal, equal without "指标", or a prefix
/// of at least two characters (an abbreviation or a heading cut by a page break).
fn names(k: &str, canonical: &str) -> bool {
    k == canonical || (k.chars().count() >= 2 && canonical.starts_with(k))
}

/// A heading key without a printed weight such as "(50分)".
fn heading_key(text: &str) -> String {
    label_key(text)
}

/// The canonical 一级 a heading printed in the 一级 column names.
pub fn level1(text: &str) -> Option<&'static str> {
    let k = heading_key(text);
    unique(HIERARCHY.iter().map(|(l1, _)| *l1).filter(|c| names(&k, c)))
}

/// The canonical 二级 a heading names, with its 一级; `parent` restricts the search to the
/// children of that 一级. `None` when no or more than one heading fits.
pub fn level2(text: &str, parent: Option<&str>) -> Option<(&'static str, &'static str)> {
    let k = heading_key(text);
    if k.is_empty() {
        return None;
    }
    let in_scope = |l1: &str| parent.is_none_or(|p| p == l1);
    let variant = unique(
        LEVEL2_VARIANTS
            .iter()
            .filter(|(v, l1, _)| *v == k && in_scope(l1))
            .map(|(_, l1, l2)| (*l1, *l2)),
    );
    variant.or_else(|| {
        unique(
            HIERARCHY
                .iter()
                .filter(|(l1, _)| in_scope(l1))
                .flat_map(|(l1, l2s)| l2s.iter().map(move |l2| (*l1, *l2)))
                .filter(|(_, l2)| names(&k, l2)),
        )
    })
}

/// The children of a canonical 一级.
pub fn children(level1: &str) -> &'static [&'static str] {
    HIERARCHY
        .iter()
        .find(|(l1, _)| *l1 == level1)
        .map_or(&[], |(_, c)| c)
}

/// The only element of an iterator, `None` when it has none or several.
fn unique<T: PartialEq>(mut it: impl Iterator<Item = T>) -> Option<T> {
    let first = it.next()?;
    for other in it {
        if other != first {
            return None;
        }
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_width_and_whitespace() {
        assert_eq!(key(" 满意 度指\n标 "), "满意度指标");
        assert_eq!(label_key("项目资金（万元）"), "项目资金");
        assert_eq!(label_key("执行率(%)"), "执行率");
        assert_eq!(label_key("年度资金总额:"), "年度资金总额");
        assert_eq!(label_key("其中：当年财政拨款"), "当年财政拨款");
        assert_eq!(label_key("产出指标(50分)"), "产出指标");
    }

    #[test]
    fn labels_and_columns() {
        assert_eq!(label(&label_key("项目资金 (万元)")), Some(Label::Funding));
        assert_eq!(label(&label_key("年度 总体 目标")), Some(Label::Goal));
        assert_eq!(label(&label_key("产出指标")), None);
        assert_eq!(
            funding_column(&label_key("分值")),
            Some(FundingColumn::Weight)
        );
        assert_eq!(
            funding_column(&label_key("分数")),
            Some(FundingColumn::Weight)
        );
        assert_eq!(
            funding_column(&label_key("执行率(%)")),
            Some(FundingColumn::ExecutionRate)
        );
        assert_eq!(
            funding_column(&label_key("全年预算数")),
            Some(FundingColumn::AnnualBudget)
        );
        assert_eq!(
            indicator_column(&label_key("偏差原因分析 及改进措施")),
            Some(IndicatorColumn::Deviation)
        );
        assert_eq!(
            indicator_column(&label_key("一级 指标")),
            Some(IndicatorColumn::Level1)
        );
    }

    #[test]
    fn funding_row_names() {
        assert_eq!(
            funding_row(&label_key("年度资金总额:")),
            Some("年度资金总额")
        );
        assert_eq!(
            funding_row(&label_key("其中: 当年财政拨款")),
            Some("当年财政拨款")
        );
        assert_eq!(
            funding_row(&label_key("其中：本年财政拨款")),
            Some("当年财政拨款")
        );
        assert_eq!(funding_row(&label_key("其它资金")), Some("其他资金"));
        assert_eq!(funding_row(&label_key("专项资金")), None);
    }

    #[test]
    fn headings() {
        assert_eq!(level1("满意 度指 标"), Some(SATISFACTION));
        assert_eq!(level1("满意度指"), Some(SATISFACTION));
        assert_eq!(level1("产出指标(50分)"), Some(OUTPUT));
        assert_eq!(level1("标"), None);
        assert_eq!(level1("时效指标"), None);
        assert_eq!(
            level2("服务对象", None),
            Some((SATISFACTION, "服务对象满意度指标"))
        );
        assert_eq!(
            level2("服务对象满意度", None),
            Some((SATISFACTION, "服务对象满意度指标"))
        );
        assert_eq!(
            level2("可持 续影 响指 标", None),
            Some((BENEFIT, "可持续影响指标"))
        );
        assert_eq!(level2("时效指标", None), Some((OUTPUT, "时效指标")));
        assert_eq!(level2("社会", None), None);
        assert_eq!(level2("社会", Some(COST)), Some((COST, "社会成本指标")));
        assert_eq!(
            level2("满意度指标", Some(SATISFACTION)),
            Some((SATISFACTION, "服务对象满意度指标"))
        );
        assert_eq!(level2("成本指标", Some(OUTPUT)), Some((OUTPUT, COST)));
    }
}
