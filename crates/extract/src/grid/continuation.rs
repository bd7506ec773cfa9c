//! Step 8: tables continued over a page break become one logical table.
//!
//! **When a part continues the previous table.** The part is the first table on its page,
//! has no caption (nothing but page furniture above it), the previous part is the last
//! table on the page before, and both have the same column boundaries: the same outer
//! boundaries and every boundary of one found in the other (within `snap_tolerance`, after
//! shifting the part by its outer boundaries' common offset: see [`same_columns`]; one part
//! may lack a boundary that its merged cells hide). The logical table's columns are
//! the union of the parts' boundaries; the continuation's rows follow the previous rows
//! (no header is repeated in the inputs jixiao reads, so none is removed).
//!
//! **Cells at the break.** Let A be the cells of the previous part that reach its bottom
//! edge and B the cells of the continuation that start at its top edge; a *pair* is an A and
//! a B with the same columns. Which pairs are one cell cut in two is read from the drawing
//! when the producer shows it, else from the text:
//! - *Drawn*: when some A has no drawn bottom rule or some B no drawn top rule (the part was
//!   closed by [`super::close_open_ends`]; Chromium draws a rule at a page break only under
//!   the cells that end there), a pair is one cell exactly when its A has no bottom rule. The
//!   break cuts a row when no A has a bottom rule (no cell ends at the break) and every A
//!   and every B is in a pair.
//! - *Text* (every side drawn, as LibreOffice does): a *key column* is one whose other
//!   cells (those with exactly its columns, in both parts; at least one) all have text and
//!   all span one row — the 三级指标, value and score columns of an indicator table and the
//!   goal columns, but not 偏差原因 (mostly blank) nor 一级/二级 (merged cells). A new row has
//!   text in its key columns; so the break cuts a row when the last row of the previous part
//!   and the first row of the continuation have the same cells (every A pairs with a B) and
//!   some pair of single-row cells in a key column has text on one side only (a short text
//!   printed on one page, the rest of the row's long text on the other), or when some pair
//!   has text on both sides and in every such pair the text could flow on: the last line of
//!   A leaves less room than the first unbreakable piece of B (see [`TextEnds`]; a text
//!   that went on would have put that piece on A's last line had it fitted). Otherwise the
//!   rows
//!   are distinct, and merged cells running over the break are the pairs from the left whose
//!   B is blank and whose A has text, up to the first B with text (一级/二级 cells whose name
//!   was printed on the first page; a new row starts with its own name).
//!
//! Before pairing, what a producer draws around a break but is no row is taken away: blank
//! filler rows between the last drawn row and the page edge, crossed by merged cells that
//! run on (those cells then count as open at the bottom), and, on the next page, the
//! boundary between a continued cell's part and the blank box drawn under it.
//!
//! A cut row becomes one row (every pair one cell, texts joined like wrapped lines:
//! "满意度指" + "标" → "满意度指标"); a merged cell over a break between rows becomes one
//! cell spanning the rows of both parts.

use super::{boundaries, join_lines, PageTable, TextEnds};
use crate::model::{Cell, Rect, Table, TextSource};
use crate::settings::TableSettings;

/// A cell of a logical table under construction: rows are final, columns are kept as
/// x-coordinates until the union of the parts' boundaries is known.
#[derive(Debug, Clone)]
struct Pending {
    row: usize,
    rowspan: usize,
    x0: f64,
    x1: f64,
    text: String,
    page: u32,
    /// The cell's box in page space (`x0`/`x1` are in the table's frame).
    bbox: Rect,
    confidence: Option<f32>,
    source: TextSource,
    /// Whether the cell's top and bottom sides are drawn rules.
    drawn: (bool, bool),
    /// What its text shows at its ends.
    ends: TextEnds,
}

/// A logical table under construction.
#[derive(Debug)]
struct Logical {
    pages: Vec<u32>,
    caption: Vec<String>,
    xs: Vec<f64>,
    n_rows: usize,
    cells: Vec<Pending>,
}

impl Logical {
    fn start(part: PageTable) -> Logical {
        let (xs, _) = boundaries(&part.grid);
        let n_rows = part.grid.n_rows;
        Logical {
            pages: vec![part.page],
            caption: part.caption.iter().map(|l| l.text.clone()).collect(),
            xs,
            n_rows,
            cells: pending(&part, 0),
        }
    }

    /// Appends a continuation part whose merged column boundaries are `xs`, the part being
    /// `shift` to the right of the table's frame.
    fn append(&mut self, part: PageTable, xs: Vec<f64>, shift: f64) {
        self.xs = xs;
        self.drop_filler_rows();
        let col = |x: f64| nearest(&self.xs, x);
        let same_cols = |a: &Pending, b: &Pending| col(a.x0) == col(b.x0) && col(a.x1) == col(b.x1);
        let offset = self.n_rows;
        let mut next = pending(&part, offset);
        for c in &mut next {
            c.x0 -= shift;
            c.x1 -= shift;
        }
        let bottom: Vec<usize> = (0..self.cells.len())
            .filter(|&i| self.cells[i].row + self.cells[i].rowspan == offset)
            .collect();
        let fragments: Vec<bool> = next
            .iter()
            .map(|b| {
                b.row == offset
                    && bottom
                        .iter()
                        .any(|&i| !self.cells[i].drawn.1 && same_cols(&self.cells[i], b))
            })
            .collect();
        let part_rows = part.grid.n_rows - absorb_fillers(&mut next, fragments, same_cols);
        let top: Vec<usize> = (0..next.len()).filter(|&j| next[j].row == offset).collect();
        let pairs: Vec<(usize, usize)> = bottom
            .iter()
            .filter_map(|&i| {
                top.iter()
                    .find(|&&j| same_cols(&self.cells[i], &next[j]))
                    .map(|&j| (i, j))
            })
            .collect();
        let drawn_mode =
            bottom.iter().any(|&i| !self.cells[i].drawn.1) || top.iter().any(|&j| !next[j].drawn.0);
        let (cut, merged): (bool, Vec<(usize, usize)>) = if drawn_mode {
            let merged: Vec<(usize, usize)> = pairs
                .iter()
                .copied()
                .filter(|&(i, _)| !self.cells[i].drawn.1)
                .collect();
            (
                merged.len() == bottom.len() && pairs.len() == top.len(),
                merged,
            )
        } else {
            let key_column = |i: usize, j: usize| {
                let mut others = self
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|&(k, c)| k != i && same_cols(c, &self.cells[i]))
                    .map(|(_, c)| c)
                    .chain(
                        next.iter()
                            .enumerate()
                            .filter(|&(k, c)| k != j && same_cols(c, &next[j]))
                            .map(|(_, c)| c),
                    )
                    .peekable();
                others.peek().is_some() && others.all(|c| !c.text.is_empty() && c.rowspan == 1)
            };
            let both = |&(i, j): &(usize, usize)| {
                !self.cells[i].text.is_empty() && !next[j].text.is_empty()
            };
            let cut = pairs.len() == bottom.len()
                && pairs.len() == top.len()
                && (pairs.iter().any(|&(i, j)| {
                    let (a, b) = (&self.cells[i], &next[j]);
                    a.row + 1 == offset
                        && a.rowspan == 1
                        && b.rowspan == 1
                        && a.text.is_empty() != b.text.is_empty()
                        && key_column(i, j)
                }) || (pairs.iter().any(both)
                    && pairs
                        .iter()
                        .filter(|p| both(p))
                        .all(|&(i, j)| self.cells[i].ends.flows_into(&next[j].ends))));
            if cut {
                (true, pairs)
            } else {
                let mut by_col = pairs;
                by_col.sort_by(|&(i, _), &(k, _)| self.cells[i].x0.total_cmp(&self.cells[k].x0));
                let merged = by_col
                    .into_iter()
                    .take_while(|&(_, j)| next[j].text.is_empty())
                    .filter(|&(i, _)| !self.cells[i].text.is_empty())
                    .collect();
                (false, merged)
            }
        };
        // Rows of the continuation move up by one when the break cut a row.
        let shift = usize::from(cut);
        for &(i, j) in &merged {
            let b = &next[j];
            let a = &mut self.cells[i];
            a.rowspan += b.rowspan - shift;
            a.text = join_lines([a.text.as_str(), b.text.as_str()], part.spacing);
            a.confidence = min_conf(a.confidence, b.confidence);
            a.source = a.source.max(b.source);
            a.drawn.1 = b.drawn.1;
            a.ends.room = b.ends.room;
            a.ends.font_size = b.ends.font_size;
        }
        let taken: Vec<usize> = merged.iter().map(|&(_, j)| j).collect();
        self.cells.extend(
            next.into_iter()
                .enumerate()
                .filter(|(j, _)| !taken.contains(j))
                .map(|(_, mut c)| {
                    c.row -= shift;
                    c
                }),
        );
        self.n_rows += part_rows - shift;
        self.pages.push(part.page);
    }

    /// Drops the last rows that are filler between the last drawn row and the page edge: a
    /// row whose own cells are all blank and open at the bottom (closed only by
    /// [`super::close_open_ends`]), below cells that all end on a drawn rule, and crossed by
    /// merged cells that run on over the break (Chromium draws those down to the page edge,
    /// with a rule there). The crossing cells are marked open at the bottom: they continue.
    fn drop_filler_rows(&mut self) {
        while self.n_rows > 1 {
            let last = self.n_rows - 1;
            let ends = |c: &Pending| c.row + c.rowspan;
            let starting = || self.cells.iter().filter(|c| c.row == last);
            let mut closed_above = self.cells.iter().filter(|c| ends(c) == last).peekable();
            let crossed = self.cells.iter().any(|c| c.row < last && ends(c) > last);
            let filler = crossed
                && closed_above.peek().is_some()
                && closed_above.all(|c| c.drawn.1)
                && starting().next().is_some()
                && starting().all(|c| c.text.is_empty() && !c.drawn.1);
            if !filler {
                return;
            }
            self.cells.retain(|c| c.row != last);
            // The crossing cells run on over the break: the rule at their bottom is the
            // page edge, not the end of the cell.
            for c in self.cells.iter_mut().filter(|c| ends(c) > last) {
                c.rowspan -= 1;
                c.drawn.1 = false;
            }
            self.n_rows -= 1;
        }
    }

    fn finish(self) -> Table {
        let n_cols = self.xs.len().saturating_sub(1);
        let mut cells: Vec<Cell> = self
            .cells
            .into_iter()
            .map(|p| {
                let col = nearest(&self.xs, p.x0);
                Cell {
                    row: p.row,
                    col,
                    rowspan: p.rowspan,
                    colspan: nearest(&self.xs, p.x1).saturating_sub(col),
                    text: p.text,
                    page: p.page,
                    bbox: p.bbox,
                    confidence: p.confidence,
                    text_source: p.source,
                }
            })
            .collect();
        cells.sort_by_key(|c| (c.row, c.col));
        Table {
            pages: self.pages,
            caption: self.caption,
            n_rows: self.n_rows,
            n_cols,
            cells,
        }
    }
}

/// Joins the continued cells' parts at the top of a continuation (`fragments`) with the
/// blank cells drawn right below them in the same columns, where nothing else starts or ends
/// at the fragment's bottom: Chromium draws a continued merged cell's part with a height of
/// its own, not the rows', and the blank box under it is no cell. Each such boundary removed
/// is a row fewer; returns how many.
fn absorb_fillers(
    cells: &mut Vec<Pending>,
    mut fragments: Vec<bool>,
    same_cols: impl Fn(&Pending, &Pending) -> bool,
) -> usize {
    let mut removed = 0;
    loop {
        let phantom = (0..cells.len()).filter(|&f| fragments[f]).find_map(|f| {
            let boundary = cells[f].row + cells[f].rowspan;
            let ending: Vec<usize> = (0..cells.len())
                .filter(|&k| cells[k].row + cells[k].rowspan == boundary)
                .collect();
            let starting: Vec<usize> = (0..cells.len())
                .filter(|&k| cells[k].row == boundary)
                .collect();
            let joins: Option<Vec<(usize, usize)>> = ending
                .iter()
                .map(|&e| {
                    let s = starting
                        .iter()
                        .find(|&&s| cells[s].text.is_empty() && same_cols(&cells[e], &cells[s]))?;
                    fragments[e].then_some((e, *s))
                })
                .collect();
            joins
                .filter(|j| j.len() == starting.len())
                .map(|j| (boundary, j))
        });
        let Some((boundary, joins)) = phantom else {
            return removed;
        };
        for &(e, s) in &joins {
            let filler = cells[s].clone();
            let fragment = &mut cells[e];
            fragment.rowspan += filler.rowspan;
            fragment.drawn.1 = filler.drawn.1;
            fragment.bbox = fragment.bbox.union(&filler.bbox);
        }
        let mut fillers: Vec<usize> = joins.iter().map(|&(_, s)| s).collect();
        fillers.sort_unstable_by(|a, b| b.cmp(a));
        for s in fillers {
            cells.remove(s);
            fragments.remove(s);
        }
        for c in cells.iter_mut() {
            if c.row >= boundary {
                c.row -= 1;
            } else if c.row + c.rowspan > boundary {
                c.rowspan -= 1;
            }
        }
        removed += 1;
    }
}

fn min_conf(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The cells of a part with rows shifted down by `offset`.
fn pending(part: &PageTable, offset: usize) -> Vec<Pending> {
    part.grid
        .cells
        .iter()
        .zip(&part.texts)
        .zip(&part.confidences)
        .zip(&part.sources)
        .zip(&part.drawn)
        .zip(&part.ends)
        .map(
            |(((((c, text), confidence), source), drawn), ends)| Pending {
                row: c.row + offset,
                rowspan: c.rowspan,
                x0: c.bbox.x0,
                x1: c.bbox.x1,
                text: text.clone(),
                page: part.page,
                bbox: part.turn.rect_back(&c.bbox),
                confidence: *confidence,
                source: *source,
                drawn: *drawn,
                ends: *ends,
            },
        )
        .collect()
}

/// Index of the boundary nearest to `x`.
fn nearest(xs: &[f64], x: f64) -> usize {
    (0..xs.len())
        .min_by(|&a, &b| (xs[a] - x).abs().total_cmp(&(xs[b] - x).abs()))
        .unwrap_or(0)
}

/// The union of two boundary lists when they describe the same columns (see the module
/// documentation), in `a`'s frame, with the shift of `b` against `a`; else `None`.
///
/// A part may sit elsewhere across its page than the part before it: a sheet is never
/// scanned twice at the same place on the glass, and ReportLab centres the parts of a table it
/// splits whatever the first part's alignment. So when both outer boundaries of `b` are off
/// by about the same amount (more than `tol`), `b` is compared shifted back by that amount.
pub fn same_columns(a: &[f64], b: &[f64], tol: f64) -> Option<(Vec<f64>, f64)> {
    let close = |x: f64, y: f64| (x - y).abs() <= tol;
    let (first_a, first_b, last_a, last_b) = (a.first()?, b.first()?, a.last()?, b.last()?);
    let offset = ((first_b - first_a) + (last_b - last_a)) / 2.0;
    let shift = if offset.abs() > tol { offset } else { 0.0 };
    let b: Vec<f64> = b.iter().map(|x| x - shift).collect();
    let (first_b, last_b) = (b.first()?, b.last()?);
    if !close(*first_a, *first_b) || !close(*last_a, *last_b) {
        return None;
    }
    let covered =
        |small: &[f64], big: &[f64]| small.iter().all(|x| big.iter().any(|y| close(*x, *y)));
    if !covered(a, &b) && !covered(&b, a) {
        return None;
    }
    let mut union = a.to_vec();
    union.extend(b.iter().filter(|x| !a.iter().any(|y| close(**x, *y))));
    union.sort_by(f64::total_cmp);
    Some((union, shift))
}

/// Assembles page tables (in page order) into logical tables.
pub(crate) fn assemble(parts: Vec<PageTable>, settings: &TableSettings) -> Vec<Table> {
    let tol = settings.snap_tolerance;
    let mut out: Vec<Logical> = Vec::new();
    let mut prev_page: Option<u32> = None;
    for part in parts {
        let first_on_page = prev_page != Some(part.page);
        let follows = prev_page.is_some_and(|p| p + 1 == part.page);
        prev_page = Some(part.page);
        let (xs, _) = boundaries(&part.grid);
        let joined = match out.last() {
            Some(l)
                if settings.join_across_pages
                    && first_on_page
                    && follows
                    && part.caption.is_empty() =>
            {
                same_columns(&l.xs, &xs, tol)
            }
            _ => None,
        };
        match (joined, out.last_mut()) {
            (Some((union, shift)), Some(l)) => l.append(part, union, shift),
            _ => out.push(Logical::start(part)),
        }
    }
    out.into_iter().map(Logical::finish).collect()
}

#[cfg(test)]
mod tests {
    use super::same_columns;

    const COLUMNS: [f64; 6] = [42.5, 93.5, 150.3, 246.7, 311.8, 552.8];

    #[test]
    fn a_part_scanned_off_by_a_few_points_has_the_same_columns() {
        let shifted: Vec<f64> = COLUMNS.iter().map(|x| x + 3.4).collect();
        let (union, shift) = same_columns(&COLUMNS, &shifted, 3.0).expect("same columns");
        assert!((shift - 3.4).abs() < 1e-9);
        assert_eq!(union, COLUMNS.to_vec());
        // Within the tolerance nothing is shifted (born-digital parts stay as they were).
        let (_, shift) = same_columns(&COLUMNS, &COLUMNS.map(|x| x + 1.0), 3.0).unwrap();
        assert_eq!(shift, 0.0);
    }

    #[test]
    fn a_part_placed_elsewhere_across_the_page_has_the_same_columns() {
        // ReportLab centres the parts after a split of a left-aligned table.
        let far: Vec<f64> = COLUMNS.iter().map(|x| x + 63.5).collect();
        let (union, shift) = same_columns(&COLUMNS, &far, 3.0).expect("same columns");
        assert!((shift - 63.5).abs() < 1e-9);
        assert_eq!(union, COLUMNS.to_vec());
        // Shifted, with a boundary hidden by a merged cell.
        let hidden: Vec<f64> = far.iter().copied().filter(|&x| x != 150.3 + 63.5).collect();
        assert!(same_columns(&COLUMNS, &hidden, 3.0).is_some());
    }

    #[test]
    fn other_columns_are_not_the_same() {
        let mut moved = COLUMNS.to_vec();
        moved[2] += 20.0;
        assert!(same_columns(&COLUMNS, &moved, 3.0).is_none());
        let mut far_moved: Vec<f64> = COLUMNS.iter().map(|x| x + 30.0).collect();
        far_moved[2] += 20.0;
        assert!(same_columns(&COLUMNS, &far_moved, 3.0).is_none());
        // Only one outer boundary off: a narrower table, not a shifted one.
        let mut wider = COLUMNS.to_vec();
        wider[5] += 8.0;
        assert!(same_columns(&COLUMNS, &wider, 3.0).is_none());
    }
}
