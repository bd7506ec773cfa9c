//! A logical table as a grid of labelled regions: which cell covers each slot, which cells
//! start on a row, and the columns a header cell names.

use jixiao_extract::Table;

use crate::vocab::{self, Label};

/// Largest number of slots (rows × columns) a table may have; bigger ones are not read.
pub const MAX_SLOTS: usize = 1 << 20;

/// A read-only index over one table's cells.
pub struct Grid<'a> {
    /// The table's cells.
    pub cells: &'a [jixiao_extract::Cell],
    /// The [`vocab::label_key`] of each cell, by cell index.
    keys: Vec<String>,
    /// The label each cell names, by cell index.
    labels: Vec<Option<Label>>,
    n_rows: usize,
    n_cols: usize,
    /// Cell index covering each slot, row-major.
    slots: Vec<Option<usize>>,
    /// Indices of the cells starting on each row, by column.
    starts: Vec<Vec<usize>>,
}

impl<'a> Grid<'a> {
    /// Indexes a table; `None` when it is larger than [`MAX_SLOTS`]. Overlapping cells keep
    /// the first one in the table's order.
    pub fn new(table: &'a Table) -> Option<Self> {
        let n_rows = table
            .cells
            .iter()
            .map(|c| c.row.saturating_add(c.rowspan.max(1)))
            .max()
            .unwrap_or(0);
        let n_cols = table
            .cells
            .iter()
            .map(|c| c.col.saturating_add(c.colspan.max(1)))
            .max()
            .unwrap_or(0);
        if n_rows.checked_mul(n_cols)? > MAX_SLOTS {
            return None;
        }
        let mut slots = vec![None; n_rows * n_cols];
        let mut starts = vec![Vec::new(); n_rows];
        for (i, c) in table.cells.iter().enumerate() {
            starts[c.row].push(i);
            for r in c.row..c.row + c.rowspan.max(1) {
                for col in c.col..c.col + c.colspan.max(1) {
                    slots[r * n_cols + col].get_or_insert(i);
                }
            }
        }
        for row in &mut starts {
            row.sort_by_key(|&i| table.cells[i].col);
        }
        let keys: Vec<String> = table
            .cells
            .iter()
            .map(|c| vocab::label_key(&c.text))
            .collect();
        let labels = keys.iter().map(|k| vocab::label(k)).collect();
        Some(Grid {
            cells: &table.cells,
            keys,
            labels,
            n_rows,
            n_cols,
            slots,
            starts,
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The cell covering a slot.
    pub fn at(&self, row: usize, col: usize) -> Option<usize> {
        if row < self.n_rows && col < self.n_cols {
            self.slots[row * self.n_cols + col]
        } else {
            None
        }
    }

    /// The label a cell names.
    pub fn label(&self, cell: usize) -> Option<Label> {
        self.labels[cell]
    }

    /// Cells starting on `row`, left to right.
    pub fn row_starts(&self, row: usize) -> &[usize] {
        &self.starts[row]
    }

    /// The [`vocab::label_key`] of a cell.
    pub fn key(&self, cell: usize) -> &str {
        &self.keys[cell]
    }

    /// The text of a cell.
    pub fn text(&self, cell: usize) -> &str {
        &self.cells[cell].text
    }

    /// The columns `[start, end)` a cell covers.
    pub fn cols(&self, cell: usize) -> (usize, usize) {
        let c = &self.cells[cell];
        (c.col, c.col + c.colspan.max(1))
    }

    /// The distinct cells covering `row` from left to right (cells from rows above included).
    pub fn row_cells(&self, row: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for col in 0..self.n_cols {
            if let Some(i) = self.at(row, col) {
                if out.last() != Some(&i) {
                    out.push(i);
                }
            }
        }
        out
    }

    /// The cell on `row` that best covers the columns `[start, end)`: the largest overlap,
    /// the leftmost on a tie; `skip` cells are not considered.
    pub fn under(&self, row: usize, (start, end): (usize, usize), skip: &[usize]) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for i in self.row_cells(row) {
            if skip.contains(&i) {
                continue;
            }
            let (a, b) = self.cols(i);
            let overlap = b.min(end).saturating_sub(a.max(start));
            if overlap > 0 && best.is_none_or(|(_, o)| overlap > o) {
                best = Some((i, overlap));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The text right of a label cell on its first row, up to the next label: the non-empty
    /// texts of the cells in between, joined by a space, with the cells they came from.
    pub fn right_of(&self, cell: usize) -> (String, Vec<usize>) {
        let row = self.cells[cell].row;
        let (_, end) = self.cols(cell);
        let mut parts = Vec::new();
        let mut used = Vec::new();
        for i in self.row_cells(row) {
            if self.cols(i).0 < end || i == cell {
                continue;
            }
            if self.labels[i].is_some() {
                break;
            }
            let t = self.text(i).trim();
            if !t.is_empty() {
                parts.push(t);
                used.push(i);
            }
        }
        (parts.join(" "), used)
    }
}
