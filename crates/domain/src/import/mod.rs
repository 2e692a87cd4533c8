//! Bulk imports of containers from CSV: reading the file and the rules a row must follow.

mod columns;
mod csv;
mod row;

pub use columns::{FRENCH_COLUMNS, canonical, fold};
pub use csv::{CsvStream, FileError, MAX_RECORD_BYTES, RawRecord};
pub use row::{
    COLUMNS, INVALID, ImportHeader, ImportRow, MISSING, NOT_A_NUMBER, NOT_WHOLE, RowError,
    ZERO_POINT, template_rows,
};
