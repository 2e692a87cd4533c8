//! Validation of a batch of staged rows, as one pure function: each row's fields through the
//! value objects ([`ImportHeader::row`]), then what the store knows of its codes (site, area,
//! an earlier line with the same reference, the distance to the area's boundary) decides
//! whether it becomes a typed [`ValidRow`] or a rejection.

use super::row::{ImportHeader, ImportRow, RowError};
use super::{RawRecord, ValidRow};
use crate::placement::{AreaDistance, AreaTolerance};
use crate::{AreaCode, AreaId, ContainerId, ExternalRef, GeoPoint, PublicCode, SiteCode, SiteId};
use std::collections::HashMap;

/// A row's fields, checked: a row ready to resolve, or every column at fault.
pub type ParsedRow = (u64, Result<ImportRow, Vec<RowError>>);

/// Checks the fields of every record against the header's columns.
#[must_use]
pub fn parse_batch(header: &ImportHeader, records: &[RawRecord]) -> Vec<ParsedRow> {
    records
        .iter()
        .map(|r| (r.line, header.row(&r.fields)))
        .collect()
}

/// What the store is asked about one parsed row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowKeys {
    pub line: u64,
    pub site: SiteCode,
    pub area: Option<AreaCode>,
    pub external_ref: ExternalRef,
    pub location: GeoPoint,
    /// The file has no `area_code` column: an existing container keeps its area, so the
    /// row's point is checked against that area's boundary.
    pub keeps_area: bool,
}

/// The keys of the rows whose fields passed.
#[must_use]
pub fn keys_of(header: &ImportHeader, parsed: &[ParsedRow]) -> Vec<RowKeys> {
    let keeps_area = !header.has("area_code");
    parsed
        .iter()
        .filter_map(|(line, row)| {
            let row = row.as_ref().ok()?;
            Some(RowKeys {
                line: *line,
                site: row.site.clone(),
                area: row.area.clone(),
                external_ref: row.external_ref.clone(),
                location: row.location,
                keeps_area,
            })
        })
        .collect()
}

/// What the store knows of one row's codes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Resolved {
    /// The live site with the row's site code.
    pub site: Option<SiteId>,
    /// The live area of that site with the row's area code.
    pub area: Option<AreaId>,
    /// How far the row's point lies from the boundary of the area its container will be in
    /// (the row's, or the one it keeps), when that area has a boundary.
    pub area_distance: Option<AreaDistance>,
    /// The line of an earlier batch of the same import with the same (site, reference).
    pub first_line: Option<u64>,
}

/// One line refused, with every column at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub line: u64,
    pub errors: Vec<RowError>,
}

/// The outcome of a batch: typed valid rows and rejections, in line order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValidatedRows {
    pub valid: Vec<ValidRow>,
    pub rejected: Vec<Rejection>,
}

/// Decides each row of a batch. `resolved` is what the store answered per line (a line it
/// does not list knows nothing); `identity` gives the id and public code a row gets if it
/// creates a container.
pub fn validate_batch(
    parsed: Vec<ParsedRow>,
    resolved: &HashMap<u64, Resolved>,
    tolerance: AreaTolerance,
    mut identity: impl FnMut() -> (ContainerId, PublicCode),
) -> ValidatedRows {
    let mut out = ValidatedRows::default();
    // (site, reference) → the first line that has it, within this batch
    let mut seen: HashMap<(SiteId, String), u64> = HashMap::new();
    for (line, row) in parsed {
        let known = resolved.get(&line).copied().unwrap_or_default();
        let decided =
            row.and_then(|row| decide(line, row, known, tolerance, &mut seen, &mut identity));
        match decided {
            Ok(valid) => out.valid.push(valid),
            Err(errors) => out.rejected.push(Rejection { line, errors }),
        }
    }
    out
}

fn decide(
    line: u64,
    row: ImportRow,
    known: Resolved,
    tolerance: AreaTolerance,
    seen: &mut HashMap<(SiteId, String), u64>,
    identity: &mut impl FnMut() -> (ContainerId, PublicCode),
) -> Result<ValidRow, Vec<RowError>> {
    let site_id = known
        .site
        .ok_or_else(|| vec![RowError::new("site_code", row.site.as_str(), UNKNOWN_SITE)])?;
    let area_id = match &row.area {
        None => None,
        Some(code) => Some(
            known
                .area
                .ok_or_else(|| vec![RowError::new("area_code", code.as_str(), UNKNOWN_AREA)])?,
        ),
    };
    if let Some(distance) = known.area_distance
        && let Err(outside) = tolerance.check(distance)
    {
        let value = format!("{}, {}", row.location.latitude(), row.location.longitude());
        return Err(vec![RowError::new(
            "latitude",
            &value,
            outside.reason_code(),
        )]);
    }
    let key = (site_id, row.external_ref.as_str().to_owned());
    let first = known.first_line.or_else(|| seen.get(&key).copied());
    if let Some(first) = first {
        return Err(vec![RowError::new(
            "external_ref",
            row.external_ref.as_str(),
            format!("{DUPLICATE_REF}:{first}"),
        )]);
    }
    seen.insert(key, line);
    let (container_id, public_code) = identity();
    Ok(ValidRow {
        line,
        container_id,
        public_code,
        site_id,
        area_id,
        external_ref: row.external_ref,
        kind: row.kind,
        status: row.status,
        capacity: row.capacity,
        location: row.location,
        address: row.address,
        installed_on: row.installed_on,
        notes: row.notes,
    })
}

/// Reason codes of a row the store's answers refuse (the words are in the message files).
pub const UNKNOWN_SITE: &str = "unknown-site";
pub const UNKNOWN_AREA: &str = "unknown-area";
pub const DUPLICATE_REF: &str = "duplicate-ref";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::COLUMNS;

    fn header() -> ImportHeader {
        let names: Vec<String> = COLUMNS.iter().map(|(n, _)| (*n).to_owned()).collect();
        ImportHeader::parse(&names).unwrap()
    }

    fn record(line: u64, fields: &str) -> RawRecord {
        RawRecord {
            line,
            fields: fields.split(',').map(str::to_owned).collect(),
        }
    }

    fn identity() -> (ContainerId, PublicCode) {
        (
            ContainerId::generate(),
            PublicCode::parse("K7M3QPX").unwrap(),
        )
    }

    #[test]
    fn a_batch_becomes_typed_rows_and_rejections() {
        let site = SiteId::generate();
        let area = AreaId::generate();
        let parsed = parse_batch(
            &header(),
            &[
                record(2, "lyon,centre,A-1,street_bin,full,,45.75,4.83,,,"),
                record(3, "lyon,,A-1,street_bin,,,45.7,4.8,,,"),
                record(4, "paris,,P-1,street_bin,,,45.7,4.8,,,"),
                record(5, "lyon,centre,FAR,street_bin,,,4.83,45.75,,,"),
                record(6, "lyon,,B-1,bin,,,45.7,4.8,,,"),
                record(7, "lyon,,OLD,street_bin,,,45.7,4.8,,,"),
            ],
        );
        let lyon = Resolved {
            site: Some(site),
            ..Resolved::default()
        };
        let resolved = HashMap::from([
            (
                2,
                Resolved {
                    area: Some(area),
                    area_distance: Some(AreaDistance {
                        metres: 0.0,
                        swapped_metres: None,
                    }),
                    ..lyon
                },
            ),
            (3, lyon),
            (
                5,
                Resolved {
                    area: Some(area),
                    area_distance: Some(AreaDistance {
                        metres: 4_400_000.0,
                        swapped_metres: Some(10.0),
                    }),
                    ..lyon
                },
            ),
            (
                7,
                Resolved {
                    first_line: Some(1),
                    ..lyon
                },
            ),
        ]);
        let out = validate_batch(parsed, &resolved, AreaTolerance::default(), identity);
        assert_eq!(out.valid.len(), 1);
        let row = &out.valid[0];
        assert_eq!(
            (row.line, row.site_id, row.area_id, row.status),
            (2, site, Some(area), crate::ContainerStatus::Full)
        );
        let reasons: Vec<(u64, &str)> = out
            .rejected
            .iter()
            .map(|r| (r.line, r.errors[0].reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (3, "duplicate-ref:2"),
                (4, "unknown-site"),
                (5, "outside-area-swapped:4400000:250"),
                (6, "invalid"),
                (7, "duplicate-ref:1"),
            ]
        );
    }
}
