//! Bulk imports of containers from CSV: reading the file and the rules a row must follow.

mod csv;
mod row;

pub use csv::{CsvStream, FileError, MAX_RECORD_BYTES, RawRecord};
pub use row::{COLUMNS, ImportHeader, ImportRow, RowError, template_csv};
