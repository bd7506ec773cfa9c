//! The content-stream interpreter (being written).
