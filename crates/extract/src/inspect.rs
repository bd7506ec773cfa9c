//! SVG debug view of one page: what the table finder saw and what it made of it, so a user
//! can see at a glance why a cell went wrong (pdfplumber's visual debugging is the model).

use crate::grid::{close_open_ends, edges, intersections, main_direction, page_tables, turn_page};
use crate::model::{Direction, Orientation, PageContent, Rect, Segment, TextSource, Turn};
use crate::settings::TableSettings;
use std::fmt::Write;

/// Fills of the cells, cycled so that neighbours differ.
const CELL_FILLS: [&str; 4] = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1"];

/// Draws `page` as a standalone SVG document in page space (1 unit = 1 pt, y down):
/// - glyph boxes (thin grey) with their text;
/// - the page's ruling segments (blue);
/// - the edges after snapping and joining (thin black), edges added to close a table left
///   open by a page break (dashed red);
/// - intersections (red dots);
/// - cells (translucent, labelled "row,col rowspan×colspan", and where their text came from
///   when not the text layer: "font-program", "ocr 0.93"), table boxes (green) and
///   caption lines (purple).
///
/// The same settings as [`crate::grid::page_tables`] are used, so the picture shows exactly
/// what extraction found. A page whose text mostly runs sideways or upside down is drawn
/// turned so that it reads upright; glyphs running another way than the picture are drawn
/// turned with their text.
pub fn page_svg(page: &PageContent, settings: &TableSettings) -> String {
    let turn = Turn {
        direction: main_direction(&page.text).unwrap_or_default(),
        width: page.width,
        height: page.height,
    };
    if turn.direction.is_upright() {
        upright_svg(page, settings)
    } else {
        upright_svg(&turn_page(page, &turn), settings)
    }
}

/// [`page_svg`] of a page drawn as it is.
fn upright_svg(page: &PageContent, settings: &TableSettings) -> String {
    let (w, h) = (page.width.max(1.0), page.height.max(1.0));
    let mut svg = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{:.0}" height="{:.0}" viewBox="0 0 {w:.2} {h:.2}" font-family="sans-serif">"#,
        w * 2.0,
        h * 2.0
    );
    let _ = writeln!(
        svg,
        r##"<title>page {}</title><rect width="100%" height="100%" fill="#fff"/>"##,
        page.number
    );

    let tables = page_tables(page, settings);
    svg.push_str(r#"<g id="cells" stroke="none">"#);
    svg.push('\n');
    for t in &tables {
        let _ = writeln!(svg, "<g {}>", transform(&t.turn));
        for (i, c) in t.grid.cells.iter().enumerate() {
            let fill = CELL_FILLS[(c.row + c.col) % CELL_FILLS.len()];
            rect(
                &mut svg,
                &c.bbox,
                &format!(r#"fill="{fill}" fill-opacity="0.15""#),
            );
            let _ = writeln!(
                svg,
                r##"<text x="{:.2}" y="{:.2}" font-size="3" fill="#333">{},{} {}×{}{}{}</text>"##,
                c.bbox.x0 + 0.8,
                c.bbox.y0 + 3.2,
                c.row,
                c.col,
                c.rowspan,
                c.colspan,
                if t.drawn[i].0 && t.drawn[i].1 {
                    ""
                } else {
                    " open"
                },
                source_label(t.sources[i], t.confidences[i])
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</g>\n");

    svg.push_str(r##"<g id="glyphs" fill="none" stroke="#999" stroke-width="0.1">"##);
    svg.push('\n');
    for g in &page.text {
        rect(&mut svg, &g.bbox, "");
        // The glyph's box in the frame where it reads upright, drawn turned back.
        let turn = Turn {
            direction: g.direction,
            width: page.width,
            height: page.height,
        };
        let b = turn.rect(&g.bbox);
        let size = (b.height() * 0.8).max(0.5);
        let _ = writeln!(
            svg,
            r##"<text x="{:.2}" y="{:.2}" font-size="{size:.2}" fill="#000" stroke="none" {}>{}</text>"##,
            b.x0,
            b.y1 - b.height() * 0.15,
            transform(&turn),
            escape(&g.text)
        );
    }
    svg.push_str("</g>\n");

    svg.push_str(r##"<g id="segments" stroke="#1f5fd6" stroke-width="1.2" stroke-opacity="0.5">"##);
    svg.push('\n');
    page.segments.iter().for_each(|s| line(&mut svg, s, ""));
    svg.push_str("</g>\n");

    let real = edges(&page.segments, settings);
    svg.push_str(r##"<g id="edges" stroke="#000" stroke-width="0.25">"##);
    svg.push('\n');
    real.iter().for_each(|e| line(&mut svg, e, ""));
    let closing = close_open_ends(&real, settings);
    closing
        .iter()
        .for_each(|e| line(&mut svg, e, r##"stroke="#d62728" stroke-dasharray="2 1""##));
    svg.push_str("</g>\n");

    let all = crate::grid::closed_edges(&real, &closing, settings);
    svg.push_str(r##"<g id="intersections" fill="#d62728">"##);
    svg.push('\n');
    for p in intersections(&all, settings) {
        let _ = writeln!(svg, r#"<circle cx="{:.2}" cy="{:.2}" r="1"/>"#, p.x, p.y);
    }
    svg.push_str("</g>\n");

    svg.push_str(r##"<g id="tables" fill="none">"##);
    svg.push('\n');
    for (k, t) in tables.iter().enumerate() {
        let _ = writeln!(svg, "<g {}>", transform(&t.turn));
        rect(
            &mut svg,
            &t.grid.bbox,
            r##"stroke="#2ca02c" stroke-width="0.8""##,
        );
        let _ = writeln!(
            svg,
            r##"<text x="{:.2}" y="{:.2}" font-size="4" fill="#2ca02c">table {k}: {}×{}</text>"##,
            t.grid.bbox.x1 + 1.0,
            t.grid.bbox.y0 + 4.0,
            t.grid.n_rows,
            t.grid.n_cols
        );
        for l in &t.caption {
            rect(
                &mut svg,
                &l.bbox,
                r##"stroke="#9467bd" stroke-width="0.5""##,
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

/// Where a cell's text came from, when not the text layer: " font-program", " ocr 0.93".
fn source_label(source: TextSource, confidence: Option<f32>) -> String {
    match (source, confidence) {
        (TextSource::Pdf, _) => String::new(),
        (TextSource::FontProgram, _) => " font-program".to_string(),
        (TextSource::Ocr, Some(c)) => format!(" ocr {c:.2}"),
        (TextSource::Ocr, None) => " ocr".to_string(),
    }
}

/// The SVG `transform` attribute drawing a frame's coordinates in page space (empty when the
/// frame is page space).
fn transform(turn: &Turn) -> String {
    if turn.direction == Direction::Right {
        return String::new();
    }
    let [a, b, c, d, e, f] = turn.back_matrix();
    format!(r#"transform="matrix({a} {b} {c} {d} {e:.2} {f:.2})""#)
}

fn rect(svg: &mut String, r: &Rect, attrs: &str) {
    let _ = writeln!(
        svg,
        r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" {attrs}/>"#,
        r.x0,
        r.y0,
        r.width(),
        r.height()
    );
}

fn line(svg: &mut String, s: &Segment, attrs: &str) {
    let (x1, y1, x2, y2) = match s.orientation {
        Orientation::Horizontal => (s.start, s.pos, s.end, s.pos),
        Orientation::Vertical => (s.pos, s.start, s.pos, s.end),
    };
    let _ = writeln!(
        svg,
        r#"<line x1="{x1:.2}" y1="{y1:.2}" x2="{x2:.2}" y2="{y2:.2}" {attrs}/>"#
    );
}

/// Escapes text for SVG character data.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TextBox;

    fn seg(orientation: Orientation, pos: f64, start: f64, end: f64) -> Segment {
        Segment {
            orientation,
            pos,
            start,
            end,
            width: 0.5,
        }
    }

    #[test]
    fn draws_cells_glyphs_and_escapes_text() {
        let mut page = PageContent {
            number: 3,
            width: 200.0,
            height: 100.0,
            ..Default::default()
        };
        for y in [10.0, 30.0] {
            page.segments
                .push(seg(Orientation::Horizontal, y, 10.0, 110.0));
        }
        for x in [10.0, 60.0, 110.0] {
            page.segments
                .push(seg(Orientation::Vertical, x, 10.0, 30.0));
        }
        page.text.push(TextBox {
            text: "<p>".into(),
            bbox: Rect {
                x0: 12.0,
                y0: 15.0,
                x1: 30.0,
                y1: 25.0,
            },
            font_size: 10.0,
            confidence: None,
            direction: Default::default(),
            source: Default::default(),
            glyph: None,
            alternatives: Default::default(),
        });
        let svg = page_svg(&page, &TableSettings::default());
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert!(
            svg.contains(">0,0 1×1</text>") && svg.contains(">0,1 1×1</text>"),
            "{svg}"
        );
        assert!(svg.contains("&lt;p&gt;") && !svg.contains("<p>"));
        assert_eq!(svg.matches("<circle").count(), 6);
        assert!(svg.contains("table 0: 1×2"));
    }
}
