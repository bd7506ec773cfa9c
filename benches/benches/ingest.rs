//! Benchmark of the ingest stage (being written).
fn main() {}
