//! The `jixiao` command line as a library: ingest engine, atomic output and the golden-file
//! harness, so tests and benchmarks drive exactly what the binary runs. The dataset files and
//! the manifest are `jixiao-dataset`'s.

pub use jixiao_dataset::manifest;

pub mod checkpoint;
pub mod golden;
pub mod ingest;
pub mod limits;
pub mod merge;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod shard;
pub mod stage;
pub mod walk;
