//! The pipeline behind `parse` and `ingest`: extract → normalize → validate, with the OCR
//! reader built lazily the first time a page needs the raster path.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use jixiao_extract::{
    Budget, BudgetError, ExtractError, ExtractOptions, Extraction, PageContent, RasterPage,
    RasterReader, TableSettings,
};
use jixiao_normalize::ParseOutput;
use jixiao_ocr::{OcrConfig, OcrReader};

use crate::ingest::Parsed;
use crate::limits::FileLimits;
use crate::walk::sha256_hex;

/// Why a file could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Extract(#[from] ExtractError),
    /// The file went over its memory share or its time limit.
    #[error("{error} ({how})")]
    OverBudget { error: BudgetError, how: String },
    /// A page needed OCR and the OCR reader could not be built (models missing …).
    #[error("{0}")]
    Ocr(String),
}

/// The pipeline with its settings; shared by all worker threads.
pub struct Pipeline {
    options: ExtractOptions,
    ocr_config: OcrConfig,
    ocr: OnceLock<Result<OcrReader, String>>,
    /// Memory and time of each file; none when `None`.
    file_limits: Option<FileLimits>,
}

impl Pipeline {
    /// A pipeline with these extraction options; OCR from `ocr_config` when first needed.
    pub fn new(options: ExtractOptions, ocr_config: OcrConfig) -> Pipeline {
        Pipeline {
            options,
            ocr_config,
            ocr: OnceLock::new(),
            file_limits: None,
        }
    }

    /// The pipeline with each file's memory share and time limit.
    pub fn with_file_limits(mut self, limits: FileLimits) -> Pipeline {
        self.file_limits = Some(limits);
        self
    }

    /// Extraction of one PDF. A file that needs OCR when OCR cannot be built fails with the
    /// OCR error's message (which names the set-up command); other files never build it.
    pub fn extract(&self, bytes: &[u8], file: &str) -> Result<Extraction, PipelineError> {
        self.extract_with(bytes, file, &self.options)
    }

    /// [`Pipeline::extract`] with other options (e.g. a page range).
    pub fn extract_with(
        &self,
        bytes: &[u8],
        file: &str,
        options: &ExtractOptions,
    ) -> Result<Extraction, PipelineError> {
        let raster = LazyRaster::new(self);
        let mut options = options.clone();
        if let Some(limits) = &self.file_limits {
            let share = usize::try_from(limits.memory_share()).unwrap_or(usize::MAX);
            options.limits.budget = Budget::new(share, limits.timeout);
        }
        let over_budget = |error: BudgetError| PipelineError::OverBudget {
            how: match &error {
                BudgetError::Memory { .. } => {
                    self.file_limits.map_or_else(String::new, |l| l.describe())
                }
                BudgetError::Time(_) => "--file-timeout".to_string(),
            },
            error,
        };
        // The file's bytes are the first thing it holds.
        options
            .limits
            .budget
            .reserve(bytes.len(), "the file's bytes")
            .map_err(over_budget)?
            .keep();
        let extraction =
            jixiao_extract::extract(bytes, file, &options, Some(&raster)).map_err(|e| match e {
                ExtractError::Budget(error) => over_budget(error),
                e => e.into(),
            })?;
        if raster.failed.load(Ordering::Relaxed) {
            if let Some(Err(message)) = self.ocr.get() {
                return Err(PipelineError::Ocr(message.clone()));
            }
        }
        Ok(extraction)
    }

    /// Reads one page through OCR when it has no usable text layer (as [`Pipeline::extract`]
    /// does for every page): `Ok(true)` when it was read so, `Ok(false)` when it did not need
    /// it, `Err` with the reason when it needed it and could not be read.
    pub fn read_raster(&self, page: &mut PageContent) -> Result<bool, String> {
        let raster = LazyRaster::new(self);
        jixiao_extract::read_raster(page, Some(&raster), &self.options.table)
    }

    /// `jixiao parse`: records of one PDF with their findings; `file` is recorded as given.
    pub fn parse(&self, bytes: &[u8], file: &str) -> Result<ParseOutput, PipelineError> {
        Ok(self.parse_full(bytes, file, &sha256_hex(bytes))?.1)
    }

    fn parse_full(
        &self,
        bytes: &[u8],
        file: &str,
        sha256: &str,
    ) -> Result<(Extraction, ParseOutput), PipelineError> {
        let extraction = self.extract(bytes, file)?;
        let mut output = jixiao_normalize::normalize(&extraction, sha256);
        jixiao_validate::validate_document(&mut output.reports);
        Ok((extraction, output))
    }

    /// The per-file step of `ingest`: pages, records, and everything that could not be read
    /// (page problems, skipped tables) that decides the file's status.
    pub fn process(&self, bytes: &[u8], file: &str, sha256: &str) -> Result<Parsed, String> {
        let (extraction, output) = self
            .parse_full(bytes, file, sha256)
            .map_err(|e| e.to_string())?;
        Ok(Parsed {
            pages: extraction.pages,
            output,
        })
    }

    fn ocr(&self) -> &Result<OcrReader, String> {
        self.ocr
            .get_or_init(|| OcrReader::new(self.ocr_config.clone()).map_err(|e| e.to_string()))
    }
}

/// The raster reader handed to one extraction: builds the shared OCR reader on first use and
/// remembers whether this document needed it when it could not be built.
struct LazyRaster<'a> {
    pipeline: &'a Pipeline,
    failed: AtomicBool,
}

impl<'a> LazyRaster<'a> {
    fn new(pipeline: &'a Pipeline) -> LazyRaster<'a> {
        LazyRaster {
            pipeline,
            failed: AtomicBool::new(false),
        }
    }
}

impl RasterReader for LazyRaster<'_> {
    fn read_page(
        &self,
        page: &PageContent,
        settings: &TableSettings,
    ) -> Result<RasterPage, Box<dyn std::error::Error + Send + Sync>> {
        match self.pipeline.ocr() {
            Ok(reader) => reader.read_page(page, settings),
            Err(message) => {
                self.failed.store(true, Ordering::Relaxed);
                Err(message.clone().into())
            }
        }
    }
}
