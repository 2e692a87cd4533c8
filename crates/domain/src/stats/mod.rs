//! Reporting rules: how collection figures are grouped and cut into periods, the date
//! ranges asked for and the kinds of a container's timeline (spreadsheet-safe cells are
//! `text::spreadsheet_safe`).

use crate::ValidationError;
use chrono::{Datelike, NaiveDate};

/// A closed enum with a name per variant, parsed from query strings.
macro_rules! named {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// # Errors
            /// When `value` is none of the names.
            pub fn parse(value: &str) -> Result<Self, ValidationError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == value).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    ValidationError::new($field, format!("unknown value '{value}'; expected one of {}", names.join(", ")))
                })
            }
        }
    };
}

named!(
    /// What collection figures are summed per.
    GroupBy, "group_by", {
    Site => "site",
    Area => "area",
    Container => "container",
    Type => "type",
    Driver => "driver",
});

named!(
    /// The calendar period figures are cut into, in the site's time zone.
    Period, "period", {
    Day => "day",
    Week => "week",
    Month => "month",
    Quarter => "quarter",
    Year => "year",
});

named!(
    /// What a timeline entry records.
    TimelineKind, "kind", {
    Registry => "registry",
    Status => "status",
    Import => "import",
    Visit => "visit",
    Skip => "skip",
    Report => "report",
    ReportStatus => "report_status",
});

/// The longest range a statistics query may span, in days (ten years).
pub const MAX_RANGE_DAYS: i64 = 3_660;

/// A range of local days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DateRange {
    /// # Errors
    /// `to` before `from` (field `to`), or a span over [`MAX_RANGE_DAYS`].
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, ValidationError> {
        if to < from {
            return Err(ValidationError::new("to", "must not be before from"));
        }
        if (to - from).num_days() > MAX_RANGE_DAYS {
            return Err(ValidationError::new(
                "to",
                format!("the range may span at most {MAX_RANGE_DAYS} days"),
            ));
        }
        Ok(Self { from, to })
    }

    /// The calendar quarter `quarter` (1–4) of `year`.
    ///
    /// # Errors
    /// A quarter outside 1–4 (field `quarter`) or a year chrono can't represent.
    pub fn quarter(year: i32, quarter: u32) -> Result<Self, ValidationError> {
        if !(1..=4).contains(&quarter) {
            return Err(ValidationError::new("quarter", "must be 1, 2, 3 or 4"));
        }
        let start = NaiveDate::from_ymd_opt(year, quarter * 3 - 2, 1);
        let next = if quarter == 4 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, quarter * 3 + 1, 1)
        };
        match (start, next.and_then(|n| n.pred_opt())) {
            (Some(from), Some(to)) => Ok(Self { from, to }),
            _ => Err(ValidationError::new("year", "out of range")),
        }
    }

    /// The quarter containing `day`: `(year, quarter)`.
    #[must_use]
    pub fn quarter_of(day: NaiveDate) -> (i32, u32) {
        (day.year(), (day.month() - 1) / 3 + 1)
    }

    #[must_use]
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    #[must_use]
    pub fn to(&self) -> NaiveDate {
        self.to
    }
}

/// Bounds of the `days` of neglect asked for (1 day to 3 years).
///
/// # Errors
/// Outside 1–1,095 (field `days`).
pub fn neglect_days(days: Option<u32>) -> Result<u32, ValidationError> {
    match days.unwrap_or(30) {
        d @ 1..=1_095 => Ok(d),
        _ => Err(ValidationError::new("days", "must be between 1 and 1095")),
    }
}

#[cfg(test)]
mod tests;
