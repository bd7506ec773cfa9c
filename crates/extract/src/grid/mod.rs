//! Table finding: ruling segments and glyphs → logical tables, in explicit public steps
//! (pdfplumber's model, made exact), each tuned by [`TableSettings`]:
//!
//! 1. [`edges`]: segments snapped (near-duplicates and double borders become one line) and
//!    joined (collinear pieces); [`close_open_ends`] closes a table part left open at a page
//!    break;
//! 2. [`intersections`]: where horizontal and vertical edges cross or touch;
//! 3. [`cell_rects`]: minimal rectangles whose four sides are drawn — an undrawn inner side
//!    merges slots, which is how row and column spans are recovered;
//! 4. [`group_tables`]: cells sharing corners form one table;
//! 5. [`grid`]: rows and columns from the table's distinct boundaries, spans from the
//!    boundaries each cell covers, every slot covered exactly once (repairs reported);
//! 6. text: each glyph goes to the cell containing its centre, glyphs form [`lines`], lines
//!    are joined by [`cell_text`] (what a line break stands for depends on the page's
//!    [`Spacing`]);
//! 7. captions: the text lines directly above a table ([`page_tables`]);
//! 8. continuation: tables that go on over a page break become one logical table
//!    ([`build_tables`], rules in [`continuation`]).

mod cells;
pub mod continuation;
mod edges;
mod text;

pub use cells::{cell_rects, grid, group_tables};
pub use edges::{close_open_ends, close_open_sides, closed_edges, edges, intersections, Point};
pub use text::{
    cell_padding, cell_text, is_wide, join_lines, line_text, lines, Line, Spacing, TextEnds,
};

use crate::model::{
    Direction, GridCells, Orientation, PageContent, PageProblem, ProblemKind, Rect, Segment, Table,
    TextBox, TextSource, Turn,
};
use crate::settings::TableSettings;

/// Steps 1–5 on one page's segments: the tables' cells without text (for cell-aware OCR).
pub fn find_cells(segments: &[Segment], settings: &TableSettings) -> Vec<GridCells> {
    grids(segments, settings)
        .into_iter()
        .map(|f| f.grid)
        .filter(|g| !g.cells.is_empty())
        .collect()
}

/// One table's grid with what steps 1–5 learnt about it.
struct Found {
    grid: GridCells,
    repairs: Vec<String>,
    /// Per cell: (top side drawn, bottom side drawn) by a real rule.
    drawn: Vec<(bool, bool)>,
}

/// Steps 1–5, keeping each grid's repair messages and which cell sides are really drawn.
fn grids(segments: &[Segment], settings: &TableSettings) -> Vec<Found> {
    let real = edges(segments, settings);
    let mut sided = real.clone();
    sided.extend(close_open_sides(&real, settings));
    let all = closed_edges(&sided, &close_open_ends(&sided, settings), settings);
    let cells = cell_rects(&all, &intersections(&all, settings), settings);
    let rules = edges::Lines::new(
        real.iter()
            .filter(|e| e.orientation == Orientation::Horizontal),
    );
    let tol = settings.intersection_tolerance;
    let drawn = |y: f64, x0: f64, x1: f64| {
        rules
            .in_range(y, y)
            .iter()
            .any(|(_, pieces)| pieces.iter().any(|(s, e)| *s - tol <= x0 && *e + tol >= x1))
    };
    group_tables(&cells)
        .iter()
        .map(|t| {
            let (grid, repairs) = grid(t);
            let drawn = grid
                .cells
                .iter()
                .map(|c| {
                    (
                        drawn(c.bbox.y0, c.bbox.x0, c.bbox.x1),
                        drawn(c.bbox.y1, c.bbox.x0, c.bbox.x1),
                    )
                })
                .collect();
            Found {
                grid,
                repairs,
                drawn,
            }
        })
        .collect()
}

/// One table as found on one page, with its text and caption. Its boxes are in the frame
/// of `turn` (the page turned so that the table's text reads upright; page space for an
/// upright table).
#[derive(Debug, Clone, PartialEq)]
pub struct PageTable {
    /// 1-based page number.
    pub page: u32,
    /// The turn from page space to the frame the table's boxes are given in.
    pub turn: Turn,
    pub grid: GridCells,
    /// The text of each cell of `grid.cells`, in the same order.
    pub texts: Vec<String>,
    /// Lowest OCR confidence of the glyphs of each cell (`None` for a text layer).
    pub confidences: Vec<Option<f32>>,
    /// Where the text of each cell came from (its least direct glyph source).
    pub sources: Vec<TextSource>,
    /// The text lines directly above the table.
    pub caption: Vec<Line>,
    /// Repairs made to the grid (see [`grid`]).
    pub repairs: Vec<String>,
    /// How the page marks spaces (see [`Spacing`]).
    pub spacing: Spacing,
    /// Per cell of `grid.cells`: whether its top and its bottom side are drawn rules (false
    /// where [`close_open_ends`] had to close the table: the cell goes on over a page break).
    pub drawn: Vec<(bool, bool)>,
    /// Per cell of `grid.cells`: what its text shows at its ends.
    pub ends: Vec<TextEnds>,
}

/// Distinct sorted boundaries of a grid: (column x's, row y's).
pub(crate) fn boundaries(g: &GridCells) -> (Vec<f64>, Vec<f64>) {
    let mut xs: Vec<f64> = g
        .cells
        .iter()
        .flat_map(|c| [c.bbox.x0, c.bbox.x1])
        .collect();
    let mut ys: Vec<f64> = g
        .cells
        .iter()
        .flat_map(|c| [c.bbox.y0, c.bbox.y1])
        .collect();
    for v in [&mut xs, &mut ys] {
        v.sort_by(f64::total_cmp);
        v.dedup();
    }
    (xs, ys)
}

/// Steps 1–7 on one page: its tables with cell text and captions, each read in the frame in
/// which its text is upright (see [`PageTable::turn`]): the upright tables first, then the
/// tables of each other [`Direction`] in turn, each group top-down, then left-right.
///
/// A table's direction is the one most of its glyphs run in (upright when it has none); a
/// page holding text in several directions is read once per direction, turned, keeping the
/// tables of that direction. In a cell whose text runs another way than its table, the text
/// is read turned so that it is upright.
///
/// A caption is made of the upright glyphs outside every cell whose centre lies
/// horizontally within the table and vertically between the table's top edge and
/// `caption_max_distance` above it (but below any table above that overlaps it
/// horizontally), grouped into [`lines`].
/// A degenerate group of boxes (see [`grid`]) comes back with no cells and its message.
pub fn page_tables(page: &PageContent, settings: &TableSettings) -> Vec<PageTable> {
    let upright = Turn::none(page.width, page.height);
    let tables = frame_tables(page, upright, settings);
    if page.text.iter().all(|t| t.direction.is_upright()) {
        return tables.into_iter().map(|(t, _)| t).collect();
    }
    let mut out: Vec<PageTable> = tables
        .into_iter()
        .filter(|(_, d)| d.is_none_or(|d| d.is_upright()))
        .map(|(t, _)| t)
        .collect();
    for direction in Direction::ALL.into_iter().skip(1) {
        if !page.text.iter().any(|t| t.direction == direction) {
            continue;
        }
        let turn = Turn {
            direction,
            ..upright
        };
        out.extend(
            frame_tables(&turn_page(page, &turn), turn, settings)
                .into_iter()
                .filter(|(_, d)| d.is_some_and(|d| d.is_upright()))
                .map(|(t, _)| t),
        );
    }
    out
}

/// `page` seen in the frame of `turn` (text, segments and size; images are left out).
pub fn turn_page(page: &PageContent, turn: &Turn) -> PageContent {
    let (width, height) = turn.frame_size();
    PageContent {
        number: page.number,
        width,
        height,
        text: page.text.iter().map(|t| turn.text_box(t)).collect(),
        segments: page.segments.iter().map(|s| turn.segment(s)).collect(),
        images: Vec::new(),
        problems: Vec::new(),
    }
}

/// The direction most of `glyphs` run in (the first of [`Direction::ALL`] on a tie), `None`
/// when there are none.
pub fn main_direction<'a>(glyphs: impl IntoIterator<Item = &'a TextBox>) -> Option<Direction> {
    let mut counts = [0usize; 4];
    for g in glyphs {
        counts[g.direction as usize] += 1;
    }
    let best = (0..4).rev().max_by_key(|&i| counts[i])?;
    (counts[best] > 0).then(|| Direction::ALL[best])
}

/// The lines of a cell from its glyphs, read in the direction most of them run in, with
/// the cell's box in that reading frame.
fn read_cell(glyphs: &[&TextBox], cell: &Rect, settings: &TableSettings) -> (Vec<Line>, Rect) {
    match main_direction(glyphs.iter().copied()) {
        Some(direction) if !direction.is_upright() => {
            // Turning about the origin keeps every distance, which is all reading needs.
            let turn = Turn {
                direction,
                width: 0.0,
                height: 0.0,
            };
            let turned: Vec<TextBox> = glyphs.iter().map(|g| turn.text_box(g)).collect();
            let refs: Vec<&TextBox> = turned.iter().collect();
            (lines(&refs, settings), turn.rect(cell))
        }
        _ => (lines(glyphs, settings), *cell),
    }
}

/// Steps 1–7 on a page already turned by `turn`: its tables, each with the direction most of
/// its glyphs run in (relative to the frame; `None` when it has no glyph).
fn frame_tables(
    page: &PageContent,
    turn: Turn,
    settings: &TableSettings,
) -> Vec<(PageTable, Option<Direction>)> {
    let found = grids(&page.segments, settings);
    // Slot → cell index maps for assigning glyphs.
    let maps: Vec<(Vec<f64>, Vec<f64>, Vec<usize>)> = found
        .iter()
        .map(|Found { grid: g, .. }| {
            let (xs, ys) = boundaries(g);
            let mut owner = vec![0; g.n_rows * g.n_cols];
            for (i, c) in g.cells.iter().enumerate() {
                for r in c.row..c.row + c.rowspan {
                    owner[r * g.n_cols + c.col..r * g.n_cols + c.col + c.colspan].fill(i);
                }
            }
            (xs, ys, owner)
        })
        .collect();
    let mut in_cells: Vec<Vec<Vec<&TextBox>>> = found
        .iter()
        .map(|f| vec![Vec::new(); f.grid.cells.len()])
        .collect();
    let mut free: Vec<&TextBox> = Vec::new();
    for (t, table) in page.text.iter().zip(table_of_glyphs(&found, &page.text)) {
        let Some(k) = table else {
            free.push(t);
            continue;
        };
        let (g, (xs, ys, owner)) = (&found[k].grid, &maps[k]);
        let (cx, cy) = t.bbox.center();
        let col = xs.partition_point(|x| *x <= cx).saturating_sub(1);
        let row = ys.partition_point(|y| *y <= cy).saturating_sub(1);
        in_cells[k][owner[row * g.n_cols + col]].push(t);
    }
    free.retain(|t| t.direction.is_upright());
    free.sort_by(|a, b| a.bbox.center().1.total_cmp(&b.bbox.center().1));
    let bboxes: Vec<Rect> = found.iter().map(|f| f.grid.bbox).collect();
    let spacing = Spacing::of(&page.text);
    found
        .into_iter()
        .zip(in_cells)
        .enumerate()
        .map(
            |(
                k,
                (
                    Found {
                        grid,
                        repairs,
                        drawn,
                    },
                    glyphs,
                ),
            )| {
                let read: Vec<(Vec<Line>, Rect)> = glyphs
                    .iter()
                    .zip(&grid.cells)
                    .map(|(gs, c)| read_cell(gs, &c.bbox, settings))
                    .collect();
                let padding = cell_padding(&read);
                let spacing = spacing.of_table(glyphs.iter().flatten().copied());
                let texts = read
                    .iter()
                    .map(|(lines, cell)| cell_text(lines, cell, spacing, padding))
                    .collect();
                let ends = read
                    .iter()
                    .map(|(lines, cell)| TextEnds::of(lines, cell, padding))
                    .collect();
                let confidences = glyphs
                    .iter()
                    .map(|gs| {
                        gs.iter()
                            .filter_map(|t| t.confidence)
                            .min_by(f32::total_cmp)
                    })
                    .collect();
                let sources = glyphs
                    .iter()
                    .map(|gs| gs.iter().map(|t| t.source).max().unwrap_or_default())
                    .collect();
                let caption = caption_lines(&bboxes, k, &free, settings);
                let direction = main_direction(glyphs.iter().flatten().copied());
                let table = PageTable {
                    page: page.number,
                    turn,
                    grid,
                    texts,
                    confidences,
                    sources,
                    caption,
                    repairs,
                    drawn,
                    ends,
                    spacing,
                };
                (table, direction)
            },
        )
        .collect()
}

/// For each glyph, the table of `found` whose box contains the glyph's centre (the smallest
/// when boxes nest). A sweep down the page keeps only the tables crossing the glyph's height,
/// so the work is the glyphs times the tables side by side, not times all tables.
fn table_of_glyphs(found: &[Found], text: &[TextBox]) -> Vec<Option<usize>> {
    let bbox = |k: usize| &found[k].grid.bbox;
    let mut order: Vec<usize> = (0..text.len()).collect();
    order.sort_by(|&a, &b| text[a].bbox.center().1.total_cmp(&text[b].bbox.center().1));
    let mut tables: Vec<usize> = (0..found.len())
        .filter(|&k| !found[k].grid.cells.is_empty())
        .collect();
    tables.sort_by(|&a, &b| bbox(a).y0.total_cmp(&bbox(b).y0));
    let (mut next, mut active, mut out) = (0, Vec::new(), vec![None; text.len()]);
    for i in order {
        let (cx, cy) = text[i].bbox.center();
        while next < tables.len() && bbox(tables[next]).y0 < cy {
            active.push(tables[next]);
            next += 1;
        }
        active.retain(|&k| bbox(k).y1 > cy);
        out[i] = active
            .iter()
            .copied()
            .filter(|&k| cx > bbox(k).x0 && cx < bbox(k).x1 && cy > bbox(k).y0)
            .min_by(|&a, &b| {
                (bbox(a).width() * bbox(a).height())
                    .total_cmp(&(bbox(b).width() * bbox(b).height()))
            });
    }
    out
}

/// The caption lines of table `k` among the page's tables (see [`page_tables`]); `free` are
/// the glyphs outside every cell, sorted by vertical centre.
fn caption_lines(
    tables: &[Rect],
    k: usize,
    free: &[&TextBox],
    settings: &TableSettings,
) -> Vec<Line> {
    let b = tables[k];
    let above = tables
        .iter()
        .filter(|o| o.y1 <= b.y0 && o.x0 < b.x1 && b.x0 < o.x1)
        .map(|o| o.y1)
        .fold(b.y0 - settings.caption_max_distance, f64::max);
    let first = free.partition_point(|t| t.bbox.center().1 <= above);
    let glyphs: Vec<&TextBox> = free[first..]
        .iter()
        .take_while(|t| t.bbox.center().1 < b.y0)
        .copied()
        .filter(|t| {
            let cx = t.bbox.center().0;
            cx > b.x0 && cx < b.x1
        })
        .collect();
    let mut out = lines(&glyphs, settings);
    for l in &mut out {
        l.text = l.text.trim().to_string();
    }
    out.retain(|l| !l.text.is_empty());
    out
}

/// Everything [`build_tables`] found, with the problems met on the way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableBuild {
    pub tables: Vec<Table>,
    /// Grid repairs and continuation decisions worth a user's attention, by page.
    pub warnings: Vec<PageProblem>,
}

/// All steps on a document's pages (in page order): its logical tables.
pub fn build_tables(pages: &[PageContent], settings: &TableSettings) -> Vec<Table> {
    build_tables_with_warnings(pages, settings).tables
}

/// [`build_tables`], also returning the grid repairs made on each page.
pub fn build_tables_with_warnings(pages: &[PageContent], settings: &TableSettings) -> TableBuild {
    let mut assembler = TableAssembler::new(settings);
    for page in pages {
        assembler.add_page(page);
    }
    assembler.finish()
}

/// [`build_tables_with_warnings`] one page at a time, so that a long document's pages need
/// not be held all at once: only their tables are.
pub struct TableAssembler<'a> {
    settings: &'a TableSettings,
    parts: Vec<PageTable>,
    warnings: Vec<PageProblem>,
}

impl<'a> TableAssembler<'a> {
    pub fn new(settings: &'a TableSettings) -> Self {
        TableAssembler {
            settings,
            parts: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Finds the tables of the next page (pages come in order); returns about how much
    /// memory what it keeps of them takes.
    pub fn add_page(&mut self, page: &PageContent) -> usize {
        let mut kept = 0;
        for t in page_tables(page, self.settings) {
            self.warnings.extend(
                t.repairs
                    .iter()
                    .map(|m| PageProblem::note(t.page, ProblemKind::Grid, m.clone())),
            );
            if !t.grid.cells.is_empty() {
                kept += part_size(&t);
                self.parts.push(t);
            }
        }
        kept
    }

    /// The document's logical tables, with the warnings of every page.
    pub fn finish(self) -> TableBuild {
        TableBuild {
            tables: continuation::assemble(self.parts, self.settings),
            warnings: self.warnings,
        }
    }
}

/// About how much memory a page table takes (twice: it becomes a logical table's cells).
fn part_size(t: &PageTable) -> usize {
    let per_cell = std::mem::size_of::<crate::model::CellBox>()
        + std::mem::size_of::<String>()
        + std::mem::size_of::<(bool, bool)>()
        + std::mem::size_of::<TextEnds>()
        + std::mem::size_of::<Option<f32>>();
    let text: usize = t.texts.iter().map(String::len).sum();
    let caption: usize = t.caption.iter().map(|l| l.text.len() + 64).sum();
    2 * (t.grid.cells.len() * per_cell + text + caption)
}
