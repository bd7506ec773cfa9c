//! The `jixiao` command line as a library: ingest engine, dataset writers, manifest, atomic
//! output and the golden-file harness, so tests and benchmarks drive exactly what the binary
//! runs.

pub mod dataset;
pub mod golden;
pub mod ingest;
pub mod manifest;
pub mod pipeline;
pub mod progress;
pub mod stage;
pub mod walk;
