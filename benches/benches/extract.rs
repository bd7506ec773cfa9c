//! Benchmark of the extract stage (being written).
fn main() {}
