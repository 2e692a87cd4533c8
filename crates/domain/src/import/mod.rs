//! Bulk imports of containers from CSV: reading the file and the rules a row must follow.

mod columns;
mod csv;
mod encoding;
mod row;

pub use columns::{FRENCH_COLUMNS, canonical, fold};
pub use csv::{CsvStream, FileError, MAX_RECORD_BYTES, RawRecord};
pub use encoding::{TextEncoding, Transcoder, detect};
pub use row::{
    COLUMNS, INVALID, ImportHeader, ImportRow, MISSING, NOT_A_NUMBER, NOT_WHOLE, RowError,
    ZERO_POINT, template_rows,
};
