//! `jixiao-normalize`: logical tables in, typed report records out.
//!
//! Input: the [`jixiao_extract::Table`]s of one document. Output: a [`ParseOutput`] — one
//! [`Report`] per 财政项目支出绩效自评表 recognised by its labels, with numbers as normalised
//! decimal strings, canonical funding-row names and the canonical 一级/二级 indicator
//! hierarchy, plus the count of tables that are not reports. What could not be read becomes
//! a [`Finding`] on the record; a partly readable report is still emitted.

pub mod record;

pub use record::*;
