//! Shared helpers for the benchmarks: locating the bundled samples.
