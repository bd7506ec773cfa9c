//! PP-OCRv4 through ONNX Runtime builds its model instances when first needed: the detector
//! on its first call, a second recogniser only when two threads recognise at once. Skipped
//! (with a message) when the models are not installed; CI installs them.

mod common;

use jixiao_ocr::{Gray, OcrEngine, PpOcr};

#[test]
fn lazily_built_instances_detect_and_recognise_from_several_threads() {
    let Some((library, config)) = common::installed() else {
        return;
    };
    let engine = PpOcr::load(&library, &config.models_dir, 2).unwrap();
    // The detector is built here, on its first call; a blank page has no text.
    assert!(engine.detect(&Gray::new(320, 160)).unwrap().is_empty());
    // Two threads at once: the second builds the second recogniser instead of waiting.
    let blank = vec![Gray::new(96, 32); 8];
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| engine.recognize(&blank)))
            .collect();
        for run in runs {
            let lines = run.join().unwrap().unwrap();
            assert_eq!(lines.len(), blank.len());
            assert!(lines.iter().all(|l| l.text.trim().is_empty()), "{lines:?}");
        }
    });
}
