//! Without the models, the reader fails with a typed error that names the set-up command.

use jixiao_ocr::{OcrConfig, OcrError, OcrReader, SETUP_COMMAND};

#[test]
fn missing_models_name_the_setup_command() {
    let dir = std::env::temp_dir().join(format!("jixiao-ocr-no-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for models_dir in [dir.clone(), dir.join("does-not-exist")] {
        let config = OcrConfig {
            models_dir: models_dir.clone(),
            ..OcrConfig::default()
        };
        let err = OcrReader::new(config).unwrap_err();
        assert!(
            matches!(&err, OcrError::ModelsMissing { dir, .. } if *dir == models_dir),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(SETUP_COMMAND) && message.contains("JIXIAO_MODELS"),
            "{message}"
        );
    }
    // The runtime present but a model missing: the model is named.
    std::fs::write(dir.join("libonnxruntime.so.1.32.0"), b"").unwrap();
    let err = OcrReader::new(OcrConfig {
        models_dir: dir.clone(),
        ..OcrConfig::default()
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("ch_PP-OCRv4_det_infer.onnx"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
