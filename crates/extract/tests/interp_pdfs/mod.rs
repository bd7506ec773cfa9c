//! Small PDFs built with lopdf for the interpreter tests and the fuzz test.
#![allow(dead_code)]

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};

/// Builds a document page by page.
pub struct PdfBuilder {
    pub doc: Document,
    pages_id: ObjectId,
    kids: Vec<Object>,
}

impl PdfBuilder {
    pub fn new() -> Self {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        PdfBuilder {
            doc,
            pages_id,
            kids: Vec::new(),
        }
    }

    pub fn add(&mut self, object: impl Into<Object>) -> ObjectId {
        self.doc.add_object(object.into())
    }

    pub fn stream(&mut self, dict: Dictionary, content: &[u8]) -> ObjectId {
        self.add(Stream::new(dict, content.to_vec()))
    }

    /// A compressed stream.
    pub fn flate_stream(&mut self, dict: Dictionary, content: &[u8]) -> ObjectId {
        let mut s = Stream::new(dict, content.to_vec());
        s.compress().unwrap();
        self.add(s)
    }

    /// Adds a page with `content`; `extra` entries (MediaBox, Resources, Rotate …) override the
    /// defaults (MediaBox [0 0 600 800], no resources).
    pub fn page(&mut self, content: &str, extra: Dictionary) -> ObjectId {
        let contents = self.stream(Dictionary::new(), content.as_bytes());
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => self.pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
            "Contents" => contents,
        };
        for (k, v) in extra.iter() {
            page.set(k.clone(), v.clone());
        }
        let id = self.add(page);
        self.kids.push(id.into());
        id
    }

    /// Finishes the page tree (with `pages_extra` on its root, e.g. inherited Resources).
    pub fn finish_doc(mut self, pages_extra: Dictionary) -> Document {
        let mut pages = dictionary! {
            "Type" => "Pages",
            "Kids" => self.kids.clone(),
            "Count" => self.kids.len() as i64,
        };
        for (k, v) in pages_extra.iter() {
            pages.set(k.clone(), v.clone());
        }
        self.doc
            .objects
            .insert(self.pages_id, Object::Dictionary(pages));
        let catalog = self.add(dictionary! { "Type" => "Catalog", "Pages" => self.pages_id });
        self.doc.trailer.set("Root", catalog);
        self.doc
    }

    pub fn finish(self, pages_extra: Dictionary) -> Vec<u8> {
        save(self.finish_doc(pages_extra))
    }
}

pub fn save(mut doc: Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A ToUnicode CMap with 2-byte codes from `bfchar` pairs (code, UTF-16BE hex).
pub fn to_unicode(chars: &[(u16, &str)]) -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /Test def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    s.push_str(&format!("{} beginbfchar\n", chars.len()));
    for (code, hex) in chars {
        s.push_str(&format!("<{code:04X}> <{hex}>\n"));
    }
    s.push_str("endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n");
    s.into_bytes()
}

/// A Type0 font: `encoding` (a CMap name), descendant with `cid_system_info` (registry,
/// ordering), `/W` and optional ToUnicode stream.
pub fn type0_font(
    b: &mut PdfBuilder,
    base_font: &str,
    encoding: &str,
    ordering: &str,
    w: Option<Vec<Object>>,
    to_unicode: Option<Vec<u8>>,
) -> ObjectId {
    let mut descendant = dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType0",
        "BaseFont" => base_font,
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal(ordering),
            "Supplement" => 0,
        },
        "DW" => 1000,
    };
    if let Some(w) = w {
        descendant.set("W", w);
    }
    let descendant = b.add(descendant);
    let mut font = dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => base_font,
        "Encoding" => Object::Name(encoding.as_bytes().to_vec()),
        "DescendantFonts" => vec![descendant.into()],
    };
    if let Some(cmap) = to_unicode {
        let id = b.stream(Dictionary::new(), &cmap);
        font.set("ToUnicode", id);
    }
    b.add(font)
}

/// A simple TrueType font with WinAnsi + Differences and every width 500 from code 32.
pub fn simple_font(b: &mut PdfBuilder, differences: Vec<Object>) -> ObjectId {
    let widths: Vec<Object> = (32..=255).map(|_| Object::Integer(500)).collect();
    b.add(dictionary! {
        "Type" => "Font",
        "Subtype" => "TrueType",
        "BaseFont" => "Arial",
        "FirstChar" => 32,
        "LastChar" => 255,
        "Widths" => widths,
        "Encoding" => dictionary! {
            "Type" => "Encoding",
            "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => differences,
        },
    })
}

/// Resources with fonts `F1`, `F2` … in order.
pub fn font_resources(fonts: &[ObjectId]) -> Dictionary {
    let mut f = Dictionary::new();
    for (i, id) in fonts.iter().enumerate() {
        f.set(format!("F{}", i + 1), *id);
    }
    dictionary! { "Font" => f }
}

/// A one-page document of a bordered 3×2 table with text in a simple font, as Word or
/// LibreOffice draw it (thin filled rectangles) — input for the fuzz test.
pub fn table_document() -> Vec<u8> {
    let mut b = PdfBuilder::new();
    let font = simple_font(&mut b, vec![]);
    let cjk = type0_font(
        &mut b,
        "STSong-Light",
        "UniGB-UCS2-H",
        "GB1",
        Some(vec![
            1.into(),
            vec![500.into()].into(),
            10.into(),
            20.into(),
            600.into(),
        ]),
        None,
    );
    let mut content = String::from("q 0 0 0 rg\n");
    for row in 0..=3 {
        content.push_str(&format!("50 {} 300 0.5 re f\n", 700 - row * 20));
    }
    for col in 0..=2 {
        content.push_str(&format!("{} 640 0.5 60 re f\n", 50 + col * 150));
    }
    content.push_str("Q\nBT /F1 10 Tf 55 685 Td (Budget 2023) Tj 150 0 Td (1,663.27) Tj ET\n");
    content.push_str("BT /F2 10 Tf 55 665 Td <76EE68076307> Tj ET\n");
    content.push_str("BT /F1 10 Tf 205 665 Td [(99.04) -250 (%)] TJ ET\n");
    content.push_str("q 2 0 0 2 0 0 cm 30 300 10 10 re S Q\n");
    b.page(
        &content,
        dictionary! { "Resources" => font_resources(&[font, cjk]) },
    );
    b.finish(Dictionary::new())
}
