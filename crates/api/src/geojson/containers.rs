//! A page of containers written straight into its buffer, byte for byte as serde_json
//! writes the same `FeatureCollection` (the tests in `super` compare the two).
//!
//! Why by hand: through serde, each of a feature's 21 member names reaches the writer as a
//! string to be checked for characters to escape, and every value takes a call of its
//! own. On a search page of 50 features that was most of the answer's JSON time
//! (BENCHMARKS.md, issue 26). Here the fixed parts are copied as they are; only the
//! containers' own text is checked.

use super::{ContainerProperties, Feature, FeatureCollection, FeatureId};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};
use std::io::{self, Write as _};
use uuid::Uuid;

/// Writes `page` without its closing brace, so that a caller can add members of its own
/// (OGC's `numberMatched`) before closing it.
pub(super) fn open_collection(
    out: &mut Vec<u8>,
    page: &FeatureCollection<ContainerProperties>,
) -> io::Result<()> {
    out.extend_from_slice(b"{\"type\":");
    string(out, page.kind)?;
    out.extend_from_slice(b",\"features\":[");
    for (index, feature) in page.features.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_feature(out, feature)?;
    }
    out.extend_from_slice(b"],\"numberReturned\":");
    out.extend_from_slice(itoa::Buffer::new().format(page.number_returned).as_bytes());
    // two links, not worth writing by hand
    out.extend_from_slice(b",\"links\":");
    sonic_rs::to_writer(&mut *out, &page.links).map_err(io::Error::other)?;
    if let Some(cursor) = &page.next_cursor {
        out.extend_from_slice(b",\"next_cursor\":");
        string(out, cursor)?;
    }
    Ok(())
}

fn write_feature(out: &mut Vec<u8>, feature: &Feature<ContainerProperties>) -> io::Result<()> {
    out.extend_from_slice(b"{\"type\":");
    string(out, feature.kind)?;
    out.extend_from_slice(b",\"id\":");
    match &feature.id {
        FeatureId::Uuid(id) => uuid(out, *id),
        FeatureId::Code(code) => string(out, code)?,
    }
    out.extend_from_slice(b",\"geometry\":{\"type\":");
    string(out, feature.geometry.kind)?;
    let [longitude, latitude] = feature.geometry.coordinates;
    out.extend_from_slice(b",\"coordinates\":[");
    float(out, longitude);
    out.push(b',');
    float(out, latitude);
    out.extend_from_slice(b"]},\"properties\":");
    properties(out, &feature.properties)?;
    out.push(b'}');
    Ok(())
}

/// The members in the order of `ContainerProperties`' fields, as serde writes them.
fn properties(out: &mut Vec<u8>, p: &ContainerProperties) -> io::Result<()> {
    out.extend_from_slice(b"{\"public_code\":");
    string(out, &p.public_code)?;
    out.extend_from_slice(b",\"site_id\":");
    uuid(out, p.site_id);
    out.extend_from_slice(b",\"area_id\":");
    or_null(out, p.area_id, |out, id| {
        uuid(out, id);
        Ok(())
    })?;
    out.extend_from_slice(b",\"external_ref\":");
    or_null(out, p.external_ref.as_deref(), string)?;
    out.extend_from_slice(b",\"type\":");
    string(out, p.kind)?;
    out.extend_from_slice(b",\"status\":");
    string(out, p.status)?;
    out.extend_from_slice(b",\"capacity_litres\":");
    or_null(out, p.capacity_litres, |out, litres| {
        out.extend_from_slice(itoa::Buffer::new().format(litres).as_bytes());
        Ok(())
    })?;
    out.extend_from_slice(b",\"address\":");
    or_null(out, p.address.as_deref(), string)?;
    out.extend_from_slice(b",\"installed_on\":");
    or_null(out, p.installed_on, date)?;
    out.extend_from_slice(b",\"notes\":");
    or_null(out, p.notes.as_deref(), string)?;
    out.extend_from_slice(b",\"archived_at\":");
    or_null(out, p.archived_at.as_ref(), timestamp)?;
    out.extend_from_slice(b",\"version\":");
    out.extend_from_slice(itoa::Buffer::new().format(p.version).as_bytes());
    out.extend_from_slice(b",\"created_at\":");
    timestamp(out, &p.created_at)?;
    out.extend_from_slice(b",\"updated_at\":");
    timestamp(out, &p.updated_at)?;
    if let Some(metres) = p.distance_m {
        out.extend_from_slice(b",\"distance_m\":");
        float(out, metres);
    }
    out.push(b'}');
    Ok(())
}

fn or_null<T>(
    out: &mut Vec<u8>,
    value: Option<T>,
    write: impl FnOnce(&mut Vec<u8>, T) -> io::Result<()>,
) -> io::Result<()> {
    match value {
        Some(value) => write(out, value),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// A JSON string: copied as it is when nothing in it needs escaping (a container's text
/// almost never does), else escaped by sonic-rs.
fn string(out: &mut Vec<u8>, text: &str) -> io::Result<()> {
    if !needs_escape(text.as_bytes()) {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        sonic_rs::to_writer(&mut *out, text).map_err(io::Error::other)
    }
}

/// Whether `text` holds a byte JSON escapes (`"`, `\\` or a control character), looked for
/// eight bytes at a time: for each, "is it below 0x20" and "is it zero once XORed with the
/// quote (the backslash)" set its top bit, without a branch per byte.
fn needs_escape(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let any_in = |word: u64| {
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let below_space = word.wrapping_sub(ONES * 0x20) & !word;
        let quotes = quote.wrapping_sub(ONES) & !quote;
        let backslashes = backslash.wrapping_sub(ONES) & !backslash;
        (below_space | quotes | backslashes) & TOPS != 0
    };
    let mut words = text.chunks_exact(8);
    let found = words.by_ref().any(|word| {
        // always eight bytes; a zero word would only send the text to sonic-rs
        any_in(u64::from_le_bytes(word.try_into().unwrap_or_default()))
    });
    found
        || words
            .remainder()
            .iter()
            .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

fn uuid(out: &mut Vec<u8>, id: Uuid) {
    let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut text).as_bytes());
    out.push(b'"');
}

/// As serde_json: the shortest text that reads back as the same number; `null` for NaN and
/// the infinities.
fn float(out: &mut Vec<u8>, value: f64) {
    if value.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(value).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// As chrono's serde writes a date (its `Display`, e.g. `2026-12-05`).
fn date(out: &mut Vec<u8>, day: NaiveDate) -> io::Result<()> {
    write!(out, "\"{day}\"")
}

/// As chrono writes an instant (RFC 3339 in UTC with `Z`, the fraction only as long as
/// needed), without its formatting machinery: two instants per feature, formatted through
/// `core::fmt`, were a tenth of a search's CPU. Years outside 0 to 9999 and leap seconds
/// are left to chrono.
fn timestamp(out: &mut Vec<u8>, at: &DateTime<Utc>) -> io::Result<()> {
    let (day, time) = (at.date_naive(), at.time());
    let nanos = time.nanosecond();
    let year = u32::try_from(day.year()).ok().filter(|&year| year <= 9999);
    let (Some(year), false) = (year, nanos >= 1_000_000_000) else {
        return string(out, &at.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    };
    // filled from the right, digit by digit, in one buffer copied once
    let mut text = *b"\"0000-00-00T00:00:00.000000000Z\"";
    digits(&mut text[1..5], year);
    digits(&mut text[6..8], day.month());
    digits(&mut text[9..11], day.day());
    digits(&mut text[12..14], time.hour());
    digits(&mut text[15..17], time.minute());
    digits(&mut text[18..20], time.second());
    digits(&mut text[21..30], nanos);
    let fraction = match nanos {
        0 => 0,
        n if n % 1_000_000 == 0 => 4,
        n if n % 1_000 == 0 => 7,
        _ => 10,
    };
    out.extend_from_slice(&text[..20 + fraction]);
    out.extend_from_slice(b"Z\"");
    Ok(())
}

/// `value`'s last decimal digits into `place`, zero-padded.
fn digits(place: &mut [u8], mut value: u32) {
    for digit in place.iter_mut().rev() {
        // 0 to 9: always fits
        #[allow(clippy::cast_possible_truncation)]
        let last = (value % 10) as u8;
        *digit = b'0' + last;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn ours(at: DateTime<Utc>) -> String {
        let mut out = Vec::new();
        super::timestamp(&mut out, &at).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_escape_check_finds_every_byte_json_escapes_wherever_it_is() {
        let plain = "Rue de la Paix, près de l’école 🧥 ~".as_bytes();
        for length in 0..plain.len() {
            let text = &plain[..length];
            assert!(!super::needs_escape(text), "{length}");
            for at in 0..length {
                for byte in 0..=u8::MAX {
                    let mut changed = text.to_vec();
                    changed[at] = byte;
                    let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
                    assert_eq!(super::needs_escape(&changed), expected, "{byte} at {at}");
                }
            }
        }
    }

    #[test]
    fn instants_are_written_as_chrono_writes_them() {
        let nanos = [
            0,
            1,
            999_999_999,
            120_000_000,
            123_000_000,
            123_456_000,
            100_000,
            123_456_789,
            5_000,
        ];
        let years = [0, 1, 999, 1970, 2026, 9999, 10_000, -1, 262_000];
        for year in years {
            let second = Utc.with_ymd_and_hms(year, 12, 31, 23, 59, 58).unwrap();
            for nanos in nanos {
                let at = second + Duration::nanoseconds(nanos);
                assert_eq!(ours(at), serde_json::to_string(&at).unwrap(), "{at:?}");
            }
        }
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        assert_eq!(ours(leap), serde_json::to_string(&leap).unwrap());
    }
}
