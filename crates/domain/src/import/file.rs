//! The file-level checks an upload passes before the CSV reader (csv-async) sees it: what
//! the file is (not UTF-16, a workbook or an archive), its BOM dropped, its delimiter (`,` or
//! `;`) detected from the header line, no NUL byte, no row longer than [`MAX_RECORD_BYTES`]
//! and no quote left open at the end. It follows where records end but never splits fields:
//! that is the reader's work.

use std::fmt;

/// The longest record accepted (a field may hold a long text, not a whole file).
pub const MAX_RECORD_BYTES: usize = 8 * 1024 * 1024;
/// How far the header line is looked for before the file is refused.
const MAX_HEADER_BYTES: usize = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What makes a whole file unreadable; nothing of it is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Empty,
    HeaderOnly,
    Utf16,
    /// An Excel workbook (`.xlsx`, a zip) or a `.xls`.
    Workbook,
    /// A gzip or zip archive.
    Compressed,
    Binary {
        line: u64,
    },
    NotUtf8 {
        line: u64,
    },
    UnterminatedQuote {
        line: u64,
    },
    RecordTooLong {
        line: u64,
    },
    HeaderTooLong,
    Header {
        missing: Vec<String>,
        unknown: Vec<String>,
    },
    TooLarge {
        limit: u64,
    },
}

/// Separates the columns of a `file-header` code (column names may hold `,` or `:`).
pub const COLUMN_SEPARATOR: char = '\u{1f}';
/// Separates a `file-header` code's missing columns from its unknown ones.
pub const LIST_SEPARATOR: char = '\u{1e}';

impl fmt::Display for FileError {
    /// The reason's code, stored with the failed import and put in the reader's words when
    /// read (`file-utf16`, `file-binary:3`; i18n's `import_failure`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("file-empty"),
            Self::HeaderOnly => f.write_str("file-header-only"),
            Self::Utf16 => f.write_str("file-utf16"),
            Self::Workbook => f.write_str("file-workbook"),
            Self::Compressed => f.write_str("file-compressed"),
            Self::Binary { line } => write!(f, "file-binary:{line}"),
            Self::NotUtf8 { line } => write!(f, "file-not-utf8:{line}"),
            Self::UnterminatedQuote { line } => write!(f, "file-open-quote:{line}"),
            Self::RecordTooLong { line } => {
                write!(f, "file-row-too-long:{line}:{MAX_RECORD_BYTES}")
            }
            Self::HeaderTooLong => write!(f, "file-header-too-long:{MAX_HEADER_BYTES}"),
            Self::Header { missing, unknown } => {
                let list = |names: &[String]| names.join(&COLUMN_SEPARATOR.to_string());
                write!(
                    f,
                    "file-header:{}{LIST_SEPARATOR}{}",
                    list(missing),
                    list(unknown)
                )
            }
            Self::TooLarge { limit } => write!(f, "file-too-large:{limit}"),
        }
    }
}

impl std::error::Error for FileError {}

/// One record: its fields and the line it starts on (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    pub line: u64,
    pub fields: Vec<String>,
}

/// Where the check stands in a record: enough to know where the record ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Checks an upload's UTF-8 chunks in order and passes them on, the BOM dropped.
#[derive(Debug)]
pub struct FileCheck {
    /// Bytes held until the header line is complete (the delimiter is unknown before).
    pending: Vec<u8>,
    delimiter: Option<u8>,
    quoting: Quoting,
    record_bytes: usize,
    line: u64,
    record_line: u64,
    /// Whether a byte other than white space was seen.
    any_text: bool,
    /// Whether the last byte passed on was a line end.
    ends_line: bool,
}

impl Default for FileCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl FileCheck {
    #[must_use]
    pub fn new() -> Self {
        Self {
            pending: Vec::new(),
            delimiter: None,
            quoting: Quoting::FieldStart,
            record_bytes: 0,
            line: 1,
            record_line: 1,
            any_text: false,
            ends_line: false,
        }
    }

    /// The delimiter, once the header line has been seen.
    #[must_use]
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// The bytes of `chunk` ready for the reader: none while the header line is incomplete.
    ///
    /// # Errors
    /// A [`FileError`] when the file can't be read as CSV.
    pub fn feed(&mut self, chunk: Vec<u8>) -> Result<Vec<u8>, FileError> {
        if self.delimiter.is_some() {
            self.scan(&chunk)?;
            return Ok(chunk);
        }
        self.pending.extend_from_slice(&chunk);
        if self.pending.len() < 3 && !self.pending.contains(&b'\n') {
            return Ok(Vec::new());
        }
        self.start(false)
    }

    /// The bytes still held, at the end of the file, ending with a line end (so that every
    /// record ends with one).
    ///
    /// # Errors
    /// As [`FileCheck::feed`], and `Empty` or a quote left open.
    pub fn finish(&mut self) -> Result<Vec<u8>, FileError> {
        let mut rest = if self.delimiter.is_none() {
            self.start(true)?
        } else {
            Vec::new()
        };
        if self.quoting == Quoting::Quoted {
            return Err(FileError::UnterminatedQuote {
                line: self.record_line,
            });
        }
        if !self.any_text {
            return Err(FileError::Empty);
        }
        if !self.ends_line {
            rest.push(b'\n');
        }
        Ok(rest)
    }

    fn start(&mut self, at_end: bool) -> Result<Vec<u8>, FileError> {
        let pending = std::mem::take(&mut self.pending);
        if pending.starts_with(b"\xFF\xFE") || pending.starts_with(b"\xFE\xFF") {
            return Err(FileError::Utf16);
        }
        if let Some(kind) = foreign_format(&pending) {
            return Err(kind);
        }
        let body = pending.strip_prefix(BOM).unwrap_or(&pending);
        let header_end = body.iter().position(|b| *b == b'\n');
        if header_end.is_none() {
            if body.len() > MAX_HEADER_BYTES {
                return Err(FileError::HeaderTooLong);
            }
            if !at_end {
                self.pending = pending;
                return Ok(Vec::new());
            }
        }
        self.delimiter = Some(detect_delimiter(&body[..header_end.unwrap_or(body.len())]));
        let body = body.to_vec();
        self.scan(&body)?;
        Ok(body)
    }

    /// Follows the quoting, byte by byte, as the reader will: a record ends at a line end
    /// outside quotes.
    fn scan(&mut self, bytes: &[u8]) -> Result<(), FileError> {
        let delimiter = self.delimiter.unwrap_or(b',');
        if let Some(last) = bytes.last() {
            self.ends_line = *last == b'\n';
        }
        for &byte in bytes {
            if byte == 0 {
                return Err(FileError::Binary { line: self.line });
            }
            self.record_bytes += 1;
            if self.record_bytes > MAX_RECORD_BYTES {
                return Err(FileError::RecordTooLong {
                    line: self.record_line,
                });
            }
            self.any_text |= !byte.is_ascii_whitespace();
            if byte == b'\n' {
                self.line += 1;
            }
            self.quoting = match (self.quoting, byte) {
                (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
                (Quoting::Quoted, _) => Quoting::Quoted,
                (Quoting::FieldStart | Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
                (_, b'\n') => {
                    self.record_bytes = 0;
                    self.record_line = self.line;
                    Quoting::FieldStart
                }
                (_, b) if b == delimiter => Quoting::FieldStart,
                _ => Quoting::Unquoted,
            };
        }
        Ok(())
    }
}

/// `;` when the header line has more semicolons than commas outside quotes, else `,`.
fn detect_delimiter(header: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0_usize, 0_usize, false);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Files people upload by mistake, told apart by their first bytes: a workbook (`.xlsx`
/// is a zip holding `xl/`, `.xls` an OLE2 file) or another archive.
fn foreign_format(start: &[u8]) -> Option<FileError> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    const GZIP: &[u8] = b"\x1F\x8B";
    let holds = |needle: &[u8]| start.windows(needle.len()).any(|w| w == needle);
    if start.starts_with(OLE2)
        || (start.starts_with(ZIP) && (holds(b"xl/") || holds(b"[Content_Types].xml")))
    {
        Some(FileError::Workbook)
    } else if start.starts_with(ZIP) || start.starts_with(GZIP) {
        Some(FileError::Compressed)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_in_chunks(input: &[u8], size: usize) -> Result<Vec<u8>, FileError> {
        let mut check = FileCheck::new();
        let mut out = Vec::new();
        for chunk in input.chunks(size) {
            out.extend(check.feed(chunk.to_vec())?);
        }
        out.extend(check.finish()?);
        Ok(out)
    }

    #[test]
    fn any_chunking_passes_the_same_bytes_without_the_bom() {
        let input = "\u{FEFF}a;b\n1;\"x;\"\"y\"\"\nz\"\n\n2;3";
        for size in [1, 2, 3, 5, 100] {
            let out = check_in_chunks(input.as_bytes(), size).unwrap();
            assert_eq!(
                out,
                format!("{}\n", &input[3..]).as_bytes(),
                "a line end added"
            );
        }
        assert_eq!(check_in_chunks(b"a\n1\n", 1).unwrap(), b"a\n1\n");
        let mut check = FileCheck::new();
        assert!(check.feed(b"a;b".to_vec()).unwrap().is_empty(), "held");
        assert_eq!(check.feed(b"\n1;2".to_vec()).unwrap(), b"a;b\n1;2");
        assert_eq!(check.delimiter(), Some(b';'));
    }

    #[test]
    fn file_level_problems_are_named() {
        assert_eq!(check_in_chunks(b"", 10), Err(FileError::Empty));
        assert_eq!(check_in_chunks(b" \n\n", 10), Err(FileError::Empty));
        assert_eq!(check_in_chunks(b"\xFF\xFEa\0", 10), Err(FileError::Utf16));
        assert_eq!(
            check_in_chunks(
                b"PK\x03\x04\x14\0\0\0[Content_Types].xml\nxl/workbook.xml",
                100
            ),
            Err(FileError::Workbook)
        );
        assert_eq!(
            check_in_chunks(b"\x1F\x8B\x08\0\0\0\n", 10),
            Err(FileError::Compressed)
        );
        assert_eq!(
            check_in_chunks(b"a,b\n1,\0\n", 10),
            Err(FileError::Binary { line: 2 })
        );
        assert_eq!(
            check_in_chunks(b"a,b\n1,\"two\nlines\"\n3,\"open\n4,5\n", 3),
            Err(FileError::UnterminatedQuote { line: 4 })
        );
        let long = format!("a,b\n1,\"{}\"\n", "x".repeat(MAX_RECORD_BYTES));
        assert_eq!(
            check_in_chunks(long.as_bytes(), 4096),
            Err(FileError::RecordTooLong { line: 2 })
        );
        assert_eq!(
            check_in_chunks(&vec![b'a'; MAX_HEADER_BYTES + 1], 4096),
            Err(FileError::HeaderTooLong)
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_text() {
        assert!(check_in_chunks(b"a,b\n1,12\" screen\n2,3\n", 4).is_ok());
    }

    #[test]
    fn the_delimiter_is_detected_from_the_header() {
        assert_eq!(detect_delimiter(b"a;b;\"c,d\""), b';');
        assert_eq!(detect_delimiter(b"a,b"), b',');
        assert_eq!(detect_delimiter(b"a"), b',');
    }
}
