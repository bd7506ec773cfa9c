//! Typed errors of the extraction layer.

use thiserror::Error;

/// Why a document (or one page of it) could not be read.
#[derive(Debug, Error)]
pub enum ExtractError {
    /// The bytes are not a PDF at all (no `%PDF-` header anywhere near the start).
    #[error("not a PDF file")]
    NotPdf,
    /// The file is a PDF that lopdf could not parse, even after xref repair.
    #[error("corrupt PDF: {0}")]
    Corrupt(String),
    /// The file is encrypted and the empty user password does not open it.
    #[error("encrypted PDF: a password is required")]
    Encrypted,
    /// The document's memory or time budget ran out.
    #[error(transparent)]
    Budget(#[from] crate::budget::BudgetError),
    /// A work limit was hit (decompressed size, operators, nesting depth …).
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// A page number asked for does not exist.
    #[error("page {requested} out of range (document has {pages} pages)")]
    PageOutOfRange { requested: u32, pages: u32 },
    /// A page has no text layer and no raster reader was configured (or it failed).
    #[error("page {page}: {message}")]
    Raster { page: u32, message: String },
    /// Reading the file from disk failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}
