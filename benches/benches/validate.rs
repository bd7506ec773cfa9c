//! Benchmark of the validate stage (being written).
fn main() {}
