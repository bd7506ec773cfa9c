//! The fused PP-OCRv4 models compute what the published ones do: both are run by ONNX
//! Runtime on the same inputs and their outputs compared. Skipped (with a message) when
//! the models are not installed.

mod common;

use jixiao_ocr::engine::{DET_MODEL, REC_MODEL};
use jixiao_ocr::fuse::fuse_model;
use ort::session::Session;
use ort::value::Tensor;

/// A page-like input: white paper with dark strokes, pseudo-random but fixed.
fn input(height: usize, width: usize) -> Vec<f32> {
    let mut state = 0x2545_f491_u32;
    let mut plane = Vec::with_capacity(height * width);
    for y in 0..height {
        for x in 0..width {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let stroke = (x / 3 + y / 5) % 7 == 0 || state.is_multiple_of(29);
            plane.push(if stroke { -0.9 } else { 0.95 });
        }
    }
    plane.repeat(3)
}

fn run(session: &mut Session, shape: [usize; 4], data: &[f32]) -> Vec<f32> {
    let shape: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    let tensor = Tensor::from_array((shape, data.to_vec())).unwrap();
    let outputs = session.run(ort::inputs![tensor]).unwrap();
    outputs[0].try_extract_tensor::<f32>().unwrap().1.to_vec()
}

#[test]
fn fused_models_give_the_same_outputs() {
    let Some((library, config)) = common::installed() else {
        return;
    };
    let env = ort::init_from(&library).unwrap().build().unwrap();
    for (model, shape) in [(REC_MODEL, [1, 3, 48, 240]), (DET_MODEL, [1, 3, 96, 160])] {
        let published = std::fs::read(config.models_dir.join(model)).unwrap();
        let fused = fuse_model(&published).unwrap();
        assert!(fused.len() < published.len(), "{model}: nothing was fused");
        let data = input(shape[2], shape[3]);
        let [a, b] = [&published, &fused].map(|bytes| {
            let mut session = Session::builder(&env)
                .unwrap()
                .commit_from_memory(bytes)
                .unwrap();
            run(&mut session, shape, &data)
        });
        assert_eq!(a.len(), b.len(), "{model}: output size");
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-3, "{model}: outputs differ by up to {worst}");
    }
}
