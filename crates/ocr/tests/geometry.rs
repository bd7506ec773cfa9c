//! Deskew and rule finding on synthetic pages: a ruled grid with text-like blocks drawn
//! at a known skew, plus noise, must come back level with every rule found once.

use jixiao_ocr::binarize::{otsu_threshold, Binary};
use jixiao_ocr::deskew::{estimate_skew, rotate};
use jixiao_ocr::lines::{find_lines, LineParams, PixelLine};
use jixiao_ocr::Gray;

const W: u32 = 900;
const H: u32 = 700;
/// Rows and columns of the synthetic table's rules (level coordinates).
const ROWS: [f64; 6] = [100.0, 180.0, 260.0, 340.0, 420.0, 600.0];
const COLS: [f64; 4] = [80.0, 300.0, 520.0, 820.0];

/// A level table page (2-px rules, dark "text" blocks and a lone dash in some cells, speckle),
/// rendered rotated by `degrees` (positive = descending to the right).
fn page(degrees: f64) -> Gray {
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (f64::from(W) / 2.0, f64::from(H) / 2.0);
    let ink = |x: f64, y: f64| -> bool {
        let on_h = ROWS.iter().any(|&r| (y - r).abs() <= 1.0)
            && (COLS[0] - 1.0..=COLS[3] + 1.0).contains(&x);
        let on_v = COLS.iter().any(|&k| (x - k).abs() <= 1.0)
            && (ROWS[0] - 1.0..=ROWS[5] + 1.0).contains(&y);
        // "Text": blocks of strokes inside the first cells of each row.
        let text = ROWS.windows(2).any(|w| y > w[0] + 25.0 && y < w[0] + 50.0)
            && x > COLS[0] + 20.0
            && x < COLS[1] - 40.0
            && (x as i64 / 6) % 3 != 0;
        // A dash ("—" in a numeric cell): long enough to be a rule if it were one.
        let dash = (y - 220.0).abs() <= 1.5 && x > 560.0 && x < 640.0;
        on_h || on_v || text || dash
    };
    let mut g = Gray::new(W, H);
    for y in 0..H {
        for x in 0..W {
            // Level position of this (rotated) pixel: rotate back by -degrees.
            let (dx, dy) = (f64::from(x) + 0.5 - cx, f64::from(y) + 0.5 - cy);
            let (lx, ly) = (cx + dx * c + dy * s, cy - dx * s + dy * c);
            let noise = ((x * 7919 + y * 104_729) % 97) as u8;
            let speck = (x * 31 + y * 17) % 1499 == 0;
            g.data[(y * W + x) as usize] = if ink(lx, ly) || speck {
                30 + noise / 4
            } else {
                230 - noise / 3
            };
        }
    }
    g
}

fn params() -> LineParams {
    LineParams {
        min_length: 60,
        max_gap: 2,
        max_thickness: 8,
        touch_tolerance: 6,
    }
}

fn level(degrees: f64) -> (f64, Vec<PixelLine>) {
    let g = page(degrees);
    let t = otsu_threshold(&g);
    let angle = estimate_skew(&Binary::from_gray(&g, t), 3.0);
    let upright = rotate(&g, angle);
    (
        angle,
        find_lines(
            &Binary::from_gray(&upright, t),
            &Binary::from_gray(&upright, t),
            &params(),
        ),
    )
}

#[test]
fn recovers_skew_within_a_twentieth_of_a_degree() {
    for degrees in [-1.0, -0.7, -0.25, 0.0, 0.4, 0.8, 1.0] {
        let (angle, _) = level(degrees);
        assert!(
            (angle - degrees).abs() <= 0.05,
            "drawn at {degrees}°, estimated {angle}°"
        );
    }
}

#[test]
fn finds_every_rule_once_and_no_dash() {
    for degrees in [-0.9, 0.0, 0.7] {
        let (_, lines) = level(degrees);
        let h: Vec<&PixelLine> = lines.iter().filter(|l| l.horizontal).collect();
        let v: Vec<&PixelLine> = lines.iter().filter(|l| !l.horizontal).collect();
        assert_eq!(h.len(), ROWS.len(), "{degrees}°: horizontal {h:?}");
        assert_eq!(v.len(), COLS.len(), "{degrees}°: vertical {v:?}");
        // Rotation is about the centre, so level positions are kept (within a pixel or two).
        for (l, want) in h.iter().zip(ROWS) {
            assert!(
                (l.pos - want).abs() < 2.5,
                "{degrees}°: row rule at {}, want {want}",
                l.pos
            );
            assert!(
                (l.start - COLS[0]).abs() < 4.0 && (l.end - COLS[3]).abs() < 4.0,
                "{degrees}°: {l:?}"
            );
        }
        for (l, want) in v.iter().zip(COLS) {
            assert!(
                (l.pos - want).abs() < 2.5,
                "{degrees}°: column rule at {}, want {want}",
                l.pos
            );
            assert!(
                (l.start - ROWS[0]).abs() < 4.0 && (l.end - ROWS[5]).abs() < 4.0,
                "{degrees}°: {l:?}"
            );
        }
    }
}

#[test]
fn blank_page_has_no_skew_and_no_rules() {
    let g = Gray::new(200, 100);
    let ink = Binary::from_gray(&g, otsu_threshold(&g));
    assert_eq!(estimate_skew(&ink, 3.0), 0.0);
    assert!(find_lines(&ink, &ink, &params()).is_empty());
}

#[test]
fn otsu_splits_a_two_tone_page_in_the_middle() {
    let mut g = Gray::new(100, 10);
    g.data.iter_mut().take(200).for_each(|v| *v = 30);
    g.data.iter_mut().skip(200).for_each(|v| *v = 220);
    let t = otsu_threshold(&g);
    assert!((100..=150).contains(&t), "threshold {t}");
}
