//! QR codes of the containers' public pages: SVG (with the code printed beneath) and PNG,
//! medium error correction and the 4-module quiet zone the standard asks for.

use qrcodegen::{QrCode, QrCodeEcc};
use std::fmt::Write as _;

/// Modules of white border around the symbol (the standard's quiet zone).
pub const QUIET_ZONE: i32 = 4;

/// The QR code of `text`, medium error correction (about 15 % may be damaged).
///
/// # Errors
/// When the text is too long for any QR version (never for our URLs).
pub fn encode(text: &str) -> Result<QrCode, String> {
    QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|e| format!("QR code: {e:?}"))
}

/// The dark modules as one SVG path in module units, offset by the quiet zone.
#[must_use]
pub fn module_path(qr: &QrCode) -> String {
    let mut path = String::new();
    for y in 0..qr.size() {
        let mut x = 0;
        while x < qr.size() {
            if qr.get_module(x, y) {
                let start = x;
                while x < qr.size() && qr.get_module(x, y) {
                    x += 1;
                }
                let _ = write!(
                    path,
                    "M{},{}h{}v1h-{}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    path
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A standalone SVG: the symbol with its quiet zone, and `caption` printed beneath.
///
/// # Errors
/// As [`encode`].
pub fn svg(text: &str, caption: &str) -> Result<String, String> {
    let qr = encode(text)?;
    let side = qr.size() + 2 * QUIET_ZONE;
    let caption_height = 6;
    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {height}" width="{w}mm" height="{h}mm" role="img" aria-label="{label}">"#,
            r#"<rect width="100%" height="100%" fill="white"/>"#,
            r#"<path d="{path}" fill="black" shape-rendering="crispEdges"/>"#,
            r#"<text x="{mid}" y="{baseline}" text-anchor="middle" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-weight="bold" font-size="4.2" letter-spacing="0.6">{caption}</text>"#,
            "</svg>"
        ),
        side = side,
        height = side + caption_height,
        w = 40,
        h = 40 * (side + caption_height) / side,
        label = escape(&format!("QR code of {text}")),
        path = module_path(&qr),
        mid = f64::from(side) / 2.0,
        baseline = side + 3,
        caption = escape(caption),
    ))
}

/// A greyscale PNG of the symbol with its quiet zone, `scale` pixels per module, and
/// `caption` printed beneath in a 5 × 7 bitmap font.
///
/// # Errors
/// As [`encode`], or when the PNG can't be written.
pub fn png(text: &str, caption: &str, scale: u32) -> Result<Vec<u8>, String> {
    let qr = encode(text)?;
    let scale = usize::try_from(scale.max(1)).map_err(|e| e.to_string())?;
    let modules = usize::try_from(qr.size() + 2 * QUIET_ZONE).map_err(|e| e.to_string())?;
    let width = modules * scale;
    // Font pixels: the caption (plus a glyph's width of margin) fits the symbol's width.
    let columns = (caption.chars().count() * 6).max(1) + 5;
    let font = (width / columns).clamp(1, scale);
    let text_left = (width - (columns - 6) * font) / 2;
    let text_top = width;
    let height = width + 9 * font;
    let mut pixels = Vec::with_capacity(width * height);
    for py in 0..height {
        for px in 0..width {
            let is_dark = if py < width {
                let x = i32::try_from(px / scale).unwrap_or_default() - QUIET_ZONE;
                let y = i32::try_from(py / scale).unwrap_or_default() - QUIET_ZONE;
                qr.get_module(x, y)
            } else {
                px >= text_left
                    && crate::font::dark(caption, (px - text_left) / font, (py - text_top) / font)
            };
            pixels.push(if is_dark { 0u8 } else { 255u8 });
        }
    }
    let mut out = Vec::new();
    {
        let size = |v: usize| u32::try_from(v).map_err(|e| e.to_string());
        let mut encoder = png::Encoder::new(&mut out, size(width)?, size(height)?);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes the PNG back with another library (rqrr) and returns the text.
    fn decode_png(bytes: &[u8]) -> String {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let width = info.width as usize;
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(width, info.height as usize, |x, y| {
                buf[y * width + x]
            });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn the_png_decodes_back_to_the_url() {
        let url = "https://tisseco.example/c/K7M3QPX";
        let bytes = png(url, "K7M3QPX", 6).unwrap();
        assert_eq!(decode_png(&bytes), url);
        // The caption band under the symbol has ink.
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert!(info.height > info.width);
        let band = &buf[(info.width * info.width) as usize..];
        assert!(band.contains(&0));
    }

    #[test]
    fn the_svg_has_the_quiet_zone_the_path_and_the_caption() {
        let svg = svg("https://tisseco.example/c/K7M3QPX", "K7M3QPX").unwrap();
        let qr = encode("https://tisseco.example/c/K7M3QPX").unwrap();
        let side = qr.size() + 8;
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {}\"", side + 6)));
        assert!(svg.contains(">K7M3QPX</text>"));
        // The first dark module of the finder pattern starts after the quiet zone.
        assert!(svg.contains("d=\"M4,4h7v1h-7z"));
    }

    #[test]
    fn the_svg_path_decodes_back_to_the_url() {
        let url = "https://tisseco.example/c/ABCD234";
        let qr = encode(url).unwrap();
        let path = module_path(&qr);
        let side = usize::try_from(qr.size() + 2 * QUIET_ZONE).unwrap();
        let scale = 5;
        let mut dark = vec![false; side * side];
        // Paint each `M{x},{y}h{w}v1h-{w}z` run back into a grid.
        for run in path.split('z').filter(|r| !r.is_empty()) {
            let run = run.trim_start_matches('M');
            let (xy, rest) = run.split_once('h').unwrap();
            let (x, y) = xy.split_once(',').unwrap();
            let width: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            for dx in 0..width {
                dark[y * side + x + dx] = true;
            }
        }
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(side * scale, side * scale, |x, y| {
                if dark[(y / scale) * side + x / scale] {
                    0
                } else {
                    255
                }
            });
        let grids = image.detect_grids();
        assert_eq!(grids[0].decode().unwrap().1, url);
    }
}
