//! Steps 3–5: intersections → cell rectangles → tables (connected groups) → grid.

use super::edges::{cmp_yx, Lines, Point};
use crate::hash::{FastMap, FastSet};
use crate::model::{CellBox, GridCells, Orientation, Rect, Segment};
use crate::settings::TableSettings;

/// At most this many candidate bottom-right corners are tried per top-left corner, which
/// bounds the work on hostile input (a real cell closes within a few tries).
const MAX_CORNERS_TRIED: usize = 4096;

fn key(x: f64, y: f64) -> (u64, u64) {
    (x.to_bits(), y.to_bits())
}

/// Step 3: the cells — rectangles whose four corners are intersections and whose four sides
/// are drawn (each side lies on one joined edge), minimal: from each top-left corner the
/// nearest bottom edge, then the nearest right edge that closes a rectangle. A side left
/// undrawn merges the neighbouring slots into one cell (that is how row and column spans
/// show). At most 4,096 candidate corners are tried per top-left corner. Sorted by top, then
/// left.
pub fn cell_rects(edges: &[Segment], points: &[Point], settings: &TableSettings) -> Vec<Rect> {
    let tol = settings.intersection_tolerance;
    let horizontal = Lines::new(
        edges
            .iter()
            .filter(|e| e.orientation == Orientation::Horizontal),
    );
    let vertical = Lines::new(
        edges
            .iter()
            .filter(|e| e.orientation == Orientation::Vertical),
    );
    let mut sorted = points.to_vec();
    sorted.sort_by(cmp_yx);
    sorted.dedup();
    let exists: FastSet<(u64, u64)> = sorted.iter().map(|p| key(p.x, p.y)).collect();
    // Points of each column (x) by y, and of each row (y) by x.
    let mut columns: FastMap<u64, Vec<f64>> = FastMap::default();
    let mut rows: FastMap<u64, Vec<f64>> = FastMap::default();
    for p in &sorted {
        columns.entry(p.x.to_bits()).or_default().push(p.y);
        rows.entry(p.y.to_bits()).or_default().push(p.x);
    }
    for ys in columns.values_mut() {
        ys.sort_by(f64::total_cmp);
    }
    let reach_right = |x: f64, y: f64| horizontal.reach(y, x, tol);
    let reach_down = |x: f64, y: f64| vertical.reach(x, y, tol);

    let mut cells = Vec::new();
    for p in &sorted {
        let (Some(right), Some(down)) = (reach_right(p.x, p.y), reach_down(p.x, p.y)) else {
            continue;
        };
        let col = &columns[&p.x.to_bits()];
        let row = &rows[&p.y.to_bits()];
        let below = &col[col.partition_point(|&y| y <= p.y)..];
        let beside = &row[row.partition_point(|&x| x <= p.x)..];
        let mut budget = MAX_CORNERS_TRIED;
        'found: for &y in below.iter().take_while(|&&y| y <= down + tol) {
            let Some(bottom_reach) = reach_right(p.x, y) else {
                continue;
            };
            for &x in beside
                .iter()
                .take_while(|&&x| x <= right.min(bottom_reach) + tol)
            {
                if budget == 0 {
                    break 'found;
                }
                budget -= 1;
                if exists.contains(&key(x, y)) && reach_down(x, p.y).is_some_and(|r| r + tol >= y) {
                    cells.push(Rect {
                        x0: p.x,
                        y0: p.y,
                        x1: x,
                        y1: y,
                    });
                    break 'found;
                }
            }
        }
    }
    cells
}

/// Step 4: the cells grouped into tables — cells sharing a corner belong to one table.
/// Tables are ordered by top, then left; each table's cells keep their order.
pub fn group_tables(cells: &[Rect]) -> Vec<Vec<Rect>> {
    let mut parent: Vec<usize> = (0..cells.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut by_corner: FastMap<(u64, u64), usize> = FastMap::default();
    for (i, c) in cells.iter().enumerate() {
        for (x, y) in [(c.x0, c.y0), (c.x1, c.y0), (c.x0, c.y1), (c.x1, c.y1)] {
            if let Some(&j) = by_corner.get(&key(x, y)) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            } else {
                by_corner.insert(key(x, y), i);
            }
        }
    }
    let mut groups: Vec<(usize, Vec<Rect>)> = Vec::new();
    let mut index_of_root: FastMap<usize, usize> = FastMap::default();
    for (i, c) in cells.iter().enumerate() {
        let root = find(&mut parent, i);
        let g = *index_of_root.entry(root).or_insert_with(|| {
            groups.push((root, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(*c);
    }
    let mut tables: Vec<Vec<Rect>> = groups.into_iter().map(|(_, g)| g).collect();
    tables.sort_by(|a, b| {
        let (ba, bb) = (bounds(a), bounds(b));
        ba.y0.total_cmp(&bb.y0).then(ba.x0.total_cmp(&bb.x0))
    });
    tables
}

fn bounds(cells: &[Rect]) -> Rect {
    cells
        .iter()
        .skip(1)
        .fold(cells.first().copied().unwrap_or_default(), |a, c| {
            a.union(c)
        })
}

/// Step 5: the grid of one table. Column boundaries are all distinct x of its cells, row
/// boundaries all distinct y; each cell's row/col/spans follow from the boundaries it covers.
/// Every slot must be covered exactly once: a cell overlapping earlier ones is dropped and an
/// uncovered slot becomes a 1×1 cell; each repair is described in the returned messages.
/// A degenerate group whose boundaries make far more slots than it has cells (more than
/// 64 per cell plus 4,096: no table, e.g. a staircase of boxes) gives an empty grid and a
/// message, which bounds the work.
pub fn grid(cells: &[Rect]) -> (GridCells, Vec<String>) {
    let mut xs: Vec<f64> = cells.iter().flat_map(|c| [c.x0, c.x1]).collect();
    let mut ys: Vec<f64> = cells.iter().flat_map(|c| [c.y0, c.y1]).collect();
    for v in [&mut xs, &mut ys] {
        v.sort_by(f64::total_cmp);
        v.dedup();
    }
    let n_cols = xs.len().saturating_sub(1);
    let n_rows = ys.len().saturating_sub(1);
    if n_rows.saturating_mul(n_cols) > cells.len().saturating_mul(64) + 4096 {
        let empty = GridCells {
            bbox: bounds(cells),
            n_rows: 0,
            n_cols: 0,
            cells: Vec::new(),
        };
        return (
            empty,
            vec![format!(
                "{} boxes make {n_rows}×{n_cols} slots: not a table, skipped",
                cells.len()
            )],
        );
    }
    let index = |bounds: &[f64], v: f64| bounds.partition_point(|b| *b < v);
    let mut boxes: Vec<CellBox> = cells
        .iter()
        .map(|c| {
            let (col, row) = (index(&xs, c.x0), index(&ys, c.y0));
            CellBox {
                row,
                col,
                rowspan: index(&ys, c.y1) - row,
                colspan: index(&xs, c.x1) - col,
                bbox: *c,
            }
        })
        .collect();
    boxes.sort_by_key(|b| (b.row, b.col, b.rowspan * b.colspan));
    let mut owner = vec![false; n_rows * n_cols];
    let mut repairs = Vec::new();
    let mut kept = Vec::with_capacity(boxes.len());
    for b in boxes {
        let slots = || {
            (b.row..b.row + b.rowspan)
                .flat_map(move |r| (b.col..b.col + b.colspan).map(move |c| r * n_cols + c))
        };
        if slots().any(|s| owner[s]) {
            repairs.push(format!(
                "cell at row {} col {} ({}×{}) overlaps another cell: dropped",
                b.row, b.col, b.rowspan, b.colspan
            ));
            continue;
        }
        slots().for_each(|s| owner[s] = true);
        kept.push(b);
    }
    for (s, _) in owner.iter().enumerate().filter(|(_, o)| !**o) {
        let (row, col) = (s / n_cols, s % n_cols);
        repairs.push(format!(
            "slot at row {row} col {col} has no closed cell: added an empty one"
        ));
        let bbox = Rect {
            x0: xs[col],
            y0: ys[row],
            x1: xs[col + 1],
            y1: ys[row + 1],
        };
        kept.push(CellBox {
            row,
            col,
            rowspan: 1,
            colspan: 1,
            bbox,
        });
    }
    kept.sort_by_key(|b| (b.row, b.col));
    (
        GridCells {
            bbox: bounds(cells),
            n_rows,
            n_cols,
            cells: kept,
        },
        repairs,
    )
}

#[cfg(test)]
mod tests {
    use super::super::edges::tests::{h, v};
    use super::super::edges::{edges, intersections};
    use super::*;

    fn grids(segments: &[Segment]) -> Vec<(GridCells, Vec<String>)> {
        let s = TableSettings::default();
        let e = edges(segments, &s);
        let cells = cell_rects(&e, &intersections(&e, &s), &s);
        group_tables(&cells).iter().map(|t| grid(t)).collect()
    }

    fn spans(g: &GridCells) -> Vec<(usize, usize, usize, usize)> {
        g.cells
            .iter()
            .map(|c| (c.row, c.col, c.rowspan, c.colspan))
            .collect()
    }

    /// A 3×3 grid of 20 pt slots at (0, 0) with the listed inner pieces left undrawn.
    fn grid3(skip: &[Segment]) -> Vec<Segment> {
        let mut s = Vec::new();
        for i in 0..4 {
            let p = f64::from(i) * 20.0;
            for j in 0..3 {
                let (a, b) = (f64::from(j) * 20.0, f64::from(j + 1) * 20.0);
                s.push(h(p, a, b));
                s.push(v(p, a, b));
            }
        }
        s.retain(|x| !skip.contains(x));
        s
    }

    #[test]
    fn full_grid_gives_one_cell_per_slot() {
        let g = grids(&grid3(&[]));
        assert_eq!(g.len(), 1);
        let (g, repairs) = &g[0];
        assert!(repairs.is_empty());
        assert_eq!((g.n_rows, g.n_cols, g.cells.len()), (3, 3, 9));
        assert_eq!(
            g.bbox,
            Rect {
                x0: 0.0,
                y0: 0.0,
                x1: 60.0,
                y1: 60.0
            }
        );
        assert_eq!(
            g.cells[4].bbox,
            Rect {
                x0: 20.0,
                y0: 20.0,
                x1: 40.0,
                y1: 40.0
            }
        );
    }

    #[test]
    fn missing_inner_segments_give_spans() {
        // Column span in row 0 (no vertical piece x=20, y 0..20), row span in column 2 over
        // rows 1–2 (no horizontal piece y=40, x 40..60).
        let (g, repairs) = &grids(&grid3(&[v(20.0, 0.0, 20.0), h(40.0, 40.0, 60.0)]))[0];
        assert!(repairs.is_empty());
        assert_eq!(
            spans(g),
            vec![
                (0, 0, 1, 2),
                (0, 2, 1, 1),
                (1, 0, 1, 1),
                (1, 1, 1, 1),
                (1, 2, 2, 1),
                (2, 0, 1, 1),
                (2, 1, 1, 1)
            ]
        );
    }

    #[test]
    fn merged_block_spanning_rows_and_columns() {
        // Slots (0,0),(0,1),(1,0),(1,1) form one cell.
        let skip = [
            v(20.0, 0.0, 20.0),
            v(20.0, 20.0, 40.0),
            h(20.0, 0.0, 20.0),
            h(20.0, 20.0, 40.0),
        ];
        let (g, _) = &grids(&grid3(&skip))[0];
        assert_eq!(spans(g)[0], (0, 0, 2, 2));
        assert_eq!(g.cells.len(), 6);
    }

    #[test]
    fn double_borders_as_thin_rectangles_count_once() {
        // Each rule drawn as the two long sides of a 0.75 pt filled rectangle.
        let mut s = Vec::new();
        for seg in grid3(&[]) {
            s.push(seg);
            s.push(Segment {
                pos: seg.pos + 0.75,
                ..seg
            });
        }
        let (g, repairs) = &grids(&s)[0];
        assert!(repairs.is_empty());
        assert_eq!((g.n_rows, g.n_cols, g.cells.len()), (3, 3, 9));
    }

    #[test]
    fn tables_side_by_side_are_separate() {
        let mut s = grid3(&[]);
        s.extend(grid3(&[]).into_iter().map(|seg| match seg.orientation {
            Orientation::Horizontal => Segment {
                start: seg.start + 100.0,
                end: seg.end + 100.0,
                ..seg
            },
            Orientation::Vertical => Segment {
                pos: seg.pos + 100.0,
                ..seg
            },
        }));
        let g = grids(&s);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].0.bbox.x0, 0.0);
        assert_eq!(g[1].0.bbox.x0, 100.0);
        assert!(g.iter().all(|(g, r)| g.cells.len() == 9 && r.is_empty()));
    }

    #[test]
    fn unclosed_slot_is_repaired_and_reported() {
        // The bottom-right slot has no bottom rule: it is not a closed rectangle.
        let (g, repairs) = &grids(&grid3(&[h(60.0, 40.0, 60.0)]))[0];
        assert_eq!(g.cells.len(), 9);
        assert_eq!(repairs.len(), 1);
        assert!(repairs[0].contains("row 2 col 2"), "{repairs:?}");
    }

    #[test]
    fn a_staircase_of_boxes_is_not_a_table() {
        let steps: Vec<Rect> = (0..5000)
            .map(|i| {
                let v = f64::from(i);
                Rect {
                    x0: v,
                    y0: v,
                    x1: v + 1.0,
                    y1: v + 1.0,
                }
            })
            .collect();
        let (g, repairs) = grid(&steps);
        assert_eq!((g.n_rows, g.n_cols, g.cells.len()), (0, 0, 0));
        assert!(repairs[0].contains("not a table"), "{repairs:?}");
    }

    #[test]
    fn a_large_full_grid_is_found_quickly() {
        // 120 × 120 slots: 14,641 intersections.
        let mut s = Vec::new();
        for i in 0..=120 {
            let p = f64::from(i) * 5.0;
            s.push(h(p, 0.0, 600.0));
            s.push(v(p, 0.0, 600.0));
        }
        let g = grids(&s);
        assert_eq!(g.len(), 1);
        assert_eq!(
            (g[0].0.n_rows, g[0].0.n_cols, g[0].0.cells.len()),
            (120, 120, 14_400)
        );
    }

    #[test]
    fn overlapping_cells_keep_the_first() {
        let cells = [
            Rect {
                x0: 0.0,
                y0: 0.0,
                x1: 20.0,
                y1: 20.0,
            },
            Rect {
                x0: 0.0,
                y0: 0.0,
                x1: 40.0,
                y1: 20.0,
            },
            Rect {
                x0: 20.0,
                y0: 0.0,
                x1: 40.0,
                y1: 20.0,
            },
        ];
        let (g, repairs) = grid(&cells);
        assert_eq!(spans(&g), vec![(0, 0, 1, 1), (0, 1, 1, 1)]);
        assert_eq!(repairs.len(), 1);
    }
}
