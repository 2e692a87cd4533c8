//! Reporting rules.

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn names_parse_and_unknown_ones_name_the_field() {
    assert_eq!(GroupBy::parse("driver").unwrap(), GroupBy::Driver);
    assert_eq!(Period::parse("quarter").unwrap(), Period::Quarter);
    assert_eq!(
        TimelineKind::parse("report_status").unwrap(),
        TimelineKind::ReportStatus
    );
    let error = Period::parse("fortnight").unwrap_err();
    assert_eq!(error.field, "period");
    assert!(
        error.reason.contains("day, week, month, quarter, year"),
        "{}",
        error.reason
    );
}

#[test]
fn ranges_are_ordered_and_bounded() {
    assert!(DateRange::new(day(2026, 4, 1), day(2026, 4, 1)).is_ok());
    assert_eq!(
        DateRange::new(day(2026, 4, 2), day(2026, 4, 1))
            .unwrap_err()
            .field,
        "to"
    );
    assert!(DateRange::new(day(2010, 1, 1), day(2026, 1, 1)).is_err());
}

#[test]
fn quarters_cover_their_three_months() {
    let q1 = DateRange::quarter(2026, 1).unwrap();
    assert_eq!((q1.from(), q1.to()), (day(2026, 1, 1), day(2026, 3, 31)));
    let q4 = DateRange::quarter(2026, 4).unwrap();
    assert_eq!((q4.from(), q4.to()), (day(2026, 10, 1), day(2026, 12, 31)));
    assert_eq!(DateRange::quarter(2026, 5).unwrap_err().field, "quarter");
    assert_eq!(DateRange::quarter_of(day(2026, 8, 15)), (2026, 3));
}

#[test]
fn neglect_days_default_and_bounds() {
    assert_eq!(neglect_days(None).unwrap(), 30);
    assert_eq!(neglect_days(Some(0)).unwrap_err().field, "days");
    assert!(neglect_days(Some(2_000)).is_err());
}
