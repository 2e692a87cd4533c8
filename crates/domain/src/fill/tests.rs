//! The fill model on hand-made histories whose answers are known exactly.

use super::*;
use chrono::{Duration, TimeZone};

/// Monday 6 January 2025, 10:00 UTC.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 6, 10, 0, 0).unwrap()
}

fn seen(day: i64, fill_level: u8, emptied: bool) -> FillObservation {
    FillObservation {
        at: monday() + Duration::days(day),
        fill_level,
        emptied,
    }
}

fn flat() -> FillModel {
    FillModel {
        profile: WeeklyProfile::flat(),
        ..FillModel::default()
    }
}

fn rate(per_day: f64) -> Option<FillRate> {
    Some(FillRate {
        per_day,
        observations: 10,
    })
}

/// Emptied every 10 days, found half full each time: 5 %/day, so 80 % is 16 days after
/// the last emptying and the level 4 days after it is 20 %.
#[test]
fn a_regular_history_gives_the_exact_rate_date_and_level() {
    let history = [
        seen(0, 0, true),
        seen(10, 50, true),
        seen(20, 50, true),
        seen(30, 50, true),
    ];
    let model = flat();
    let own = model
        .own_rate(&history, monday() + Duration::days(30))
        .unwrap();
    assert_eq!(
        own,
        FillRate {
            per_day: 5.0,
            observations: 3
        }
    );
    let priors = RatePriors {
        area: rate(5.0),
        kind: rate(9.0),
    };
    let p = model.predict(&history, priors, monday() + Duration::days(34));
    assert!((p.rate_per_day - 5.0).abs() < 1e-9);
    assert_eq!(p.threshold_at, Some(monday() + Duration::days(46)));
    assert!((p.estimated_fill - 20.0).abs() < 1e-9);
    assert_eq!(p.source, RateSource::Container);
    assert_eq!(p.observations, 3);
    // Three own samples against a fallback worth a quarter of one.
    assert!((p.confidence - 3.0 / 3.25).abs() < 1e-9);
}

#[test]
fn the_weekly_profile_weights_weekends_and_advance_inverts_it() {
    // Saturday and Sunday twice a weekday: the mean is 9/7, so a weekday is 7/9 of a day.
    let profile = WeeklyProfile::new([1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0]);
    let week = profile.effective_days(monday(), monday() + Duration::days(7));
    assert!((week - 7.0).abs() < 1e-9);
    let saturday = Utc.with_ymd_and_hms(2025, 1, 11, 0, 0, 0).unwrap();
    let weekend = profile.effective_days(saturday, saturday + Duration::days(2));
    assert!((weekend - 28.0 / 9.0).abs() < 1e-9);
    assert_eq!(
        profile.advance(saturday, 28.0 / 9.0, 30),
        Some(saturday + Duration::days(2))
    );
    let from = monday() + Duration::hours(5);
    let later = profile.advance(from, 23.4, 60).unwrap();
    assert!((profile.effective_days(from, later) - 23.4).abs() < 1e-4);
    assert_eq!(profile.advance(from, 50.0, 30), None);
}

/// Deposits follow the weekday profile exactly: the model with that profile recovers the
/// rate exactly although the calendar intervals differ in weekend days.
#[test]
fn seasonal_deposits_give_back_the_exact_rate() {
    let profile = WeeklyProfile::new([1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0]);
    let model = FillModel {
        profile,
        ..FillModel::default()
    };
    // Visits on Monday, Friday, next Monday (a weekend in between), Thursday.
    let days = [0, 4, 7, 10];
    let at = |d: i64| monday() + Duration::days(d);
    let mut history = vec![FillObservation {
        at: at(0),
        fill_level: 0,
        emptied: true,
    }];
    for pair in days.windows(2) {
        let level = 9.0 * profile.effective_days(at(pair[0]), at(pair[1]));
        history.push(FillObservation {
            at: at(pair[1]),
            fill_level: level.round() as u8,
            emptied: true,
        });
    }
    // 9 %/effective day: Mon→Fri is 4 × 7/9 days = 28 %, Fri→Mon is 1 × 7/9 + 2 × 14/9
    // days = 35 %, Mon→Thu 3 × 7/9 days = 21 %.
    assert_eq!(
        history.iter().map(|o| o.fill_level).collect::<Vec<_>>(),
        [0, 28, 35, 21]
    );
    let own = model.own_rate(&history, at(10)).unwrap();
    assert!((own.per_day - 9.0).abs() < 1e-9, "{own:?}");
}

#[test]
fn a_dumped_load_or_a_wild_reading_does_not_move_the_rate() {
    let mut history = vec![seen(0, 0, true)];
    for k in 1..=6 {
        history.push(seen(10 * k, 50, true));
    }
    history.push(seen(63, 95, true)); // someone emptied a flat into it: 95 % in 3 days
    history.push(seen(73, 48, true));
    history.push(seen(83, 52, true));
    let own = flat()
        .own_rate(&history, monday() + Duration::days(83))
        .unwrap();
    assert!((own.per_day - 5.0).abs() < 0.25, "{own:?}");
}

#[test]
fn an_overflow_after_a_missed_visit_does_not_lower_the_rate() {
    // The visit of day 30 was missed: found overflowing on day 40 (≥ 100/30 ≈ 3.3 %/day,
    // a lower bound only).
    let history = [
        seen(0, 0, true),
        seen(10, 50, true),
        seen(20, 50, true),
        seen(40, 100, true),
    ];
    let own = flat()
        .own_rate(&history, monday() + Duration::days(40))
        .unwrap();
    assert!((own.per_day - 5.0).abs() < 1e-9, "{own:?}");
}

#[test]
fn overflows_only_give_a_lower_bound_that_is_used() {
    let history = [seen(0, 0, true), seen(7, 100, true), seen(14, 100, true)];
    let own = flat()
        .own_rate(&history, monday() + Duration::days(14))
        .unwrap();
    assert!((own.per_day - 100.0 / 7.0).abs() < 1e-9);
}

#[test]
fn without_history_the_area_then_the_type_then_the_default_rate_is_used() {
    let model = flat();
    let now = monday();
    let area = model.predict(
        &[],
        RatePriors {
            area: rate(4.0),
            kind: rate(9.0),
        },
        now,
    );
    assert_eq!(
        (area.source, area.observations, area.rate_per_day),
        (RateSource::Area, 0, 4.0)
    );
    assert_eq!(area.confidence, 0.0);
    let kind = model.predict(
        &[],
        RatePriors {
            area: None,
            kind: rate(9.0),
        },
        now,
    );
    assert_eq!((kind.source, kind.rate_per_day), (RateSource::Type, 9.0));
    let none = model.predict(&[], RatePriors::default(), now);
    assert_eq!(
        (none.source, none.rate_per_day),
        (RateSource::Default, DEFAULT_RATE_PER_DAY)
    );
    // Never seen emptied: no anchor, so no date.
    assert_eq!(none.threshold_at, None);
}

#[test]
fn one_visit_blends_with_the_fallback_and_says_so() {
    let history = [seen(0, 0, true), seen(10, 50, true)];
    let model = FillModel {
        prior_weight: 2.0,
        ..flat()
    };
    let p = model.predict(
        &history,
        RatePriors {
            area: rate(8.0),
            kind: None,
        },
        monday() + Duration::days(10),
    );
    // One own sample against a prior worth two: (5 + 2 × 8) / 3 = 7.
    assert!((p.rate_per_day - 7.0).abs() < 1e-9);
    assert_eq!((p.source, p.observations), (RateSource::Area, 1));
}

#[test]
fn a_reading_without_emptying_is_the_anchor() {
    // Emptied on day 0, 5 %/day; found at 40 % on day 8 and left: the model says 40 too,
    // so 80 % comes 8 days later.
    let history = [seen(-10, 0, true), seen(0, 50, true), seen(8, 40, false)];
    let priors = RatePriors {
        area: rate(5.0),
        kind: None,
    };
    let p = flat().predict(&history, priors, monday() + Duration::days(8));
    assert_eq!(p.threshold_at, Some(monday() + Duration::days(16)));
    assert!((p.estimated_fill - 40.0).abs() < 1e-9);
}

#[test]
fn a_container_found_full_is_due_at_once() {
    let history = [seen(0, 0, true), seen(5, 100, false)];
    let model = FillModel {
        prior_weight: 2.0,
        ..flat()
    };
    let p = model.predict(
        &history,
        RatePriors::default(),
        monday() + Duration::days(6),
    );
    assert_eq!(p.threshold_at, Some(monday() + Duration::days(5)));
    assert!((p.estimated_fill - 100.0).abs() < 1e-9);
}

#[test]
fn pooled_and_weighted_medians() {
    assert_eq!(rate::weighted_median(vec![]), None);
    assert_eq!(
        rate::weighted_median(vec![(3.0, 1.0), (1.0, 1.0), (2.0, 1.0)]),
        Some(2.0)
    );
    assert_eq!(
        rate::weighted_median(vec![(1.0, 1.0), (2.0, 1.0)]),
        Some(1.5)
    );
    assert_eq!(
        rate::weighted_median(vec![(1.0, 1.0), (9.0, 5.0)]),
        Some(9.0)
    );
    let pooled =
        FillModel::pooled_rate(&[rate(4.0).unwrap(), rate(6.0).unwrap(), rate(50.0).unwrap()]);
    assert_eq!(
        pooled,
        Some(FillRate {
            per_day: 6.0,
            observations: 30
        })
    );
}
