//! Text recognition engines: the [`OcrEngine`] trait and PP-OCRv4 (PaddleOCR's Chinese
//! models) run through ONNX Runtime, loaded at run time from the set-up directory.

use crate::bitmap::{Gray, PixelRect};
use crate::error::OcrError;
use crate::fuse::fuse_model;
use jixiao_extract::Alternatives;
use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// One recognised text line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recognized {
    pub text: String,
    /// Mean of the per-character maximum probabilities, 0..=1 (0 for an empty line).
    pub confidence: f32,
    /// Centre of each character of `text` as a fraction of the line image's width
    /// (empty when the engine does not locate characters).
    pub positions: Vec<f32>,
    /// Characters the decoder passed over: where "no character" won by a small margin, the
    /// most probable character there, left to right (see [`RunnerUp`]).
    pub runners_up: Vec<RunnerUp>,
    /// For each character of `text`: the [`ALTERNATIVES`] most probable characters over the
    /// steps that emitted it (each at its highest probability there), most probable first;
    /// empty when the engine gives none.
    pub alternatives: Vec<Alternatives>,
}

/// Characters kept per character read in [`Recognized::alternatives`].
pub const ALTERNATIVES: usize = 5;

/// A character the recogniser found less likely than "no character" at some place of the
/// line (the CTC blank won), but likely enough to be worth a look when the ink there is
/// not explained by the characters read.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerUp {
    pub text: String,
    /// Where, as a fraction of the line image's width.
    pub position: f32,
    pub probability: f32,
}

/// A text recogniser: line images in, text out. Implementations must be usable from
/// several threads at once.
pub trait OcrEngine: Send + Sync {
    /// Recognises each image, one text line per image, in the same order.
    fn recognize(&self, lines: &[Gray]) -> Result<Vec<Recognized>, OcrError>;
    /// Finds text line boxes in an image (pixel coordinates of `image`), top to bottom.
    fn detect(&self, image: &Gray) -> Result<Vec<PixelRect>, OcrError>;
}

/// File names of the PP-OCRv4 models inside the models directory.
pub const DET_MODEL: &str = "ch_PP-OCRv4_det_infer.onnx";
/// See [`DET_MODEL`].
pub const REC_MODEL: &str = "ch_PP-OCRv4_rec_infer.onnx";
/// Input height of the recognition model.
const REC_HEIGHT: u32 = 48;
/// Widest line image given to the recogniser (longer lines are squeezed).
const REC_MAX_WIDTH: u32 = 3200;
/// Lines recognised per model run: the model's cost grows with the padded batch width,
/// and measured here a batch of 8 was no faster than 8 single runs, so lines go one by one.
const REC_BATCH: usize = 1;
/// Longest side of an image given to the detector.
const DET_MAX_SIDE: u32 = 960;

/// Up to a few instances of a model, so that pages on different threads run at the same
/// time. Instances are built when first needed: a one-page document never pays for the
/// second one, and a model never used (the detector, when every block splits by
/// projection) costs only reading and rewriting its file.
struct Pool {
    env: &'static Environment,
    path: PathBuf,
    /// The model with its convolution blocks fused ([`fuse_model`]).
    model: Vec<u8>,
    /// Slot `i` holds instance `i` once built (or why it could not be built).
    sessions: Vec<OnceLock<Result<Mutex<Session>, String>>>,
    next: AtomicUsize,
}

impl Pool {
    /// A pool of up to `instances` sessions of the model at `path`; none built yet.
    fn load(env: &'static Environment, path: &Path, instances: usize) -> Result<Pool, OcrError> {
        let model = std::fs::read(path).map_err(|e| {
            OcrError::Runtime(format!("{}: cannot read: {}", path.display(), e.kind()))
        })?;
        Ok(Pool {
            env,
            path: path.to_path_buf(),
            model: fuse_model(&model)?,
            sessions: (0..instances.max(1)).map(|_| OnceLock::new()).collect(),
            next: AtomicUsize::new(0),
        })
    }

    fn build(&self) -> Result<Mutex<Session>, String> {
        Session::builder(self.env)
            .and_then(|b| b.with_intra_threads(1).map_err(ort::Error::from))
            .and_then(|b| b.with_inter_threads(1).map_err(ort::Error::from))
            .and_then(|b| {
                b.with_optimization_level(GraphOptimizationLevel::Level3)
                    .map_err(ort::Error::from)
            })
            .and_then(|mut b| b.commit_from_memory(&self.model))
            .map(Mutex::new)
            .map_err(|e| format!("loading {}: {e}", self.path.display()))
    }

    /// The instances built so far.
    fn built(&self) -> impl Iterator<Item = &Mutex<Session>> {
        self.sessions.iter().filter_map(|s| s.get()?.as_ref().ok())
    }

    /// A free instance; else a new one while fewer than `instances` exist; else (all busy)
    /// the next built one in turn.
    fn get(&self) -> Result<MutexGuard<'_, Session>, OcrError> {
        for session in self.built() {
            if let Ok(guard) = session.try_lock() {
                return Ok(guard);
            }
        }
        if let Some(slot) = self.sessions.iter().find(|s| s.get().is_none()) {
            if let Ok(session) = slot.get_or_init(|| self.build()) {
                if let Ok(guard) = session.try_lock() {
                    return Ok(guard);
                }
            }
        }
        let built: Vec<&Mutex<Session>> = self.built().collect();
        if built.is_empty() {
            let why = self
                .sessions
                .iter()
                .find_map(|s| s.get()?.as_ref().err().cloned())
                .unwrap_or_else(|| format!("no instance of {}", self.path.display()));
            return Err(OcrError::Runtime(why));
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % built.len();
        Ok(built[i]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

/// PP-OCRv4 detection + recognition through ONNX Runtime (one intra-op thread per instance).
pub struct PpOcr {
    det: Pool,
    rec: Pool,
    /// Index 0 is the CTC blank.
    charset: Vec<String>,
}

/// Loads ONNX Runtime once per process (it cannot be loaded twice; later calls get the
/// environment of the first).
fn init_runtime(library: &Path) -> Result<&'static Environment, OcrError> {
    static INIT: OnceLock<Result<Environment, String>> = OnceLock::new();
    INIT.get_or_init(|| {
        ort::init_from(library)
            .map_err(|e| format!("cannot load {}: {e}", library.display()))?
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| OcrError::Runtime(e.clone()))
}

impl PpOcr {
    /// Loads the runtime library and both models; `instances` copies of each model.
    pub fn load(library: &Path, models: &Path, instances: usize) -> Result<PpOcr, OcrError> {
        let env = init_runtime(library)?;
        let det = Pool::load(env, &models.join(DET_MODEL), instances)?;
        let rec = Pool::load(env, &models.join(REC_MODEL), instances)?;
        let characters = {
            let session = rec.get()?;
            let meta = session.metadata()?;
            meta.custom("character").ok_or_else(|| {
                OcrError::Model("recognition model has no `character` metadata".into())
            })?
        };
        let mut charset = vec![String::new()];
        charset.extend(characters.lines().map(str::to_owned));
        let classes = {
            let session = rec.get()?;
            match session
                .outputs()
                .first()
                .map(|o| o.dtype().tensor_shape().map(|s| s.to_vec()))
            {
                Some(Some(shape)) => shape.last().copied().unwrap_or(-1),
                _ => -1,
            }
        };
        // PaddleOCR appends a space class when `use_space_char` was set in training.
        if classes < 0 || classes as usize == charset.len() + 1 {
            charset.push(" ".into());
        }
        Ok(PpOcr { det, rec, charset })
    }

    /// Number of output classes (blank included).
    pub fn classes(&self) -> usize {
        self.charset.len()
    }

    fn recognize_batch(&self, lines: &[&Gray]) -> Result<Vec<Recognized>, OcrError> {
        let widths: Vec<u32> = lines.iter().map(|g| rec_width(g)).collect();
        let batch_width = widths.iter().copied().max().unwrap_or(REC_HEIGHT);
        let plane = (REC_HEIGHT * batch_width) as usize;
        let mut input = vec![0f32; lines.len() * 3 * plane];
        for (i, (line, &w)) in lines.iter().zip(&widths).enumerate() {
            let resized = line.resize(w, REC_HEIGHT);
            for y in 0..REC_HEIGHT as usize {
                for x in 0..w as usize {
                    let v = f32::from(resized.data[y * w as usize + x]) / 127.5 - 1.0;
                    for c in 0..3 {
                        input[(i * 3 + c) * plane + y * batch_width as usize + x] = v;
                    }
                }
            }
        }
        let shape = vec![
            lines.len() as i64,
            3,
            i64::from(REC_HEIGHT),
            i64::from(batch_width),
        ];
        let tensor = Tensor::from_array((shape, input))?;
        let mut session = self.rec.get()?;
        let outputs = session.run(ort::inputs![tensor])?;
        let (shape, probs) = outputs[0].try_extract_tensor::<f32>()?;
        if shape.len() != 3
            || shape[0] as usize != lines.len()
            || shape[2] as usize != self.charset.len()
        {
            return Err(OcrError::Model(format!(
                "recognition output shape {:?}, expected [{}, T, {}]",
                &shape[..],
                lines.len(),
                self.charset.len()
            )));
        }
        let (steps, classes) = (shape[1] as usize, shape[2] as usize);
        Ok((0..lines.len())
            .map(|i| {
                let slice = &probs[i * steps * classes..(i + 1) * steps * classes];
                let mut r = ctc_greedy(slice, classes, &self.charset);
                // Steps cover the padded batch width; positions are relative to this line.
                let scale = batch_width as f32 / widths[i] as f32;
                r.positions
                    .iter_mut()
                    .chain(r.runners_up.iter_mut().map(|u| &mut u.position))
                    .for_each(|p| *p = (*p * scale).min(1.0));
                r
            })
            .collect())
    }
}

/// Width of a line image scaled to the recogniser's height.
fn rec_width(g: &Gray) -> u32 {
    let w =
        (f64::from(REC_HEIGHT) * f64::from(g.width) / f64::from(g.height.max(1))).round() as u32;
    w.clamp(REC_HEIGHT / 3, REC_MAX_WIDTH)
}

/// Least probability for a passed-over character to be kept as a [`RunnerUp`].
const RUNNER_UP_MIN: f32 = 0.05;

/// Greedy CTC decoding: best class per step, repeats collapsed, blanks (0) dropped. Where
/// the blank wins, the best other class is kept as a [`RunnerUp`] when it reaches
/// [`RUNNER_UP_MIN`] and is not the character emitted just before or after (the edges of
/// a character's own steps).
pub fn ctc_greedy(probs: &[f32], classes: usize, charset: &[String]) -> Recognized {
    let steps = (probs.len() / classes.max(1)).max(1);
    let at = |t: usize| (t as f32 + 0.5) / steps as f32;
    let mut text = String::new();
    let mut positions = Vec::new();
    // Emitted classes and passed-over candidates (step, class, probability), in step order.
    let mut emitted: Vec<(usize, usize)> = Vec::new();
    let mut passed: Vec<(usize, usize, f32)> = Vec::new();
    let (mut sum, mut n) = (0f32, 0usize);
    let mut prev = 0usize;
    let mut run_start = 0usize;
    // The emitted characters' alternatives: classes with their best probability in the run.
    let mut runs: Vec<Vec<(usize, f32)>> = Vec::new();
    for (t, step) in probs.chunks_exact(classes.max(1)).enumerate() {
        let (best, p) =
            step.iter().enumerate().fold(
                (0usize, f32::MIN),
                |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc },
            );
        let emits = best != 0 && best < charset.len();
        if best != prev {
            run_start = t;
            if emits {
                text.push_str(&charset[best]);
                positions.extend(charset[best].chars().map(|_| 0.0));
                emitted.push((t, best));
                runs.push(Vec::new());
                sum += p;
                n += 1;
            }
        }
        if emits {
            if let Some(run) = runs.last_mut() {
                merge_top(run, step, charset.len());
            }
            // The middle of the steps that emitted this character.
            if let Some(last) = positions.last_mut() {
                *last = (run_start + t + 1) as f32 / 2.0 / steps as f32;
            }
        } else if best == 0 {
            let (other, q) = step.iter().enumerate().take(charset.len()).skip(1).fold(
                (0usize, 0f32),
                |acc, (i, &q)| if q > acc.1 { (i, q) } else { acc },
            );
            if q >= RUNNER_UP_MIN {
                match passed.last_mut() {
                    // One candidate per run of steps with the same class: its best step.
                    Some(last) if last.1 == other && t <= last.0 + 2 => {
                        if q > last.2 {
                            *last = (t, other, q);
                        }
                    }
                    _ => passed.push((t, other, q)),
                }
            }
        }
        prev = best;
    }
    let runners_up = passed
        .into_iter()
        .filter(|&(t, class, _)| {
            let next = emitted.partition_point(|&(e, _)| e < t);
            let neighbour = |i: Option<usize>| i.and_then(|i| emitted.get(i)).map(|e| e.1);
            neighbour(next.checked_sub(1)) != Some(class) && neighbour(Some(next)) != Some(class)
        })
        .map(|(t, class, probability)| RunnerUp {
            text: charset[class].clone(),
            position: at(t),
            probability,
        })
        .collect();
    let alternatives = emitted
        .iter()
        .zip(runs)
        .flat_map(|(&(_, class), run)| {
            let listed: Alternatives = run
                .into_iter()
                .filter_map(|(c, p)| Some((single_char(&charset[c])?, p)))
                .collect();
            // A class of several characters: none of them has alternatives of its own.
            let several = charset[class].chars().count() > 1;
            charset[class].chars().map(move |_| {
                if several {
                    Alternatives::default()
                } else {
                    listed.clone()
                }
            })
        })
        .collect();
    Recognized {
        text,
        confidence: if n == 0 { 0.0 } else { sum / n as f32 },
        positions,
        runners_up,
        alternatives,
    }
}

/// The one character of a class's text (`None` for the blank and multi-character classes).
fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Merges one step's [`ALTERNATIVES`] most probable characters (blank aside) into `run`:
/// each class at its highest probability, most probable first.
fn merge_top(run: &mut Vec<(usize, f32)>, step: &[f32], charset_len: usize) {
    for (class, &p) in step.iter().enumerate().take(charset_len).skip(1) {
        if run.len() == ALTERNATIVES && p <= run[ALTERNATIVES - 1].1 {
            continue;
        }
        match run.iter().position(|&(c, _)| c == class) {
            Some(i) if run[i].1 >= p => continue,
            Some(i) => {
                run.remove(i);
            }
            None => {}
        }
        let at = run.partition_point(|&(_, q)| q >= p);
        run.insert(at, (class, p));
        run.truncate(ALTERNATIVES);
    }
}

impl OcrEngine for PpOcr {
    fn recognize(&self, lines: &[Gray]) -> Result<Vec<Recognized>, OcrError> {
        // Similar widths share a batch, so little padding is computed.
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by_key(|&i| (rec_width(&lines[i]), i));
        let mut out = vec![Recognized::default(); lines.len()];
        for chunk in order.chunks(REC_BATCH) {
            let batch: Vec<&Gray> = chunk.iter().map(|&i| &lines[i]).collect();
            for (&i, r) in chunk.iter().zip(self.recognize_batch(&batch)?) {
                out[i] = r;
            }
        }
        Ok(out)
    }

    fn detect(&self, image: &Gray) -> Result<Vec<PixelRect>, OcrError> {
        if image.width == 0 || image.height == 0 {
            return Ok(Vec::new());
        }
        let scale = (f64::from(DET_MAX_SIDE) / f64::from(image.width.max(image.height))).min(1.0);
        let round32 = |v: u32| ((f64::from(v) * scale / 32.0).round() as u32).max(1) * 32;
        let (w, h) = (round32(image.width), round32(image.height));
        let resized = image.resize(w, h);
        let plane = (w * h) as usize;
        let mean = [0.485f32, 0.456, 0.406];
        let std = [0.229f32, 0.224, 0.225];
        let mut input = vec![0f32; 3 * plane];
        for (i, &v) in resized.data.iter().enumerate() {
            let v = f32::from(v) / 255.0;
            for c in 0..3 {
                input[c * plane + i] = (v - mean[c]) / std[c];
            }
        }
        let tensor = Tensor::from_array((vec![1i64, 3, i64::from(h), i64::from(w)], input))?;
        let mut session = self.det.get()?;
        let outputs = session.run(ort::inputs![tensor])?;
        let (shape, probs) = outputs[0].try_extract_tensor::<f32>()?;
        if shape.len() != 4 || shape[2] as u32 != h || shape[3] as u32 != w {
            return Err(OcrError::Model(format!(
                "detection output shape {:?}",
                &shape[..]
            )));
        }
        let sx = f64::from(image.width) / f64::from(w);
        let sy = f64::from(image.height) / f64::from(h);
        Ok(db_boxes(probs, w, h)
            .into_iter()
            .map(|r| PixelRect {
                x0: (f64::from(r.x0) * sx).floor() as u32,
                y0: (f64::from(r.y0) * sy).floor() as u32,
                x1: ((f64::from(r.x1) * sx).ceil() as u32).min(image.width),
                y1: ((f64::from(r.y1) * sy).ceil() as u32).min(image.height),
            })
            .collect())
    }
}

/// DB post-processing for axis-aligned text: threshold the probability map, take connected
/// regions, keep confident ones and grow each by the DB "unclip" distance.
fn db_boxes(probs: &[f32], w: u32, h: u32) -> Vec<PixelRect> {
    const THRESHOLD: f32 = 0.3;
    const BOX_THRESHOLD: f32 = 0.5;
    const UNCLIP_RATIO: f64 = 1.6;
    let (wu, hu) = (w as usize, h as usize);
    let mut label = vec![0u32; wu * hu];
    let mut boxes = Vec::new();
    let mut stack = Vec::new();
    for start in 0..wu * hu {
        if label[start] != 0 || probs[start] <= THRESHOLD {
            continue;
        }
        label[start] = 1;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let (mut sum, mut n) = (0f64, 0usize);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % wu, i / wu);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
            sum += f64::from(probs[i]);
            n += 1;
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < wu).then(|| i + 1),
                (y > 0).then(|| i - wu),
                (y + 1 < hu).then(|| i + wu),
            ];
            for j in neighbours.into_iter().flatten() {
                if label[j] == 0 && probs[j] > THRESHOLD {
                    label[j] = 1;
                    stack.push(j);
                }
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f64, (y1 - y0 + 1) as f64);
        if bw.min(bh) < 3.0 || sum / (n as f64) < f64::from(BOX_THRESHOLD) {
            continue;
        }
        let d = bw * bh * UNCLIP_RATIO / (2.0 * (bw + bh));
        boxes.push(PixelRect {
            x0: (x0 as f64 - d).max(0.0) as u32,
            y0: (y0 as f64 - d).max(0.0) as u32,
            x1: ((x1 as f64 + 1.0 + d) as u32).min(w),
            y1: ((y1 as f64 + 1.0 + d) as u32).min(h),
        });
    }
    boxes.sort_by_key(|b| (b.y0, b.x0));
    boxes
}
