//! Calendar dates people type: strictly `YYYY-MM-DD`, within years that make sense for a
//! container (a year 0, -1 or 12026 once came back as `"+12026-01-01"`, which no client
//! reads as a date).

use crate::ValidationError;
use chrono::{Datelike, NaiveDate};

/// The years an installation date may fall in.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// # Errors
/// When `text` is not exactly `YYYY-MM-DD`, is not a real day, or falls outside [`YEARS`].
pub fn installation_date(field: &str, text: &str) -> Result<NaiveDate, ValidationError> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    let date = shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| ValidationError::new(field, "must be a date like 2026-11-22"))?;
    if !YEARS.contains(&date.year()) {
        return Err(ValidationError::new(
            field,
            format!("must be between {} and {}", YEARS.start(), YEARS.end()),
        ));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strict_dates_of_plausible_years_pass() {
        assert!(installation_date("d", "2026-02-03").is_ok());
        for bad in [
            "2026-2-3",
            "0000-01-01",
            "-001-01-01",
            "12026-01-01",
            "2026-02-30",
            "03/02/2026",
        ] {
            assert!(installation_date("d", bad).is_err(), "{bad}");
        }
        assert!(
            installation_date("d", "1899-12-31")
                .unwrap_err()
                .reason
                .contains("between")
        );
    }
}
