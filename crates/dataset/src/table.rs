//! The table model: every table of a dataset defined once, with typed columns, and the values
//! of a row. Every writer ([`crate::TableWriter`]) works from these definitions only.

use rust_decimal::Decimal;

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Free text (names, codes, printed targets); never a number, never a formula.
    Text,
    /// A whole number (counts, positions, years).
    Integer,
    /// An exact decimal that keeps its printed scale ("20.00"): money, rates, weights, scores.
    Decimal,
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The column's name in CSV headers and SQL (ASCII, snake_case).
    pub name: &'static str,
    /// The column's label for Chinese-speaking readers (`--labels zh`).
    pub label_zh: &'static str,
    pub ty: ColumnType,
}

/// Suffix of the text column that the xlsx and Parquet writers put beside a decimal column for
/// its printed string (`annual_budget_printed`).
pub const PRINTED_SUFFIX: &str = "_printed";

impl Column {
    /// The name of the text column beside this decimal column that keeps its printed string.
    pub fn printed_name(&self) -> String {
        format!("{}{PRINTED_SUFFIX}", self.name)
    }
}

/// One table of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    /// The table's name: its CSV file stem, SQL table and spreadsheet sheet.
    pub name: &'static str,
    pub columns: &'static [Column],
    pub primary_key: &'static [&'static str],
    /// (column, referenced table, referenced column).
    pub foreign_key: Option<(&'static str, &'static str, &'static str)>,
    /// Each index as its list of columns.
    pub indexes: &'static [&'static [&'static str]],
}

/// The tables of a dataset; rows of every table are written through [`crate::TableWriter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// One row per input file (the manifest as a table).
    Files,
    /// One row per report.
    Reports,
    /// One row per row of a report's funding block.
    Funding,
    /// One row per indicator.
    Indicators,
    /// One row per finding of the validator.
    Findings,
}

impl Table {
    /// Every table, in the order writers create them.
    pub const ALL: [Table; 5] = [
        Table::Files,
        Table::Reports,
        Table::Funding,
        Table::Indicators,
        Table::Findings,
    ];

    /// The table's definition.
    pub fn def(self) -> &'static TableDef {
        &TABLES[self as usize]
    }
}

const fn col(name: &'static str, label_zh: &'static str, ty: ColumnType) -> Column {
    Column { name, label_zh, ty }
}

use ColumnType::{Decimal as D, Integer as I, Text as T};

/// The definitions, indexed by [`Table`].
const TABLES: [TableDef; 5] = [
    TableDef {
        name: "files",
        columns: &[
            col("file", "文件", T),
            col("sha256", "SHA-256", T),
            col("bytes", "字节数", I),
            col("status", "状态", T),
            col("pages", "页数", I),
            col("reports", "报告数", I),
            col("duplicate_of", "重复于", T),
            col("error", "错误", T),
            col("pages_unread", "未读页数", I),
            col("tables_skipped", "跳过表格数", I),
            col("repairs", "修复", T),
        ],
        primary_key: &["file"],
        foreign_key: None,
        indexes: &[&["sha256"], &["status"]],
    },
    TableDef {
        name: "reports",
        columns: &[
            col("report_id", "报告编号", T),
            col("file", "文件", T),
            col("sha256", "SHA-256", T),
            col("table_index", "表序号", I),
            col("pages", "页码", T),
            col("title", "标题", T),
            col("year", "年度", I),
            col("project_name", "项目名称", T),
            col("department", "主管部门", T),
            col("implementing_unit", "实施单位", T),
            col("initial_budget", "年初预算数", D),
            col("annual_budget", "全年预算数", D),
            col("executed", "全年执行数", D),
            col("budget_weight", "预算执行分值", D),
            col("execution_rate", "执行率", D),
            col("budget_score", "预算执行得分", D),
            col("goal_expected", "预期目标", T),
            col("goal_actual", "实际完成情况", T),
            col("indicators", "指标数", I),
            col("total_weight", "总分值", D),
            col("total_score", "总分", D),
            col("grade", "评分等级", T),
            col("errors", "错误数", I),
            col("warnings", "警告数", I),
            col("infos", "提示数", I),
        ],
        primary_key: &["report_id"],
        foreign_key: Some(("file", "files", "file")),
        indexes: &[&["file"], &["year"], &["department"]],
    },
    TableDef {
        name: "funding",
        columns: &[
            col("report_id", "报告编号", T),
            col("position", "序号", I),
            col("row", "资金项目", T),
            col("initial_budget", "年初预算数", D),
            col("annual_budget", "全年预算数", D),
            col("executed", "全年执行数", D),
            col("weight", "分值", D),
            col("execution_rate", "执行率", D),
            col("score", "得分", D),
        ],
        primary_key: &["report_id", "position"],
        foreign_key: Some(("report_id", "reports", "report_id")),
        indexes: &[&["row"]],
    },
    TableDef {
        name: "indicators",
        columns: &[
            col("report_id", "报告编号", T),
            col("position", "序号", I),
            col("level1", "一级指标", T),
            col("level2", "二级指标", T),
            col("name", "三级指标", T),
            col("target", "年度指标值", T),
            col("actual", "实际完成值", T),
            col("weight", "分值", D),
            col("score", "得分", D),
            col("deviation_reason", "偏差原因分析及改进措施", T),
            col("target_kind", "指标值类型", T),
            col("target_op", "指标值比较", T),
            col("target_value", "指标值数值", D),
            col("target_low", "指标值下限", D),
            col("target_high", "指标值上限", D),
            col("target_unit", "指标值单位", T),
            col("target_note", "指标值备注", T),
            col("actual_kind", "完成值类型", T),
            col("actual_op", "完成值比较", T),
            col("actual_value", "完成值数值", D),
            col("actual_low", "完成值下限", D),
            col("actual_high", "完成值上限", D),
            col("actual_unit", "完成值单位", T),
            col("actual_note", "完成值备注", T),
        ],
        primary_key: &["report_id", "position"],
        foreign_key: Some(("report_id", "reports", "report_id")),
        indexes: &[&["level1", "level2"]],
    },
    TableDef {
        name: "findings",
        columns: &[
            col("report_id", "报告编号", T),
            col("position", "序号", I),
            col("code", "代码", T),
            col("severity", "严重程度", T),
            col("field", "字段", T),
            col("printed", "印刷值", T),
            col("recomputed", "重算值", T),
            col("message", "说明", T),
        ],
        primary_key: &["report_id", "position"],
        foreign_key: Some(("report_id", "reports", "report_id")),
        indexes: &[&["code"], &["severity"]],
    },
];

/// One field of a row, typed like its column ([`Value::Null`] fits every column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
    Decimal(Decimal),
}

impl Value {
    /// The field as written in CSV: empty for null, decimals with their printed scale.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Text(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Decimal(d) => d.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_indexed_by_their_enum() {
        let names: Vec<&str> = Table::ALL.iter().map(|t| t.def().name).collect();
        assert_eq!(
            names,
            ["files", "reports", "funding", "indicators", "findings"]
        );
    }

    #[test]
    fn keys_and_indexes_name_existing_columns() {
        for t in Table::ALL.map(Table::def) {
            let has = |c: &str| t.columns.iter().any(|col| col.name == c);
            for c in t
                .primary_key
                .iter()
                .chain(t.indexes.iter().copied().flatten())
            {
                assert!(has(c), "{}.{c}", t.name);
            }
            if let Some((c, table, refcol)) = t.foreign_key {
                assert!(has(c), "{}.{c}", t.name);
                let target = Table::ALL.map(Table::def);
                let target = target.iter().find(|d| d.name == table).unwrap();
                assert!(target.columns.iter().any(|col| col.name == refcol));
            }
        }
    }
}
