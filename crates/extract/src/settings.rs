//! Tunable settings of table finding and work limits of the interpreter.

use crate::budget::Budget;

/// Settings of the table finder (pdfplumber's explicit steps, made tunable). Distances are
/// in PDF points.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSettings {
    /// Parallel segments closer than this are snapped to one line.
    pub snap_tolerance: f64,
    /// Collinear segments with a gap below this are joined into one edge.
    pub join_tolerance: f64,
    /// How far an edge may miss another and still intersect it.
    pub intersection_tolerance: f64,
    /// Edges shorter than this are ignored.
    pub min_edge_length: f64,
    /// A filled rectangle thinner than this is a ruling line, not a shaded area.
    pub max_rule_thickness: f64,
    /// How far above a table's top edge caption lines are looked for.
    pub caption_max_distance: f64,
    /// Join tables that continue on the next page into one logical table.
    pub join_across_pages: bool,
    /// A horizontal gap wider than this fraction of the font size, between Latin or digit
    /// characters, reads as a space.
    pub space_gap_ratio: f64,
}

impl Default for TableSettings {
    fn default() -> Self {
        TableSettings {
            snap_tolerance: 3.0,
            join_tolerance: 3.0,
            intersection_tolerance: 3.0,
            min_edge_length: 3.0,
            max_rule_thickness: 3.0,
            caption_max_distance: 60.0,
            join_across_pages: true,
            space_gap_ratio: 0.2,
        }
    }
}

/// Work limits that bound hostile input: every document finishes in bounded time and memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Maximum bytes any one stream may decompress to; also the most one page may decode in
    /// all for the Form XObjects and images it draws.
    pub max_decompressed_bytes: usize,
    /// Maximum content-stream operators interpreted per page (Form XObjects included).
    pub max_operators_per_page: usize,
    /// Maximum nesting of Form XObjects (and `q` depth is bounded separately).
    pub max_form_depth: usize,
    /// Maximum graphics-state stack depth (`q` without `Q`).
    pub max_state_depth: usize,
    /// Maximum number of pages read.
    pub max_pages: usize,
    /// Maximum glyphs kept per page.
    pub max_glyphs_per_page: usize,
    /// Maximum path segments kept per page.
    pub max_segments_per_page: usize,
    /// The document's memory and time budget (unlimited by default).
    pub budget: Budget,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed_bytes: 256 << 20,
            max_operators_per_page: 2_000_000,
            max_form_depth: 16,
            max_state_depth: 256,
            max_pages: 20_000,
            max_glyphs_per_page: 500_000,
            max_segments_per_page: 500_000,
            budget: Budget::unlimited(),
        }
    }
}

/// Everything that steers one extraction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtractOptions {
    /// Inclusive 1-based page range; `None` for all pages.
    pub pages: Option<(u32, u32)>,
    pub table: TableSettings,
    pub limits: Limits,
}
