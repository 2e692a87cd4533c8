//! An incremental CSV reader for uploads: fed chunks as they arrive, it checks the encoding
//! (UTF-8 with or without BOM), detects the delimiter (`,` or `;`) from the header line and
//! yields whole records with the line they start on, holding at most one record in memory.

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

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the file is empty"),
            Self::HeaderOnly => f.write_str("the file has a header line but no rows"),
            Self::Utf16 => {
                f.write_str("the file is UTF-16; save it as UTF-8 (with or without BOM)")
            }
            Self::Workbook => f.write_str(
                "this is an Excel workbook, not a CSV file: open it in Excel, choose \
                 File › Save As and the type \"CSV UTF-8 (comma delimited)\", then upload that file",
            ),
            Self::Compressed => f.write_str(
                "this is a compressed file (zip or gzip): extract the CSV file from it and upload that",
            ),
            Self::Binary { line } => write!(
                f,
                "line {line} holds NUL bytes: binary data or UTF-16, expected UTF-8 text"
            ),
            Self::NotUtf8 { line } => write!(
                f,
                "line {line} is not valid UTF-8; save the file as UTF-8 (with or without BOM)"
            ),
            Self::UnterminatedQuote { line } => {
                write!(
                    f,
                    "the quoted field starting on line {line} is never closed"
                )
            }
            Self::RecordTooLong { line } => write!(
                f,
                "the row starting on line {line} is longer than {MAX_RECORD_BYTES} bytes"
            ),
            Self::HeaderTooLong => {
                write!(f, "no header line in the first {MAX_HEADER_BYTES} bytes")
            }
            Self::Header { missing, unknown } => {
                write!(f, "the header does not match the documented columns")?;
                if !missing.is_empty() {
                    write!(f, "; missing: {}", missing.join(", "))?;
                }
                if !unknown.is_empty() {
                    write!(f, "; unknown: {}", unknown.join(", "))?;
                }
                Ok(())
            }
            Self::TooLarge { limit } => write!(f, "the file is larger than {limit} bytes"),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Splits a byte stream into records.
#[derive(Debug)]
pub struct CsvStream {
    /// Bytes held until the header line is complete (delimiter unknown yet).
    pending: Vec<u8>,
    delimiter: Option<u8>,
    state: State,
    field: Vec<u8>,
    fields: Vec<String>,
    record_bytes: usize,
    line: u64,
    record_line: u64,
    records: u64,
}

impl Default for CsvStream {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvStream {
    #[must_use]
    pub fn new() -> Self {
        Self {
            pending: Vec::new(),
            delimiter: None,
            state: State::FieldStart,
            field: Vec::new(),
            fields: Vec::new(),
            record_bytes: 0,
            line: 1,
            record_line: 1,
            records: 0,
        }
    }

    /// The delimiter, once the header line has been read.
    #[must_use]
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// Records read so far, the header included.
    #[must_use]
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Reads `chunk`, appending every record it completes to `out`.
    ///
    /// # Errors
    /// A [`FileError`] when the file can't be read as UTF-8 CSV.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<RawRecord>) -> Result<(), FileError> {
        if self.delimiter.is_some() {
            return self.split(chunk, out);
        }
        self.pending.extend_from_slice(chunk);
        if self.pending.len() < 3 && !self.pending.contains(&b'\n') {
            return Ok(());
        }
        self.start(out, false)
    }

    /// Ends the stream, appending the last record if it has no final newline.
    ///
    /// # Errors
    /// As [`CsvStream::feed`], and `Empty`, `HeaderOnly` or an unclosed quote.
    pub fn finish(&mut self, out: &mut Vec<RawRecord>) -> Result<(), FileError> {
        if self.delimiter.is_none() {
            self.start(out, true)?;
        }
        match self.state {
            State::Quoted => {
                return Err(FileError::UnterminatedQuote {
                    line: self.record_line,
                });
            }
            State::FieldStart if self.fields.is_empty() => {}
            _ => self.end_record(out)?,
        }
        match self.records {
            0 => Err(FileError::Empty),
            1 => Err(FileError::HeaderOnly),
            _ => Ok(()),
        }
    }

    fn start(&mut self, out: &mut Vec<RawRecord>, at_end: bool) -> Result<(), FileError> {
        let pending = std::mem::take(&mut self.pending);
        if pending.starts_with(b"\xFF\xFE") || pending.starts_with(b"\xFE\xFF") {
            return Err(FileError::Utf16);
        }
        if let Some(kind) = foreign_format(&pending) {
            return Err(kind);
        }
        let body = pending.strip_prefix(BOM).unwrap_or(&pending);
        let Some(end) = body.iter().position(|b| *b == b'\n') else {
            if body.len() > MAX_HEADER_BYTES {
                return Err(FileError::HeaderTooLong);
            }
            if !at_end {
                self.pending = pending;
                return Ok(());
            }
            if body.iter().all(u8::is_ascii_whitespace) {
                return Err(FileError::Empty);
            }
            self.delimiter = Some(detect_delimiter(body));
            return self.split(body, out);
        };
        self.delimiter = Some(detect_delimiter(&body[..end]));
        let body = body.to_vec();
        self.split(&body, out)
    }

    fn split(&mut self, chunk: &[u8], out: &mut Vec<RawRecord>) -> Result<(), FileError> {
        let delimiter = self.delimiter.unwrap_or(b',');
        for &byte in chunk {
            if byte == 0 {
                return Err(FileError::Binary { line: self.line });
            }
            self.record_bytes += 1;
            if self.record_bytes > MAX_RECORD_BYTES {
                return Err(FileError::RecordTooLong {
                    line: self.record_line,
                });
            }
            match (self.state, byte) {
                (State::Quoted, b'"') => self.state = State::QuoteInQuoted,
                // CRLF inside a quoted field is kept as a plain newline
                (State::Quoted, b'\r') => {}
                (State::Quoted, _) => {
                    if byte == b'\n' {
                        self.line += 1;
                    }
                    self.field.push(byte);
                }
                (State::QuoteInQuoted, b'"') => {
                    self.field.push(b'"');
                    self.state = State::Quoted;
                }
                (State::FieldStart, b'"') => self.state = State::Quoted,
                (_, b'\r') => {}
                (_, b'\n') => {
                    self.line += 1;
                    if self.state == State::FieldStart && self.fields.is_empty() {
                        // a blank line
                        self.record_line = self.line;
                        self.record_bytes = 0;
                    } else {
                        self.end_record(out)?;
                    }
                }
                (_, b) if b == delimiter => {
                    self.end_field()?;
                    self.state = State::FieldStart;
                }
                (_, b) => {
                    self.field.push(b);
                    self.state = State::Unquoted;
                }
            }
        }
        Ok(())
    }

    fn end_field(&mut self) -> Result<(), FileError> {
        let bytes = std::mem::take(&mut self.field);
        let text = String::from_utf8(bytes).map_err(|_| FileError::NotUtf8 {
            line: self.record_line,
        })?;
        self.fields.push(text);
        Ok(())
    }

    fn end_record(&mut self, out: &mut Vec<RawRecord>) -> Result<(), FileError> {
        self.end_field()?;
        out.push(RawRecord {
            line: self.record_line,
            fields: std::mem::take(&mut self.fields),
        });
        self.records += 1;
        self.state = State::FieldStart;
        self.record_line = self.line;
        self.record_bytes = 0;
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

    fn read_in_chunks(input: &[u8], size: usize) -> Result<Vec<RawRecord>, FileError> {
        let mut stream = CsvStream::new();
        let mut out = Vec::new();
        for chunk in input.chunks(size) {
            stream.feed(chunk, &mut out)?;
        }
        stream.finish(&mut out)?;
        Ok(out)
    }

    fn fields(records: &[RawRecord]) -> Vec<Vec<&str>> {
        records
            .iter()
            .map(|r| r.fields.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn any_chunking_gives_the_same_records() {
        let input = "\u{FEFF}a;b\r\n1;\"x;\"\"y\"\"\nz\"\r\n\r\n2;3";
        for size in [1, 2, 3, 5, 100] {
            let records = read_in_chunks(input.as_bytes(), size).unwrap();
            assert_eq!(
                fields(&records),
                vec![vec!["a", "b"], vec!["1", "x;\"y\"\nz"], vec!["2", "3"]]
            );
            assert_eq!(
                records.iter().map(|r| r.line).collect::<Vec<_>>(),
                vec![1, 2, 5]
            );
        }
    }

    #[test]
    fn file_level_problems_are_named() {
        assert_eq!(read_in_chunks(b"", 10), Err(FileError::Empty));
        assert_eq!(read_in_chunks(b"a,b\n", 10), Err(FileError::HeaderOnly));
        assert_eq!(read_in_chunks(b"\xFF\xFEa\0", 10), Err(FileError::Utf16));
        assert_eq!(
            read_in_chunks(
                b"PK\x03\x04\x14\0\0\0[Content_Types].xml\nxl/workbook.xml",
                100
            ),
            Err(FileError::Workbook)
        );
        assert_eq!(
            read_in_chunks(b"\x1F\x8B\x08\0\0\0\n", 10),
            Err(FileError::Compressed)
        );
        assert_eq!(
            read_in_chunks(b"a,b\n1,\xC3\x28\n", 10),
            Err(FileError::NotUtf8 { line: 2 })
        );
        assert_eq!(
            read_in_chunks(b"a,b\n1,\0\n", 10),
            Err(FileError::Binary { line: 2 })
        );
        assert_eq!(
            read_in_chunks(b"a,b\n1,\"open\n", 10),
            Err(FileError::UnterminatedQuote { line: 2 })
        );
    }

    #[test]
    fn the_delimiter_is_detected_from_the_header() {
        assert_eq!(detect_delimiter(b"a;b;\"c,d\""), b';');
        assert_eq!(detect_delimiter(b"a,b"), b',');
        assert_eq!(detect_delimiter(b"a"), b',');
    }
}
