//! The objects of a PDF, parsed when first asked for.
//!
//! Extraction reads a small part of a file: the page tree, the resources and fonts the pages
//! use, their content streams. Tagged PDFs carry thousands of structure-tree objects besides,
//! which an eager loader parses for nothing. [`Objects`] reads the cross-reference data and
//! parses an object the first time it is dereferenced, keeping it for later. A file whose
//! cross-reference data does not check out (or that is encrypted) is loaded whole by lopdf
//! instead, which repairs and decrypts.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::charged_stream_data;
use super::parse::Parser;
use super::xref::{self, Location};
use crate::budget::Budget;
use crate::hash::FastMap;

/// Most objects being parsed at once (an indirect `/Length` or an object stream inside the
/// parse of another object); deeper chains read as missing objects.
const MAX_NESTED_PARSES: usize = 8;

/// The objects of one PDF.
pub struct Objects<'a> {
    store: Store<'a>,
}

enum Store<'a> {
    Lazy(Box<Lazy<'a>>),
    Loaded(Box<Document>),
}

/// An object's location and, once parsed, its value.
struct Slot {
    location: Option<Location>,
    value: OnceCell<Box<Object>>,
}

/// A decoded object stream: its data and the objects in it (number, offset in `data`).
struct ObjectStream {
    data: Vec<u8>,
    members: Vec<(u32, usize)>,
}

struct Lazy<'a> {
    data: &'a [u8],
    trailer: Dictionary,
    /// Indexed by object number (`None` location: no such object).
    slots: Vec<Slot>,
    /// Where `endstream` occurs in the file, found once when a stream's `/Length` is wrong (so
    /// that many such streams cost one scan of the file, not one each).
    endstreams: OnceCell<Vec<usize>>,
    /// Object numbers whose parse is under way (guards against cycles and deep chains).
    parsing: RefCell<Vec<u32>>,
    object_streams: RefCell<FastMap<u32, Option<Rc<ObjectStream>>>>,
    /// Bound on any one decoded object stream.
    limit: usize,
    /// The document's budget: every object parsed is charged to it for good.
    budget: Budget,
}

impl<'a> Objects<'a> {
    /// Reads the cross-reference data of `data` (starting at its `%PDF-` header) and checks
    /// that every object it places in the file is where it says; `None` when anything is off
    /// (or when the budget ran out: [`Budget::exceeded`] tells).
    pub(crate) fn lazy(data: &'a [u8], limit: usize, budget: &Budget) -> Option<Self> {
        let xref = xref::read(data, limit, budget)?;
        let size = xref.objects.keys().max().map_or(0, |&n| n as usize + 1);
        if size > 4 * xref.objects.len() + 1024 {
            return None;
        }
        budget
            .reserve(size * std::mem::size_of::<Slot>(), "the object table")
            .ok()?
            .keep();
        let mut slots: Vec<Slot> = std::iter::repeat_with(|| Slot {
            location: None,
            value: OnceCell::new(),
        })
        .take(size)
        .collect();
        for (number, location) in xref.objects {
            if let Location::Offset { offset, generation } = location {
                let header = Parser::new(data, offset).object_header();
                if header != Some((number, generation)) {
                    return None;
                }
            }
            slots[number as usize].location = Some(location);
        }
        Some(Objects {
            store: Store::Lazy(Box::new(Lazy {
                data,
                trailer: xref.trailer,
                slots,
                endstreams: OnceCell::new(),
                parsing: RefCell::default(),
                object_streams: RefCell::default(),
                limit,
                budget: budget.clone(),
            })),
        })
    }

    /// A document lopdf loaded whole.
    pub(crate) fn loaded(doc: Document) -> Self {
        Objects {
            store: Store::Loaded(Box::new(doc)),
        }
    }

    /// The trailer dictionary.
    pub fn trailer(&self) -> &Dictionary {
        match &self.store {
            Store::Lazy(lazy) => &lazy.trailer,
            Store::Loaded(doc) => &doc.trailer,
        }
    }

    /// The ids of every object the file lists, ascending (used to find pages a damaged page
    /// tree does not reach).
    pub fn ids(&self) -> Vec<ObjectId> {
        match &self.store {
            Store::Lazy(lazy) => lazy
                .slots
                .iter()
                .enumerate()
                .filter_map(|(number, slot)| {
                    let generation = match slot.location? {
                        Location::Offset { generation, .. } => generation,
                        Location::Compressed { .. } => 0,
                    };
                    Some((u32::try_from(number).ok()?, generation))
                })
                .collect(),
            Store::Loaded(doc) => doc.objects.keys().copied().collect(),
        }
    }

    /// The object `id`; `None` when it does not exist or cannot be read.
    pub fn get(&self, id: ObjectId) -> Option<&Object> {
        match &self.store {
            Store::Lazy(lazy) => lazy.get(id),
            Store::Loaded(doc) => doc.get_object(id).ok(),
        }
    }
}

impl Lazy<'_> {
    fn get(&self, (number, generation): ObjectId) -> Option<&Object> {
        let slot = self.slots.get(number as usize)?;
        let location = slot.location?;
        let expected = match location {
            Location::Offset { generation, .. } => generation,
            Location::Compressed { .. } => 0,
        };
        if generation != expected {
            return None;
        }
        if let Some(value) = slot.value.get() {
            return Some(value);
        }
        {
            let mut parsing = self.parsing.borrow_mut();
            if parsing.len() >= MAX_NESTED_PARSES || parsing.contains(&number) {
                return None;
            }
            parsing.push(number);
        }
        let value = match location {
            Location::Offset { offset, .. } => self.parse_at(offset),
            Location::Compressed { container, index } => {
                self.parse_compressed(number, container, index)
            }
        };
        self.parsing.borrow_mut().pop();
        // The guard above keeps a nested parse from filling this slot first.
        Some(
            slot.value
                .get_or_init(|| Box::new(value.unwrap_or(Object::Null))),
        )
    }

    /// Parses one object with `parse`, within what the budget has left, and keeps its
    /// memory charged; `None` (and the budget exceeded) when it does not fit.
    fn parse_charged(
        &self,
        data: &[u8],
        offset: usize,
        parse: impl FnOnce(&mut Parser<'_>) -> Option<Object>,
    ) -> Option<Object> {
        let mut parser = Parser::capped(data, offset, self.budget.available());
        let object = parse(&mut parser);
        if object.is_some() || parser.over_cap() {
            self.budget
                .reserve(parser.cost, "the PDF's objects")
                .ok()?
                .keep();
        }
        object
    }

    /// The indirect object at `offset` (a stream with its raw data).
    fn parse_at(&self, offset: usize) -> Option<Object> {
        let mut start = None;
        let object = self.parse_charged(self.data, offset, |parser| {
            parser.object_header()?;
            let object = parser.object()?;
            start = parser.stream_start();
            Some(object)
        })?;
        let (Object::Dictionary(dict), Some(start)) = (&object, start) else {
            return Some(object);
        };
        let end = self.stream_end(dict, start)?;
        self.budget
            .reserve(end - start, "the PDF's streams")
            .ok()?
            .keep();
        let content = self.data[start..end].to_vec();
        let Object::Dictionary(dict) = object else {
            unreachable!("matched above")
        };
        Some(Object::Stream(Stream::new(dict, content)))
    }

    /// Where the data of a stream starting at `start` ends: after `/Length` bytes when
    /// `endstream` follows them, else just before the next `endstream`.
    fn stream_end(&self, dict: &Dictionary, start: usize) -> Option<usize> {
        let length = match dict.get(b"Length").ok()? {
            Object::Reference(id) => self.get(*id),
            direct => Some(direct),
        };
        let declared = length
            .and_then(|l| l.as_i64().ok())
            .and_then(|l| usize::try_from(l).ok())
            .and_then(|l| start.checked_add(l))
            .filter(|&end| end <= self.data.len());
        if let Some(end) = declared {
            if Parser::new(self.data, end).keyword(b"endstream") {
                return Some(end);
            }
        }
        let endstreams = self.endstreams.get_or_init(|| {
            let keyword = b"endstream";
            let found: Vec<usize> = (0..self.data.len().saturating_sub(keyword.len() - 1))
                .filter(|&i| self.data[i..].starts_with(keyword))
                .collect();
            let charged = self
                .budget
                .reserve(found.capacity() * 8, "the index of stream ends");
            charged.map_or(Vec::new(), |c| {
                c.keep();
                found
            })
        });
        let mut end = endstreams[endstreams.partition_point(|&p| p < start)..]
            .first()
            .copied()?;
        for eol in [b'\n', b'\r'] {
            if end > start && self.data[end - 1] == eol {
                end -= 1;
            }
        }
        Some(end)
    }

    /// Object `number`, the `index`-th member of object stream `container`.
    fn parse_compressed(&self, number: u32, container: u32, index: u32) -> Option<Object> {
        let stream = self.object_stream(container)?;
        let member = stream
            .members
            .get(index as usize)
            .filter(|(n, _)| *n == number)
            .or_else(|| stream.members.iter().find(|(n, _)| *n == number))?;
        self.parse_charged(&stream.data, member.1, |p| p.object())
    }

    fn object_stream(&self, container: u32) -> Option<Rc<ObjectStream>> {
        if let Some(known) = self.object_streams.borrow().get(&container) {
            return known.clone();
        }
        let decoded = match self.get((container, 0)) {
            Some(Object::Stream(stream)) => self.decode_object_stream(stream).map(Rc::new),
            _ => None,
        };
        self.object_streams
            .borrow_mut()
            .insert(container, decoded.clone());
        decoded
    }

    fn decode_object_stream(&self, stream: &Stream) -> Option<ObjectStream> {
        let count = |key: &[u8]| {
            stream
                .dict
                .get(key)
                .ok()
                .and_then(|o| o.as_i64().ok())
                .and_then(|n| usize::try_from(n).ok())
        };
        let (first, n) = (count(b"First")?, count(b"N")?);
        let (decoded, charge) =
            charged_stream_data(stream, self.limit, &self.budget, "an object stream").ok()?;
        charge.keep();
        let data = decoded.data;
        let mut parser = Parser::new(&data, 0);
        let mut members = Vec::new();
        // Each pair takes at least four bytes of the header: no more than it can hold.
        for _ in 0..n.min(first / 4 + 1) {
            let (Some(Object::Integer(number)), Some(Object::Integer(offset))) =
                (parser.object(), parser.object())
            else {
                break;
            };
            let (Ok(number), Some(offset)) = (
                u32::try_from(number),
                usize::try_from(offset)
                    .ok()
                    .and_then(|o| o.checked_add(first)),
            ) else {
                break;
            };
            members.push((number, offset));
        }
        Some(ObjectStream { data, members })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF from numbered object bodies, with a correct classic table.
    fn file(objects: &[&str], trailer: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.5\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
        }
        let at = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").bytes());
        }
        out.extend(format!("trailer\n{trailer}\nstartxref\n{at}\n%%EOF\n").bytes());
        out
    }

    #[test]
    fn objects_are_parsed_on_demand_with_indirect_lengths() {
        let data = file(
            &[
                "<</Type /Catalog>>",
                "<</Length 3 0 R>>\nstream\nabcde\nendstream",
                "5",
            ],
            "<</Root 1 0 R>>",
        );
        let objects = Objects::lazy(&data, 1 << 20, &Budget::unlimited()).unwrap();
        let Some(Object::Stream(s)) = objects.get((2, 0)) else {
            panic!("a stream")
        };
        assert_eq!(s.content, b"abcde");
        assert_eq!(objects.get((3, 0)), Some(&Object::Integer(5)));
        assert_eq!(objects.get((3, 1)), None, "wrong generation");
        assert_eq!(objects.get((9, 0)), None);
    }

    #[test]
    fn wrong_lengths_and_cycles_stay_bounded() {
        let data = file(
            &[
                "<</Type /Catalog>>",
                "<</Length 99999>>\nstream\nabc\nendstream",
                "<</Length 3 0 R>>\nstream\nxy\nendstream",
            ],
            "<</Root 1 0 R>>",
        );
        let objects = Objects::lazy(&data, 1 << 20, &Budget::unlimited()).unwrap();
        let content = |id| match objects.get(id) {
            Some(Object::Stream(s)) => s.content.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(content((2, 0)), b"abc");
        // Its /Length is itself: read as missing, the data found by `endstream`.
        assert_eq!(content((3, 0)), b"xy");
    }

    /// `object` with what lopdf records about where a stream was read dropped.
    fn without_position(object: &Object) -> Object {
        let mut object = object.clone();
        if let Object::Stream(s) = &mut object {
            s.start_position = None;
        }
        object
    }

    /// Every object lopdf's loader reads from `bytes`, the lazy store reads the same.
    fn assert_reads_as_lopdf(name: &str, bytes: &[u8]) {
        let doc = Document::load_mem(bytes).unwrap();
        let objects = Objects::lazy(bytes, 1 << 28, &Budget::unlimited())
            .unwrap_or_else(|| panic!("{name}: lazy"));
        for (id, expected) in &doc.objects {
            let got = objects.get(*id).map(without_position);
            assert_eq!(
                got,
                Some(without_position(expected)),
                "{name}: object {id:?}"
            );
        }
    }

    fn samples() -> Vec<(String, Vec<u8>)> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples");
        let mut found = Vec::new();
        for producer in ["chromium", "libreoffice"] {
            for entry in std::fs::read_dir(format!("{root}/{producer}")).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "pdf") {
                    found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
                }
            }
        }
        found.sort();
        found
    }

    #[test]
    fn sample_objects_read_as_lopdf_reads_them() {
        let samples = samples();
        assert!(samples.len() >= 14);
        for (name, bytes) in &samples {
            assert_reads_as_lopdf(name, bytes);
        }
    }

    #[test]
    fn object_streams_and_cross_reference_streams_read_as_lopdf_reads_them() {
        let (name, bytes) = samples()
            .into_iter()
            .find(|(n, _)| n.ends_with("libreoffice/districts-excerpt.pdf"))
            .unwrap();
        let mut doc = Document::load_mem(&bytes).unwrap();
        let mut saved = Vec::new();
        let options = lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .build();
        doc.save_with_options(&mut saved, options).unwrap();
        assert!(saved.windows(7).any(|w| w == b"/ObjStm"));
        assert_reads_as_lopdf(&name, &saved);
    }

    #[test]
    fn misplaced_objects_refuse_the_lazy_path() {
        let mut data = file(&["<</Type /Catalog>>"], "<</Root 1 0 R>>");
        let at = data.windows(7).position(|w| w == b"1 0 obj").unwrap();
        data[at] = b'2';
        assert!(Objects::lazy(&data, 1 << 20, &Budget::unlimited()).is_none());
    }
}
