//! Benchmark of the ocr stage (being written).
fn main() {}
