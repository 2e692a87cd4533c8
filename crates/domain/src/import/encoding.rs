//! The thin layer before the CSV reader that makes what office software saves readable as
//! UTF-8: Windows-1252 and ISO-8859-15 (French Excel's "CSV (séparateur : point-virgule)")
//! and Mac Roman (its "CSV (Macintosh)") are decoded, and the Mac's lone CR line endings
//! become LF. The encoding is detected from the first 64 KiB (valid UTF-8 stays UTF-8) or
//! forced (`?encoding=`).

use encoding_rs::{Decoder, Encoding, ISO_8859_15, MACINTOSH, WINDOWS_1252};

/// How much of the file is looked at before the encoding is chosen.
const SAMPLE_BYTES: usize = 64 * 1024;

/// The encodings an upload may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1252,
    Iso885915,
    MacRoman,
}

impl TextEncoding {
    /// The name shown in an import's detail and accepted by `?encoding=`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Windows1252 => "windows-1252",
            Self::Iso885915 => "iso-8859-15",
            Self::MacRoman => "macintosh",
        }
    }

    /// # Errors
    /// When `value` names none of them.
    pub fn parse(value: &str) -> Result<Self, crate::ValidationError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "windows-1252" | "cp1252" | "latin1" | "iso-8859-1" => Ok(Self::Windows1252),
            "iso-8859-15" | "latin9" => Ok(Self::Iso885915),
            "macintosh" | "mac" | "macroman" | "x-mac-roman" => Ok(Self::MacRoman),
            _ => Err(crate::ValidationError::new(
                "encoding",
                "expected utf-8, windows-1252, iso-8859-15 or macintosh",
            )),
        }
    }

    fn decoder(self) -> Option<Decoder> {
        let encoding: &'static Encoding = match self {
            Self::Utf8 => return None,
            Self::Windows1252 => WINDOWS_1252,
            Self::Iso885915 => ISO_8859_15,
            Self::MacRoman => MACINTOSH,
        };
        Some(encoding.new_decoder_without_bom_handling())
    }
}

/// The bytes Windows-1252 leaves undefined: a file holding them is not Windows-1252.
fn windows_1252_plausible(sample: &[u8]) -> bool {
    !sample
        .iter()
        .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
}

/// Whether `sample` is UTF-8, a character cut at its end excepted.
fn utf8_plausible(sample: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none(),
    }
}

/// The encoding of a file starting with `sample` (`complete`: the whole file).
#[must_use]
pub fn detect(sample: &[u8], complete: bool) -> TextEncoding {
    let foreign_start = sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF");
    if foreign_start || sample.contains(&0) || utf8_plausible(sample, complete) {
        // UTF-8, or UTF-16 and binary data that the reader names
        return TextEncoding::Utf8;
    }
    if sample.contains(&b'\r') && !sample.contains(&b'\n') {
        // CR line endings without any LF: the Mac's "CSV (Macintosh)", in Mac Roman
        TextEncoding::MacRoman
    } else if windows_1252_plausible(sample) {
        TextEncoding::Windows1252
    } else {
        // broken UTF-8 after all: the reader names the line
        TextEncoding::Utf8
    }
}

/// Turns the upload's chunks into UTF-8 with LF or CRLF line endings.
#[derive(Debug)]
pub struct Transcoder {
    forced: Option<TextEncoding>,
    chosen: Option<(TextEncoding, Option<Decoder>)>,
    sample: Vec<u8>,
    /// The previous chunk ended with a CR.
    pending_cr: bool,
}

impl Transcoder {
    /// `forced`: the encoding given with the upload; `None` detects it.
    #[must_use]
    pub fn new(forced: Option<TextEncoding>) -> Self {
        Self {
            forced,
            chosen: None,
            sample: Vec::new(),
            pending_cr: false,
        }
    }

    /// The encoding used, once chosen.
    #[must_use]
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.chosen.as_ref().map(|(e, _)| *e)
    }

    /// UTF-8 for the next `chunk` (possibly nothing while the sample is gathered).
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        if self.chosen.is_none() {
            self.sample.extend_from_slice(chunk);
            if self.forced.is_none() && self.sample.len() < SAMPLE_BYTES {
                return Vec::new();
            }
            return self.choose(false);
        }
        self.convert(chunk, false)
    }

    /// The rest, at the end of the upload.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = if self.chosen.is_none() {
            self.choose(true)
        } else {
            self.convert(&[], true)
        };
        if std::mem::take(&mut self.pending_cr) {
            out.push(b'\n');
        }
        out
    }

    fn choose(&mut self, complete: bool) -> Vec<u8> {
        let encoding = self
            .forced
            .unwrap_or_else(|| detect(&self.sample, complete));
        self.chosen = Some((encoding, encoding.decoder()));
        let sample = std::mem::take(&mut self.sample);
        self.convert(&sample, complete)
    }

    fn convert(&mut self, chunk: &[u8], last: bool) -> Vec<u8> {
        let decoded = match &mut self.chosen {
            Some((_, Some(decoder))) => {
                let mut text = String::with_capacity(chunk.len() * 3 / 2 + 16);
                let capacity = decoder
                    .max_utf8_buffer_length(chunk.len())
                    .unwrap_or(chunk.len() * 3);
                text.reserve(capacity);
                let _ = decoder.decode_to_string(chunk, &mut text, last);
                text.into_bytes()
            }
            _ => chunk.to_vec(),
        };
        self.line_endings(&decoded)
    }

    /// A lone CR (old Mac line ending) becomes LF; CRLF and LF stay.
    fn line_endings(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        for &byte in bytes {
            if std::mem::take(&mut self.pending_cr) && byte != b'\n' {
                out.push(b'\n');
            }
            if byte == b'\r' {
                // written as LF once the next byte shows it is not CRLF's CR
                self.pending_cr = true;
                continue;
            }
            out.push(byte);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(input: &[u8], forced: Option<TextEncoding>, chunk: usize) -> (String, TextEncoding) {
        let mut t = Transcoder::new(forced);
        let mut out = Vec::new();
        for part in input.chunks(chunk) {
            out.extend(t.feed(part));
        }
        out.extend(t.finish());
        (String::from_utf8(out).unwrap(), t.encoding().unwrap())
    }

    #[test]
    fn french_excel_files_become_utf8() {
        // "CSV (séparateur : point-virgule)": Windows-1252, CRLF
        let ansi = b"r\xE9f\xE9rence;adresse\r\nA-1;Caf\xE9 de l'\x9Cuvre \x80\r\n";
        for size in [1, 3, 1000] {
            let (text, encoding) = through(ansi, None, size);
            assert_eq!(encoding, TextEncoding::Windows1252);
            assert_eq!(text, "référence;adresse\nA-1;Café de l'œuvre €\n");
        }
        // "CSV (Macintosh)": Mac Roman, CR line endings
        let mac = b"r\x8Ef\x8Erence;adresse\rA-1;Caf\x8E, 3\x8Fme\r";
        let (text, encoding) = through(mac, None, 2);
        assert_eq!(encoding, TextEncoding::MacRoman);
        assert_eq!(text, "référence;adresse\nA-1;Café, 3ème\n");
        // "CSV UTF-8": stays as it is
        let utf8 = "\u{feff}référence;adresse\r\nA-1;Café\r\n".as_bytes();
        let (text, encoding) = through(utf8, None, 1);
        assert_eq!(encoding, TextEncoding::Utf8);
        assert_eq!(text, "\u{feff}référence;adresse\nA-1;Café\n");
    }

    #[test]
    fn a_forced_encoding_wins_and_oddities_are_left_to_the_reader() {
        let (text, _) = through(b"a\xA4", Some(TextEncoding::Iso885915), 1);
        assert_eq!(text, "a€");
        assert_eq!(detect(b"\xFF\xFEa\0", true), TextEncoding::Utf8);
        assert_eq!(detect(b"a\x81b", true), TextEncoding::Utf8);
        assert!(TextEncoding::parse("CP1252").is_ok());
        assert!(TextEncoding::parse("ebcdic").is_err());
    }
}
