//! Decoding each image encoding a scan may use, against the same small bitmap
//! (`fixtures/shapes.pbm`: a ruled corner, a filled square and a disc, 96×40).
//! Fixtures were made with ImageMagick: `GROUP4:shapes.g4` (raw CCITT G4), `shapes.j2k`
//! (JPEG 2000 codestream), `shapes.jpg` (gray JPEG), `shapes-cmyk.jpg` (Adobe CMYK JPEG).

use jixiao_extract::{ImageColorSpace, ImageEncoding, Matrix, PageImage};
use jixiao_ocr::{decode_image, Gray, OcrError};

const W: u32 = 96;
const H: u32 = 40;
const LIMIT: u64 = 1 << 24;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The PBM's packed rows (1 = black) and the black pixels they describe.
fn shapes() -> (Vec<u8>, Vec<bool>) {
    let pbm = fixture("shapes.pbm");
    let header = b"P4\n96 40\n";
    assert!(pbm.starts_with(header));
    let bits = pbm[header.len()..].to_vec();
    let black = (0..H as usize)
        .flat_map(|y| (0..W as usize).map(move |x| (y, x)))
        .map(|(y, x)| bits[y * 12 + x / 8] & (0x80 >> (x % 8)) != 0)
        .collect();
    (bits, black)
}

fn image(
    encoding: ImageEncoding,
    color_space: ImageColorSpace,
    bpc: u8,
    data: Vec<u8>,
) -> PageImage {
    PageImage {
        ctm: Matrix([96.0, 0.0, 0.0, -40.0, 0.0, 40.0]),
        width: W,
        height: H,
        bits_per_component: bpc,
        color_space,
        encoding,
        decode: None,
        image_mask: false,
        data,
    }
}

/// Pixels whose darkness disagrees with the expected bitmap (threshold at mid-gray).
fn mismatches(g: &Gray, black: &[bool]) -> usize {
    assert_eq!((g.width, g.height), (W, H));
    g.data
        .iter()
        .zip(black)
        .filter(|(&v, &b)| (v < 128) != b)
        .count()
}

fn ccitt(black_is_1: bool) -> PageImage {
    image(
        ImageEncoding::Ccitt {
            k: -1,
            columns: W,
            rows: H,
            black_is_1,
            encoded_byte_align: false,
            end_of_block: true,
        },
        ImageColorSpace::Gray,
        1,
        fixture("shapes.g4"),
    )
}

#[test]
fn ccitt_g4_with_black_is_1_and_decode() {
    let (_, black) = shapes();
    assert_eq!(
        mismatches(&decode_image(&ccitt(false), LIMIT).unwrap(), &black),
        0
    );
    // /BlackIs1 true flips the samples; /Decode [1 0] flips them back.
    let flipped = decode_image(&ccitt(true), LIMIT).unwrap();
    assert_eq!(mismatches(&flipped, &black), black.len());
    let mut both = ccitt(true);
    both.decode = Some(vec![1.0, 0.0]);
    assert_eq!(mismatches(&decode_image(&both, LIMIT).unwrap(), &black), 0);
}

/// An embedded JBIG2 stream (Annex D.3): a page information segment and an immediate
/// generic region coded with MMR, i.e. the same T.6 data as the CCITT fixture.
fn jbig2_stream() -> Vec<u8> {
    fn segment(number: u32, kind: u8, data: &[u8]) -> Vec<u8> {
        let mut s = number.to_be_bytes().to_vec();
        s.extend([kind, 0x00, 0x01]);
        s.extend((data.len() as u32).to_be_bytes());
        s.extend(data);
        s
    }
    let mut page_info = Vec::new();
    for v in [W, H, 0, 0] {
        page_info.extend(v.to_be_bytes());
    }
    page_info.extend([0x00, 0x00, 0x00]);
    let mut region = Vec::new();
    for v in [W, H, 0, 0] {
        region.extend(v.to_be_bytes());
    }
    region.push(0x00); // combination operator OR
    region.push(0x01); // MMR
    region.extend(fixture("shapes.g4"));
    let mut out = segment(0, 48, &page_info);
    out.extend(segment(1, 38, &region));
    out.extend(segment(2, 49, &[]));
    out
}

#[test]
fn jbig2_generic_region() {
    let (_, black) = shapes();
    let img = image(
        ImageEncoding::Jbig2 { globals: None },
        ImageColorSpace::Gray,
        1,
        jbig2_stream(),
    );
    assert_eq!(mismatches(&decode_image(&img, LIMIT).unwrap(), &black), 0);
}

#[test]
fn jpx_codestream() {
    let (_, black) = shapes();
    let img = image(
        ImageEncoding::Jpx,
        ImageColorSpace::Gray,
        8,
        fixture("shapes.j2k"),
    );
    assert_eq!(mismatches(&decode_image(&img, LIMIT).unwrap(), &black), 0);
}

#[test]
fn dct_gray_and_adobe_cmyk() {
    let (_, black) = shapes();
    let gray = image(
        ImageEncoding::Dct {
            color_transform: None,
        },
        ImageColorSpace::Gray,
        8,
        fixture("shapes.jpg"),
    );
    assert!(mismatches(&decode_image(&gray, LIMIT).unwrap(), &black) <= 4);
    let cmyk = image(
        ImageEncoding::Dct {
            color_transform: None,
        },
        ImageColorSpace::Cmyk,
        8,
        fixture("shapes-cmyk.jpg"),
    );
    assert!(mismatches(&decode_image(&cmyk, LIMIT).unwrap(), &black) <= 4);
    // /Decode [1 0 …] on the same JPEG gives the negative.
    let mut negative = gray.clone();
    negative.decode = Some(vec![1.0, 0.0]);
    assert!(mismatches(&decode_image(&negative, LIMIT).unwrap(), &black) >= black.len() - 4);
}

#[test]
fn raw_bits_masks_and_colour_spaces() {
    let (bits, black) = shapes();
    // 1-bit gray: a 1 sample is white, so the PBM (1 = black) needs /Decode [1 0].
    let mut gray1 = image(ImageEncoding::Raw, ImageColorSpace::Gray, 1, bits.clone());
    assert_eq!(
        mismatches(&decode_image(&gray1, LIMIT).unwrap(), &black),
        black.len()
    );
    gray1.decode = Some(vec![1.0, 0.0]);
    assert_eq!(mismatches(&decode_image(&gray1, LIMIT).unwrap(), &black), 0);
    // A stencil mask paints where the sample is 0; /Decode [1 0] paints the 1s.
    let mut mask = image(ImageEncoding::Raw, ImageColorSpace::Gray, 1, bits.clone());
    mask.image_mask = true;
    assert_eq!(
        mismatches(&decode_image(&mask, LIMIT).unwrap(), &black),
        black.len()
    );
    mask.decode = Some(vec![1.0, 0.0]);
    assert_eq!(mismatches(&decode_image(&mask, LIMIT).unwrap(), &black), 0);
    // Indexed: index 1 → dark red, index 0 → white.
    let indexed = ImageColorSpace::Indexed {
        base_components: 3,
        hival: 1,
        palette: vec![255, 255, 255, 120, 0, 0],
    };
    assert_eq!(
        mismatches(
            &decode_image(&image(ImageEncoding::Raw, indexed, 1, bits), LIMIT).unwrap(),
            &black
        ),
        0
    );
    // 8-bit RGB, CMYK and 16-bit gray built from the same pixels.
    let rgb: Vec<u8> = black
        .iter()
        .flat_map(|&b| if b { [20, 30, 90] } else { [250, 250, 240] })
        .collect();
    let cmyk: Vec<u8> = black
        .iter()
        .flat_map(|&b| if b { [0, 0, 0, 230] } else { [0, 0, 10, 0] })
        .collect();
    let gray16: Vec<u8> = black
        .iter()
        .flat_map(|&b| if b { [0x10, 0x00] } else { [0xF0, 0x00] })
        .collect();
    for (cs, bpc, data) in [
        (ImageColorSpace::Rgb, 8, rgb),
        (ImageColorSpace::Cmyk, 8, cmyk),
        (ImageColorSpace::Gray, 16, gray16),
    ] {
        let img = image(ImageEncoding::Raw, cs.clone(), bpc, data);
        assert_eq!(
            mismatches(&decode_image(&img, LIMIT).unwrap(), &black),
            0,
            "{cs:?} {bpc}"
        );
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let (bits, _) = shapes();
    let short = image(
        ImageEncoding::Raw,
        ImageColorSpace::Gray,
        1,
        bits[..100].to_vec(),
    );
    assert!(matches!(
        decode_image(&short, LIMIT),
        Err(OcrError::Decode(_))
    ));
    let big = image(ImageEncoding::Raw, ImageColorSpace::Gray, 8, Vec::new());
    assert!(matches!(
        decode_image(&big, 100),
        Err(OcrError::TooLarge { .. })
    ));
    for encoding in [
        ImageEncoding::Dct {
            color_transform: None,
        },
        ImageEncoding::Jpx,
        ImageEncoding::Jbig2 { globals: None },
        ImageEncoding::Ccitt {
            k: 0,
            columns: W,
            rows: H,
            black_is_1: false,
            encoded_byte_align: false,
            end_of_block: false,
        },
    ] {
        let garbage = image(encoding.clone(), ImageColorSpace::Gray, 8, vec![0xFF; 64]);
        // Any outcome but a panic; an image that decodes still has the declared size.
        if let Ok(g) = decode_image(&garbage, LIMIT) {
            assert_eq!((g.width, g.height), (W, H), "{encoding:?}");
        }
    }
}
