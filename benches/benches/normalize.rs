//! Benchmark of the normalize stage (being written).
fn main() {}
