//! Pages without a text layer go to the raster reader: in parallel, with results in page order.

mod interp_pdfs;

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use interp_pdfs::PdfBuilder;
use jixiao_extract::{
    extract, ExtractOptions, PageContent, RasterPage, RasterReader, TableSettings,
};
use lopdf::{dictionary, Dictionary};

/// A document of `pages` pages, each only a full-page image (a scan), all different (equal
/// scans would be recognised once).
fn scanned_document(pages: usize) -> Vec<u8> {
    let mut b = PdfBuilder::new();
    for i in 0..pages {
        let image = b.flate_stream(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
            &[0, 255, 255, i as u8],
        );
        b.page(
            "q 600 0 0 800 0 0 cm /Im1 Do Q",
            dictionary! { "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image } } },
        );
    }
    b.finish(Dictionary::new())
}

/// Fails on page 3; otherwise waits (up to 10 s) until another page is being read at the same
/// time, and records whether that happened.
#[derive(Default)]
struct Rendezvous {
    reading: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl RasterReader for Rendezvous {
    fn read_page(
        &self,
        page: &PageContent,
        _settings: &TableSettings,
    ) -> Result<RasterPage, Box<dyn std::error::Error + Send + Sync>> {
        let mut state = self.reading.lock().unwrap();
        state.0 += 1;
        if state.0 > 1 {
            state.1 = true;
        }
        self.changed.notify_all();
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, Duration::from_secs(10), |s| !s.1)
            .unwrap();
        state.0 -= 1;
        drop(state);
        if page.number == 3 {
            return Err("unreadable scan".into());
        }
        Ok(RasterPage::default())
    }
}

#[test]
fn scanned_pages_are_read_in_parallel_and_reported_in_page_order() {
    let pdf = scanned_document(5);
    let reader = Rendezvous::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let extraction = pool
        .install(|| extract(&pdf, "scan.pdf", &ExtractOptions::default(), Some(&reader)))
        .unwrap();
    assert!(reader.reading.lock().unwrap().1, "two pages read at once");
    assert_eq!(extraction.raster_pages, [1, 2, 4, 5]);
    let warned: Vec<u32> = extraction.problems.iter().map(|w| w.page).collect();
    assert_eq!(warned, [3]);
    assert!(extraction.problems[0].message.contains("unreadable scan"));
}
