//! `jixiao-validate`: report records in, findings out.
//!
//! Input: [`jixiao_normalize::Report`]s. Output: [`jixiao_normalize::Finding`]s — every
//! printed number recomputed with exact decimals under the rounding convention the document
//! follows, each one that does not hold reported with both values.
