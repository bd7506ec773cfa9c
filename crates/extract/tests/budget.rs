//! The document budget: memory share and deadline, and images recognised once per document.

mod interp_pdfs;

use std::time::Duration;

use interp_pdfs::PdfBuilder;
use jixiao_extract::{
    extract, Budget, BudgetError, ExtractError, ExtractOptions, PageContent, RasterPage,
    RasterReader, Rect, TableSettings, TextBox, TextSource,
};
use lopdf::{dictionary, Dictionary};

/// A raster reader that records how many images each call was given, and reads one word
/// per page.
#[derive(Default)]
struct Counting(std::sync::Mutex<Vec<usize>>);

impl RasterReader for Counting {
    fn read_page(
        &self,
        page: &PageContent,
        _: &TableSettings,
    ) -> Result<RasterPage, Box<dyn std::error::Error + Send + Sync>> {
        self.0.lock().unwrap().push(page.images.len());
        Ok(RasterPage {
            text: vec![TextBox {
                text: format!("{} images", page.images.len()),
                bbox: Rect::from_corners(10.0, 10.0, 50.0, 20.0),
                font_size: 10.0,
                confidence: Some(1.0),
                direction: Default::default(),
                source: TextSource::Ocr,
                glyph: None,
                alternatives: Default::default(),
            }],
            segments: Vec::new(),
        })
    }
}

fn options(budget: Budget) -> ExtractOptions {
    let mut opts = ExtractOptions::default();
    opts.limits.budget = budget;
    opts
}

#[test]
fn an_image_drawn_many_times_is_recognised_once_per_document() {
    let mut b = PdfBuilder::new();
    let image = b.flate_stream(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 4, "Height" => 4,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        &[128; 16],
    );
    // The same samples again, in another object.
    let copy = b.flate_stream(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 4, "Height" => 4,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        &[128; 16],
    );
    let resources = dictionary! { "Resources" => dictionary! {
    "XObject" => dictionary! { "Scan" => image, "Copy" => copy } } };
    let draw = |name: &str, x: usize| format!("q 500 0 0 700 {x} 50 cm /{name} Do Q ");
    // Page 1 stamps the scan 100 times, each a little further right; page 2 draws it once
    // where page 1 drew it first; page 3 elsewhere; page 4 draws the copy there, then the
    // scan elsewhere.
    let stamped: String = (0..100).map(|i| draw("Scan", 50 + i)).collect();
    b.page(&stamped, resources.clone());
    b.page(&draw("Scan", 50), resources.clone());
    b.page(&draw("Scan", 60), resources.clone());
    b.page(&(draw("Copy", 60) + &draw("Scan", 70)), resources);
    let bytes = b.finish(Dictionary::new());

    let reader = Counting::default();
    let budget = Budget::unlimited();
    let extraction = extract(&bytes, "x.pdf", &options(budget.clone()), Some(&reader)).unwrap();
    assert_eq!(extraction.raster_pages, vec![1, 2, 3, 4]);
    // Pages 1 and 2 show the reader the same image at the same place, and so do pages 3
    // and 4: two readings, of one image each.
    assert_eq!(*reader.0.lock().unwrap(), vec![1, 1]);
    let pages = jixiao_extract::interp::read_pages(&bytes, &ExtractOptions::default()).unwrap();
    assert_eq!(
        pages.iter().map(|p| p.images.len()).collect::<Vec<_>>(),
        vec![1, 1, 1, 2]
    );
    assert!(budget.peak() > 0 && budget.used() >= 16);
}

/// A one-page document whose content stream holds `bytes` bytes of comments.
fn large_page(bytes: usize) -> Vec<u8> {
    let mut b = PdfBuilder::new();
    let content = format!("%{}\n0 0 m 100 0 l S", "x".repeat(bytes));
    b.page(&content, Dictionary::new());
    b.finish(Dictionary::new())
}

#[test]
fn a_document_over_its_memory_share_fails_with_what_needed_it() {
    let bytes = large_page(4 << 20);
    let small = Budget::new(1 << 20, None);
    let err = extract(&bytes, "x.pdf", &options(small.clone()), None).unwrap_err();
    let ExtractError::Budget(BudgetError::Memory { what, limit, .. }) = &err else {
        panic!("{err}");
    };
    assert_eq!((what.as_str(), *limit), ("the PDF's streams", 1 << 20));
    assert!(small.peak() <= 1 << 20);

    let enough = Budget::new(64 << 20, None);
    extract(&bytes, "x.pdf", &options(enough.clone()), None).unwrap();
    assert!(enough.peak() >= 4 << 20 && enough.peak() <= 64 << 20);
}

#[test]
fn a_document_past_its_deadline_fails() {
    let bytes = large_page(10);
    let late = Budget::new(usize::MAX, Some(Duration::ZERO));
    let err = extract(&bytes, "x.pdf", &options(late), None).unwrap_err();
    assert!(
        matches!(err, ExtractError::Budget(BudgetError::Time(_))),
        "{err}"
    );
    assert!(err.to_string().contains("time budget exceeded"), "{err}");
}
