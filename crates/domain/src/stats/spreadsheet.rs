//! Cells that a spreadsheet shows as text, never runs: CSV injection (a cell starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return is taken for a formula by Excel and
//! LibreOffice) is neutralised with a leading `'`, which they hide.

use std::borrow::Cow;

/// `value` safe to open in a spreadsheet: prefixed with `'` when it starts like a formula.
/// Numbers the export writes itself (negative ones included) are not passed through here.
#[must_use]
pub fn spreadsheet_cell(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}
