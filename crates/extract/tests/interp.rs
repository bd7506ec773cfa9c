//! Page interpreter on small PDFs built with lopdf: fonts, text state, paths, forms, rotation,
//! encryption. Expected values are computed from the PDF rules, not taken from the code.

mod interp_pdfs;

use interp_pdfs::*;
use jixiao_extract::interp::{has_usable_text, read_pages};
use jixiao_extract::{ExtractError, ExtractOptions, Orientation, PageContent, Segment};
use lopdf::{dictionary, Dictionary, Object};

fn page1(bytes: &[u8]) -> PageContent {
    let mut pages = read_pages(bytes, &ExtractOptions::default()).expect("document reads");
    assert_eq!(pages.len(), 1);
    pages.remove(0)
}

fn text(page: &PageContent) -> String {
    page.text.iter().map(|t| t.text.as_str()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[track_caller]
fn assert_box(page: &PageContent, i: usize, expected: [f64; 4]) {
    let b = page.text[i].bbox;
    let got = [b.x0, b.y0, b.x1, b.y1];
    assert!(
        got.iter().zip(&expected).all(|(a, b)| close(*a, *b)),
        "glyph {i}: {got:?} != {expected:?}"
    );
}

fn one_font_page(
    font: impl FnOnce(&mut PdfBuilder) -> lopdf::ObjectId,
    content: &str,
) -> PageContent {
    let mut b = PdfBuilder::new();
    let f = font(&mut b);
    b.page(content, dictionary! { "Resources" => font_resources(&[f]) });
    page1(&b.finish(Dictionary::new()))
}

// Page 600×800: user (x, y) is page (x, 800 − y). Without a descriptor, boxes span
// size × 0.88 above and size × 0.12 below the baseline.

#[test]
fn type0_identity_h_with_to_unicode_and_w_list() {
    let page = one_font_page(
        |b| {
            // 0002 maps to KANGXI RADICAL EYE, which a reader sees as 目.
            let cmap = to_unicode(&[(1, "76EE"), (2, "2F6C"), (3, "0031")]);
            let w = vec![1.into(), vec![500.into(), 1000.into()].into()];
            type0_font(
                b,
                "Sub+SimSun",
                "Identity-H",
                "Identity",
                Some(w),
                Some(cmap),
            )
        },
        "BT /F1 10 Tf 100 700 Td <000100020003> Tj ET",
    );
    assert_eq!(text(&page), "目目1");
    // Widths 500, 1000, then /DW 1000.
    assert_box(&page, 0, [100.0, 91.2, 105.0, 101.2]);
    assert_box(&page, 1, [105.0, 91.2, 115.0, 101.2]);
    assert_box(&page, 2, [115.0, 91.2, 125.0, 101.2]);
    assert!(close(page.text[0].font_size, 10.0));
    assert!(has_usable_text(&page));
}

#[test]
fn predefined_ucs2_cmap_without_to_unicode() {
    let page = one_font_page(
        |b| type0_font(b, "STSong-Light", "UniGB-UCS2-H", "GB1", None, None),
        "BT /F1 12 Tf 50 500 Td <76EE68070031> Tj ET",
    );
    assert_eq!(text(&page), "目标1");
    assert_box(
        &page,
        1,
        [62.0, 300.0 - 12.0 * 0.88, 74.0, 300.0 + 12.0 * 0.12],
    );
}

#[test]
fn gbk_euc_with_w_range_form() {
    // 目 标 in GBK, then ASCII "12" as single bytes, which the range form of /W makes 500
    // wide (their CIDs looked up in the predefined CMap).
    use hayro_cmap::{CMap, CMapName};
    let gbk = CMap::parse(
        hayro_cmap::load_embedded(CMapName::GbkEucH).unwrap(),
        hayro_cmap::load_embedded,
    )
    .unwrap();
    let (one, two) = (
        gbk.lookup_cid_code(0x31, 1).unwrap(),
        gbk.lookup_cid_code(0x32, 1).unwrap(),
    );
    assert_eq!(two, one + 1);
    let page = one_font_page(
        |b| {
            let w = vec![i64::from(one).into(), i64::from(two).into(), 500.into()];
            type0_font(b, "STSong-Light", "GBK-EUC-H", "GB1", Some(w), None)
        },
        "BT /F1 10 Tf 100 700 Td <c4bfb1ea3132> Tj ET",
    );
    assert_eq!(text(&page), "目标12");
    let x: Vec<f64> = page.text.iter().map(|t| t.bbox.x0).collect();
    assert_eq!(x, vec![100.0, 110.0, 120.0, 125.0]);
}

#[test]
fn cid_font_without_to_unicode_uses_the_collection() {
    // Find the Adobe-GB1 CID of 目 through the predefined UniGB-UCS2-H CMap, then show that
    // CID through Identity-H with no ToUnicode: the CIDSystemInfo must lead back to 目.
    use hayro_cmap::{CMap, CMapName};
    let ucs2 = CMap::parse(
        hayro_cmap::load_embedded(CMapName::UniGbUcs2H).unwrap(),
        hayro_cmap::load_embedded,
    )
    .unwrap();
    let cid = ucs2.lookup_cid_code(0x76EE, 2).unwrap();
    let page = one_font_page(
        |b| type0_font(b, "SimSun", "Identity-H", "GB1", None, None),
        &format!("BT /F1 10 Tf 100 700 Td <{cid:04X}> Tj ET"),
    );
    assert_eq!(text(&page), "目");
}

#[test]
fn unknown_collection_without_to_unicode_is_unusable() {
    let page = one_font_page(
        |b| type0_font(b, "Custom", "Identity-H", "Identity", None, None),
        "BT /F1 10 Tf 100 700 Td <00050006> Tj ET",
    );
    assert_eq!(text(&page), "\u{FFFD}\u{FFFD}");
    assert!(!has_usable_text(&page));
}

#[test]
fn simple_truetype_with_differences() {
    let page = one_font_page(
        |b| {
            simple_font(
                b,
                vec![65.into(), "uni76EE".into(), "percent".into(), "fi".into()],
            )
        },
        "BT /F1 10 Tf 100 700 Td (ABC\\200x) Tj ET",
    );
    // A, B, C replaced; 0x80 is € in WinAnsi; the ligature folds to letters.
    assert_eq!(text(&page), "目%fi€x");
    assert_box(&page, 4, [120.0, 91.2, 125.0, 101.2]);
}

#[test]
fn text_state_operators() {
    let page = one_font_page(
        |b| simple_font(b, vec![]),
        // Tc 1 and Tw 4 (which applies to code 32 only); TJ kerning; Tz 50; T* with TL 20, '
        // and "; Ts. Text state persists across BT/ET, so each line resets what it tests.
        "BT /F1 10 Tf 1 Tc 4 Tw 100 700 Td (ab c) Tj ET \
         BT 0 Tc 0 Tw /F1 10 Tf 100 600 Td [(a) -1000 (b)] TJ ET \
         BT /F1 10 Tf 50 Tz 100 500 Td (ab) Tj ET \
         BT 100 Tz /F1 10 Tf 20 TL 100 400 Td T* (a) Tj (b) ' 2 3 (c) \" ET \
         BT /F1 10 Tf 5 Ts 100 300 Td (a) Tj ET",
    );
    assert_eq!(text(&page), "ab cabababca");
    let x: Vec<(f64, f64)> = page.text.iter().map(|t| (t.bbox.x0, t.bbox.y1)).collect();
    // Line 1: advance = (5 + Tc) plus Tw for the space.
    assert_eq!(x[0], (100.0, 101.2));
    assert_eq!(x[1].0, 106.0);
    assert_eq!(x[2].0, 112.0); // the space
    assert_eq!(x[3].0, 122.0); // after the space: 5 + 1 + 4
                               // Line 2: a at 100, kerning −1000 moves one em (10) after a's 5.
    assert_eq!(x[4].0, 100.0);
    assert_eq!(x[5].0, 115.0);
    // Line 3: horizontal scaling 50 % halves advances and glyph widths.
    assert_eq!(x[6].0, 100.0);
    assert!(close(page.text[6].bbox.x1, 102.5));
    assert_eq!(x[7].0, 102.5);
    // Line 4: T* moves down TL = 20 (y 380 → page 420), ' down again (440), " down again
    // (460) with Tw 2, Tc 3.
    assert!(
        close(x[8].1, 420.0 + 1.2) && close(x[9].1, 440.0 + 1.2) && close(x[10].1, 460.0 + 1.2)
    );
    assert_eq!(x[8].0, 100.0);
    // Line 5: rise 5 lifts the box by 5.
    assert!(close(x[11].1, 500.0 - 5.0 + 1.2));
}

#[test]
fn type3_font_uses_font_matrix_and_widths() {
    let page = one_font_page(
        |b| {
            let proc_a = b.stream(Dictionary::new(), b"50 0 d0");
            b.add(dictionary! {
                "Type" => "Font",
                "Subtype" => "Type3",
                "FontBBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
                "FontMatrix" => vec![0.01.into(), 0.into(), 0.into(), 0.01.into(), 0.into(), 0.into()],
                "CharProcs" => dictionary! { "a" => proc_a, "b" => proc_a },
                "Encoding" => dictionary! { "Type" => "Encoding", "Differences" => vec![97.into(), "a".into(), "b".into()] },
                "FirstChar" => 97,
                "LastChar" => 98,
                "Widths" => vec![50.into(), 100.into()],
            })
        },
        "BT /F1 10 Tf 100 700 Td (abab) Tj ET",
    );
    assert_eq!(text(&page), "abab");
    // Glyph widths 50 and 100 in a 0.01 font matrix: 0.5 em and 1 em.
    let x: Vec<f64> = page.text.iter().map(|t| t.bbox.x0).collect();
    // lopdf keeps reals as f32, so 0.01 is not exact.
    assert!(
        x.iter()
            .zip([100.0, 105.0, 115.0, 120.0])
            .all(|(a, b)| (a - b).abs() < 1e-4),
        "{x:?}"
    );
}

#[test]
fn standard_fonts_without_widths_take_the_afm_advances() {
    // Adobe's AFMs: Helvetica-Bold B 722, u 611; Times-Roman B 667, u 500. The alias
    // "Arial,Bold" is Helvetica-Bold; a short /Widths covers only "B" (900).
    let advances = |base_font: &str, widths: Option<Vec<Object>>| {
        let page = one_font_page(
            |b| {
                let mut font = dictionary! {
                    "Type" => "Font",
                    "Subtype" => "TrueType",
                    "BaseFont" => base_font,
                    "Encoding" => "WinAnsiEncoding",
                };
                if let Some(w) = widths {
                    font.set("FirstChar", 66);
                    font.set("Widths", w);
                }
                b.add(font)
            },
            "BT /F1 10 Tf 100 700 Td (Bu) Tj ET",
        );
        page.text
            .iter()
            .map(|t| t.bbox.width())
            .collect::<Vec<f64>>()
    };
    let near = |got: Vec<f64>, want: [f64; 2]| {
        got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-9) && got.len() == 2
    };
    assert!(near(advances("Arial,Bold", None), [7.22, 6.11]));
    assert!(near(advances("Helvetica-Bold", None), [7.22, 6.11]));
    assert!(near(advances("Times-Roman", None), [6.67, 5.0]));
    assert!(near(
        advances("Times-Roman", Some(vec![900.into()])),
        [9.0, 5.0]
    ));
    // A font that is not a standard one keeps the fallback of half an em.
    assert!(near(advances("SimSun", None), [5.0, 5.0]));
}

fn segments(page: &PageContent, orientation: Orientation) -> Vec<Segment> {
    let mut s: Vec<Segment> = page
        .segments
        .iter()
        .filter(|s| s.orientation == orientation)
        .copied()
        .collect();
    s.sort_by(|a, b| a.pos.total_cmp(&b.pos).then(a.start.total_cmp(&b.start)));
    s
}

fn seg(orientation: Orientation, pos: f64, start: f64, end: f64, width: f64) -> Segment {
    Segment {
        orientation,
        pos,
        start,
        end,
        width,
    }
}

#[test]
fn paths_become_ruling_segments() {
    let mut b = PdfBuilder::new();
    b.page(
        "0 0 0 rg 100 500 200 0.5 re f \
         100 400 0.5 100 re f \
         0.5 g 300 300 50 40 re f \
         1 1 1 rg 10 10 50 50 re f \
         0 0 0 rg 0 0 600 800 re f \
         2 w 0 0 1 RG 400 100 20 10 re S \
         0 G 1 w 50 50 m 80 50 l 80 90 l S \
         50 60 m 90 99 l S \
         10 700 m 20 710 30 710 40 700 c S \
         100 200 50 50 re n",
        Dictionary::new(),
    );
    let page = page1(&b.finish(Dictionary::new()));
    use Orientation::{Horizontal as H, Vertical as V};
    assert_eq!(
        segments(&page, H),
        vec![
            // thin filled rectangle: one segment through its middle
            seg(H, 299.75, 100.0, 300.0, 0.5),
            // grey 50×40 rectangle: its four sides
            seg(H, 460.0, 300.0, 350.0, 0.0),
            seg(H, 500.0, 300.0, 350.0, 0.0),
            // re S at y 100..110 (page 700..690)
            seg(H, 690.0, 400.0, 420.0, 2.0),
            seg(H, 700.0, 400.0, 420.0, 2.0),
            // the stroked line 50,50 → 80,50 (the curve and the diagonal give nothing)
            seg(H, 750.0, 50.0, 80.0, 1.0),
        ]
    );
    assert_eq!(
        segments(&page, V),
        vec![
            seg(V, 80.0, 710.0, 750.0, 1.0),
            seg(V, 100.25, 300.0, 400.0, 0.5),
            seg(V, 300.0, 460.0, 500.0, 0.0),
            seg(V, 350.0, 460.0, 500.0, 0.0),
            seg(V, 400.0, 690.0, 700.0, 2.0),
            seg(V, 420.0, 690.0, 700.0, 2.0),
        ]
    );
}

#[test]
fn q_and_cm_transform_paths_and_line_widths() {
    let mut b = PdfBuilder::new();
    b.page(
        "q 2 0 0 2 50 50 cm 0 0 10 10 re S Q 0 0 10 10 re S",
        Dictionary::new(),
    );
    let page = page1(&b.finish(Dictionary::new()));
    let h = segments(&page, Orientation::Horizontal);
    assert_eq!(
        h,
        vec![
            seg(Orientation::Horizontal, 730.0, 50.0, 70.0, 2.0),
            seg(Orientation::Horizontal, 750.0, 50.0, 70.0, 2.0),
            seg(Orientation::Horizontal, 790.0, 0.0, 10.0, 1.0),
            seg(Orientation::Horizontal, 800.0, 0.0, 10.0, 1.0),
        ]
    );
}

#[test]
fn nested_forms_with_inherited_resources_and_recursion_guard() {
    let mut b = PdfBuilder::new();
    let font = simple_font(&mut b, vec![]);
    // X2 moves by its /Matrix and shows text with the page tree's font; X1 (no resources of
    // its own for fonts) draws X2 and itself (a cycle that must be cut).
    let x2 = b.stream(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 10.into(), 20.into()] },
        b"BT /F1 10 Tf 100 700 Td (x) Tj ET 0 0 0 RG 100 100 m 200 100 l S",
    );
    let x1 = b.doc.new_object_id();
    let x1_stream = lopdf::Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
        "Resources" => dictionary! { "XObject" => dictionary! { "X2" => x2, "X1" => x1 } } },
        b"/X2 Do /X1 Do".to_vec(),
    );
    b.doc.objects.insert(x1, Object::Stream(x1_stream));
    b.page(
        "q 1 0 0 1 5 5 cm /X1 Do Q BT /F1 10 Tf 0 0 Td (y) Tj ET",
        Dictionary::new(),
    );
    let mut fonts = font_resources(&[font]);
    fonts.set("XObject", dictionary! { "X1" => x1 });
    let page = page1(&b.finish(dictionary! { "Resources" => fonts }));
    assert_eq!(text(&page), "xy", "X2 drawn once; X1 drawing itself is cut");
    // 100 + 10 (form matrix) + 5 (cm) = 115; y 700 + 20 + 5 → page 75.
    assert_box(&page, 0, [115.0, 75.0 - 8.8, 120.0, 75.0 + 1.2]);
    assert!(
        page.problems
            .iter()
            .any(|w| w.message.contains("recursively")),
        "{:?}",
        page.problems
    );
    // After Q the page's own text is back at the origin.
    assert_box(&page, 1, [0.0, 791.2, 5.0, 801.2]);
}

#[test]
fn rotated_page() {
    let mut b = PdfBuilder::new();
    let font = simple_font(&mut b, vec![]);
    b.page(
        "BT /F1 10 Tf 100 700 Td (a) Tj ET 0 0 0 RG 100 100 m 200 100 l S",
        dictionary! { "Rotate" => 90, "Resources" => font_resources(&[font]) },
    );
    let page = page1(&b.finish(Dictionary::new()));
    // Rotated 90° clockwise: displayed size 800×600, user (x, y) → page (y, x).
    assert_eq!((page.width, page.height), (800.0, 600.0));
    assert_eq!(
        segments(&page, Orientation::Vertical),
        vec![seg(Orientation::Vertical, 100.0, 100.0, 200.0, 1.0)]
    );
    // The glyph runs down the page: x from 700 − 1.2 to 700 + 8.8, y from 100 to 105.
    assert_box(&page, 0, [698.8, 100.0, 708.8, 105.0]);
}

#[test]
fn crop_box_and_inherited_media_box() {
    let mut b = PdfBuilder::new();
    b.page(
        "0 0 0 RG 100 100 m 200 100 l S",
        dictionary! { "CropBox" => vec![50.into(), 50.into(), 550.into(), 750.into()] },
    );
    let mut pages_extra = Dictionary::new();
    pages_extra.set("MediaBox", vec![0.into(), 0.into(), 600.into(), 800.into()]);
    let page = page1(&b.finish(pages_extra));
    assert_eq!((page.width, page.height), (500.0, 700.0));
    assert_eq!(
        segments(&page, Orientation::Horizontal),
        vec![seg(Orientation::Horizontal, 650.0, 50.0, 150.0, 1.0)]
    );
}

#[test]
fn encrypted_with_empty_user_password_opens() {
    use lopdf::{EncryptionState, EncryptionVersion, Permissions};
    let encrypt = |user: &str| {
        let mut b = PdfBuilder::new();
        let font = simple_font(&mut b, vec![]);
        b.page(
            "BT /F1 10 Tf 100 700 Td (secret) Tj ET",
            dictionary! { "Resources" => font_resources(&[font]) },
        );
        let mut doc = b.finish_doc(Dictionary::new());
        doc.trailer.set(
            "ID",
            vec![
                Object::string_literal("0123456789abcdef"),
                Object::string_literal("0123456789abcdef"),
            ],
        );
        let version = EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner",
            user_password: user,
            key_length: 128,
            permissions: Permissions::all(),
        };
        let state = EncryptionState::try_from(version).unwrap();
        doc.encrypt(&state).unwrap();
        save(doc)
    };
    let open = encrypt("");
    assert!(
        !open.windows(6).any(|w| w == b"secret"),
        "the content is really encrypted"
    );
    assert_eq!(text(&page1(&open)), "secret");
    let locked = encrypt("pw");
    assert!(matches!(
        read_pages(&locked, &ExtractOptions::default()),
        Err(ExtractError::Encrypted)
    ));
}

#[test]
fn inline_images_are_skipped_and_xobject_images_kept() {
    let mut b = PdfBuilder::new();
    let font = simple_font(&mut b, vec![]);
    let raw = b.flate_stream(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 1,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        &[0, 255],
    );
    let jpeg = b.stream(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
        "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode" },
        b"\xff\xd8not really a jpeg",
    );
    let mut resources = font_resources(&[font]);
    resources.set("XObject", dictionary! { "Im1" => raw, "Im2" => jpeg });
    b.page(
        "BI /W 2 /H 1 /BPC 8 /CS /G ID \x01\x02 EI BT /F1 10 Tf 100 700 Td (a) Tj ET \
         q 200 0 0 100 50 50 cm /Im1 Do Q /Im2 Do",
        dictionary! { "Resources" => resources },
    );
    let page = page1(&b.finish(Dictionary::new()));
    assert_eq!(text(&page), "a");
    assert_eq!(page.images.len(), 2);
    let im = &page.images[0];
    assert_eq!(
        (im.width, im.height, im.data.as_slice()),
        (2, 1, &[0u8, 255][..])
    );
    assert_eq!(im.encoding, jixiao_extract::ImageEncoding::Raw);
    // The unit square's corner (1, 1) lands at user (250, 150) → page (250, 650).
    assert_eq!(im.ctm.apply(1.0, 1.0), (250.0, 650.0));
    assert_eq!(page.images[1].data, b"\xff\xd8not really a jpeg");
    assert!(matches!(
        page.images[1].encoding,
        jixiao_extract::ImageEncoding::Dct { .. }
    ));
}

#[test]
fn limits_stop_a_page_with_a_warning() {
    let mut b = PdfBuilder::new();
    b.page(&"0 0 m 10 0 l S ".repeat(100), Dictionary::new());
    let bytes = b.finish(Dictionary::new());
    let mut opts = ExtractOptions::default();
    opts.limits.max_operators_per_page = 30;
    let pages = read_pages(&bytes, &opts).unwrap();
    assert_eq!(pages[0].segments.len(), 10);
    assert!(pages[0]
        .problems
        .iter()
        .any(|w| w.message.contains("30 operators")));
}

#[test]
fn damaged_content_is_reported_and_read_past() {
    let mut b = PdfBuilder::new();
    b.page(
        "0 0 0 RG 0 0 m 10 0 l S ] } 0 0 m 0 10 l S",
        Dictionary::new(),
    );
    let page = page1(&b.finish(Dictionary::new()));
    assert!(
        page.problems
            .iter()
            .any(|w| w.message.contains("2 damaged tokens")),
        "{:?}",
        page.problems
    );
    assert_eq!(
        page.segments.len(),
        2,
        "what follows the damage is read too"
    );
}

#[test]
fn not_a_pdf_and_page_range() {
    assert!(matches!(
        read_pages(b"hello", &ExtractOptions::default()),
        Err(ExtractError::NotPdf)
    ));
    let opts = ExtractOptions {
        pages: Some((2, 2)),
        ..ExtractOptions::default()
    };
    assert!(matches!(
        read_pages(&table_document(), &opts),
        Err(ExtractError::PageOutOfRange {
            requested: 2,
            pages: 1
        })
    ));
}

/// Stands in for OCR: reports one text box and one segment, and counts its calls.
struct FakeOcr(std::sync::atomic::AtomicUsize);

impl jixiao_extract::RasterReader for FakeOcr {
    fn read_page(
        &self,
        page: &PageContent,
        _settings: &jixiao_extract::TableSettings,
    ) -> Result<jixiao_extract::RasterPage, Box<dyn std::error::Error + Send + Sync>> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            page.images.len(),
            1,
            "the reader gets the page with its image"
        );
        Ok(jixiao_extract::RasterPage {
            text: vec![jixiao_extract::TextBox {
                text: "OCR".into(),
                bbox: jixiao_extract::Rect {
                    x0: 1.0,
                    y0: 1.0,
                    x1: 2.0,
                    y1: 2.0,
                },
                font_size: 1.0,
                confidence: Some(0.9),
                direction: Default::default(),
                source: Default::default(),
                glyph: None,
                alternatives: Default::default(),
            }],
            segments: vec![seg(Orientation::Horizontal, 5.0, 0.0, 10.0, 1.0)],
        })
    }
}

#[test]
fn pages_without_a_usable_text_layer_go_to_the_raster_reader() {
    let mut b = PdfBuilder::new();
    let scan = b.stream(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        &[0],
    );
    let font = simple_font(&mut b, vec![]);
    // Page 1: a scan. Page 2: text. Page 3: blank.
    b.page(
        "q 600 0 0 800 0 0 cm /Im1 Do Q",
        dictionary! { "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => scan } } },
    );
    b.page(
        "BT /F1 10 Tf 100 700 Td (text) Tj ET",
        dictionary! { "Resources" => font_resources(&[font]) },
    );
    b.page("", Dictionary::new());
    let bytes = b.finish(Dictionary::new());
    let opts = ExtractOptions::default();

    let ocr = FakeOcr(Default::default());
    let with = jixiao_extract::extract(&bytes, "scan.pdf", &opts, Some(&ocr)).unwrap();
    assert_eq!(with.pages, 3);
    assert_eq!(with.raster_pages, vec![1]);
    assert_eq!(ocr.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(with.problems.is_empty(), "{:?}", with.problems);

    let without = jixiao_extract::extract(&bytes, "scan.pdf", &opts, None).unwrap();
    assert!(without.raster_pages.is_empty());
    assert_eq!(without.problems.len(), 1);
    assert_eq!(without.problems[0].page, 1);
}

/// Every sample PDF rendered by Chromium and LibreOffice reads without a warning: each page
/// has a usable text layer and ruling segments, and the report headings come out as printed.
#[test]
fn sample_pdfs_read_cleanly() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    let mut files = 0;
    for producer in ["chromium", "libreoffice"] {
        let Ok(dir) = std::fs::read_dir(samples.join(producer)) else {
            continue;
        };
        for path in dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        {
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            let pages = read_pages(&bytes, &ExtractOptions::default()).unwrap();
            let mut all = String::new();
            for page in &pages {
                assert!(
                    page.problems.is_empty(),
                    "{} p{}: {:?}",
                    path.display(),
                    page.number,
                    page.problems
                );
                if !page.text.is_empty() {
                    assert!(has_usable_text(page), "{} p{}", path.display(), page.number);
                }
                all.push_str(&text(page));
            }
            assert!(all.contains("项目名称"), "{}", path.display());
            assert!(
                pages.iter().any(|p| !p.segments.is_empty()),
                "{}",
                path.display()
            );
            assert!(!all.contains('\u{FFFD}'), "{}", path.display());
        }
    }
    eprintln!("{files} sample PDFs read");
}

#[test]
fn actual_text_replaces_the_glyphs_of_marked_spans() {
    let mut b = PdfBuilder::new();
    let font = simple_font(&mut b, vec![]);
    // A form whose glyph lies inside the page's open span and whose stray EMC cannot end it.
    let form = b.stream(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()] },
        b"BT /F1 10 Tf 200 600 Td EMC (a) Tj ET",
    );
    let mut resources = font_resources(&[font]);
    resources.set("XObject", dictionary! { "Fm0" => form });
    resources.set(
        "Properties",
        dictionary! { "MC0" => dictionary! { "ActualText" => Object::string_literal(&b"\xFE\xFF\x2F\x6C"[..]) } },
    );
    b.page(
        // Every glyph is 5 wide at size 10, drawn from x = 100.
        "BT /F1 10 Tf 100 700 Td \
         /Span <</ActualText <FEFF6237>>> BDC (a) Tj EMC \
         /Span <</Lang (zh) /ActualText (xy)>> BDC (ab) Tj EMC \
         /P /MC0 BDC (a) Tj EMC \
         /Span <</ActualText <FEFF0066FB01>>> BDC [(a) (b) (c)] TJ EMC \
         /Artifact <</ActualText ()>> BDC (a) Tj EMC \
         /Span <</MCID 3>> BDC /X BMC (b) Tj EMC EMC ET \
         /Span <</ActualText <FEFF00D7>>> BDC /Fm0 Do",
        dictionary! { "Resources" => resources },
    );
    let page = page1(&b.finish(Dictionary::new()));
    let texts: Vec<&str> = page.text.iter().map(|t| t.text.as_str()).collect();
    // 户 for the glyph (U+6236 in a real font's ToUnicode); one character per glyph when the
    // counts match (PDFDocEncoding); a named property list, folded (KANGXI RADICAL EYE → 目);
    // counts that differ: one box with the whole folded text; an empty ActualText hides its
    // glyph; no ActualText: the glyph's own text; a span left open at the end of the page
    // takes the form's glyph.
    assert_eq!(texts, ["户", "x", "y", "目", "ffi", "b", "×"]);
    let y = [91.2, 101.2];
    assert_box(&page, 0, [100.0, y[0], 105.0, y[1]]);
    assert_box(&page, 1, [105.0, y[0], 110.0, y[1]]);
    assert_box(&page, 2, [110.0, y[0], 115.0, y[1]]);
    assert_box(&page, 3, [115.0, y[0], 120.0, y[1]]);
    assert_box(&page, 4, [120.0, y[0], 135.0, y[1]]);
    assert_box(&page, 5, [140.0, y[0], 145.0, y[1]]);
    assert_box(&page, 6, [200.0, 191.2, 205.0, 201.2]);
}
