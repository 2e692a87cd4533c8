//! Bulk imports of containers from CSV: reading the file, the rules a row must follow, what a
//! valid row does to its container, and the import's own life cycle.

mod columns;
mod encoding;
mod file;
mod merge;
mod row;
mod state;
mod valid;
mod validate;

pub use columns::{FRENCH_COLUMNS, canonical, fold};
pub use encoding::{TextEncoding, Transcoder, detect};
pub use file::{
    COLUMN_SEPARATOR, FileCheck, FileError, LIST_SEPARATOR, MAX_RECORD_BYTES, RawRecord,
};
pub use merge::{ARCHIVED, FORBIDDEN_STATUS, MergeOutcome, REMOVED_FINAL, merge_row};
pub use row::{
    COLUMNS, INVALID, ImportHeader, ImportRow, MISSING, NOT_A_NUMBER, NOT_WHOLE, RowError,
    ZERO_POINT, template_rows,
};
pub use state::{ImportState, NO_VALID_ROW};
pub use valid::ValidRow;
pub use validate::{
    DUPLICATE_REF, ParsedRow, Rejection, Resolved, RowKeys, UNKNOWN_AREA, UNKNOWN_SITE,
    ValidatedRows, keys_of, parse_batch, validate_batch,
};
