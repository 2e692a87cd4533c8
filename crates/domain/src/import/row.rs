//! The documented import columns and what a row must contain: each field goes through the
//! same value objects the API uses; a rejected row reports every column at fault.

use super::file::FileError;
use crate::{
    Address, AreaCode, Capacity, ContainerStatus, ContainerType, ExternalRef, GeoPoint, Notes,
    SiteCode,
};
use chrono::NaiveDate;

/// The documented columns, in template order, and whether each is required.
pub const COLUMNS: [(&str, bool); 11] = [
    ("site_code", true),
    ("area_code", false),
    ("external_ref", true),
    ("type", true),
    ("status", false),
    ("capacity_litres", false),
    ("latitude", true),
    ("longitude", true),
    ("address", false),
    ("installed_on", false),
    ("notes", false),
];

/// Longest offending value kept in an error report.
const MAX_VALUE_CHARS: usize = 200;

/// Why one column of one row was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl RowError {
    #[must_use]
    pub fn new(column: &str, value: &str, reason: impl Into<String>) -> Self {
        Self {
            column: column.to_owned(),
            value: value.chars().take(MAX_VALUE_CHARS).collect(),
            reason: reason.into(),
        }
    }
}

/// A row that passed every rule; site and area are still codes, resolved by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub site: SiteCode,
    pub area: Option<AreaCode>,
    pub external_ref: ExternalRef,
    pub kind: ContainerType,
    pub status: ContainerStatus,
    pub capacity: Option<Capacity>,
    pub location: GeoPoint,
    pub address: Option<Address>,
    pub installed_on: Option<NaiveDate>,
    pub notes: Option<Notes>,
}

/// The header of a file: where each documented column is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportHeader {
    columns: Vec<String>,
}

impl ImportHeader {
    /// # Errors
    /// `FileError::Header` listing the missing required and the unknown columns.
    pub fn parse(fields: &[String]) -> Result<Self, FileError> {
        let columns: Vec<String> = fields
            .iter()
            .map(|f| super::canonical(f).map_or_else(|| super::fold(f), str::to_owned))
            .collect();
        let missing: Vec<String> = COLUMNS
            .iter()
            .filter(|(name, required)| *required && !columns.iter().any(|c| c == name))
            .map(|(name, _)| (*name).to_owned())
            .collect();
        let mut unknown: Vec<String> = Vec::new();
        for (i, column) in columns.iter().enumerate() {
            if !COLUMNS.iter().any(|(name, _)| name == column) {
                unknown.push(fields[i].clone());
            } else if columns[..i].contains(column) {
                unknown.push(format!("{column} (repeated)"));
            }
        }
        if missing.is_empty() && unknown.is_empty() {
            Ok(Self { columns })
        } else {
            Err(FileError::Header { missing, unknown })
        }
    }

    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Whether the file has `column` (an optional column it lacks leaves that field as it
    /// is on the containers it updates).
    #[must_use]
    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }

    /// Rebuilds a header already checked (from its stored columns).
    #[must_use]
    pub fn from_checked(columns: Vec<String>) -> Self {
        Self { columns }
    }

    fn get<'a>(&self, fields: &'a [String], name: &str) -> &'a str {
        self.columns
            .iter()
            .position(|c| c == name)
            .and_then(|i| fields.get(i))
            .map_or("", |v| v.trim())
    }

    /// Checks one row against the domain rules.
    ///
    /// # Errors
    /// Every column at fault, or the column count when it differs from the header's.
    pub fn row(&self, fields: &[String]) -> Result<ImportRow, Vec<RowError>> {
        if fields.len() != self.columns.len() {
            return Err(vec![RowError::new(
                "*",
                &fields.join(","),
                format!("column-count:{}:{}", self.columns.len(), fields.len()),
            )]);
        }
        let mut errors = Vec::new();
        // each failure is stored as a short code (`missing`, `invalid`…) that every
        // reader gets in their language; the domain's English sentence is not kept
        macro_rules! check {
            ($column:expr, $result:expr $(,)?) => {
                keep(&mut errors, $column, self.get(fields, $column), $result)
            };
        }
        let value = |name: &str| self.get(fields, name);
        let optional = |name: &str| Some(self.get(fields, name)).filter(|v| !v.is_empty());
        let site = check!("site_code", SiteCode::parse(value("site_code")).ok());
        let area = check!(
            "area_code",
            optional("area_code").map(AreaCode::parse).transpose().ok()
        );
        let external_ref = check!(
            "external_ref",
            ExternalRef::parse(value("external_ref")).ok()
        );
        let kind = check!("type", ContainerType::parse(value("type")).ok());
        let status = check!(
            "status",
            optional("status")
                .map_or(Ok(ContainerStatus::Active), ContainerStatus::parse)
                .ok(),
        );
        let capacity = match optional("capacity_litres").map(|v| v.parse::<i64>()) {
            None => Some(None),
            Some(Err(_)) => {
                errors.push(RowError::new(
                    "capacity_litres",
                    value("capacity_litres"),
                    NOT_WHOLE,
                ));
                None
            }
            Some(Ok(n)) => check!("capacity_litres", Capacity::litres(n).ok().map(Some)),
        };
        let latitude = decimal(&mut errors, "latitude", value("latitude"));
        let longitude = decimal(&mut errors, "longitude", value("longitude"));
        let address = check!(
            "address",
            optional("address").map(Address::parse).transpose().ok()
        );
        let installed_on = check!(
            "installed_on",
            optional("installed_on")
                .map(|v| crate::dates::installation_date("installed_on", v))
                .transpose()
                .ok(),
        );
        let notes = check!(
            "notes",
            optional("notes").map(Notes::parse).transpose().ok()
        );
        let location = match (latitude, longitude) {
            (Some(lat), Some(lon)) => match GeoPoint::new(lat, lon) {
                Err(e) => {
                    let column = if e.field.contains("longitude") {
                        "longitude"
                    } else {
                        "latitude"
                    };
                    errors.push(RowError::new(column, self.get(fields, column), INVALID));
                    None
                }
                Ok(point) => point
                    .placed()
                    .map_err(|_| {
                        errors.push(RowError::new("latitude", value("latitude"), ZERO_POINT));
                    })
                    .ok(),
            },
            _ => None,
        };
        match (
            site,
            area,
            external_ref,
            kind,
            status,
            capacity,
            location,
            address,
            installed_on,
            notes,
        ) {
            (
                Some(site),
                Some(area),
                Some(external_ref),
                Some(kind),
                Some(status),
                Some(capacity),
                Some(location),
                Some(address),
                Some(installed_on),
                Some(notes),
            ) if errors.is_empty() => Ok(ImportRow {
                site,
                area,
                external_ref,
                kind,
                status,
                capacity,
                location,
                address,
                installed_on,
                notes,
            }),
            _ => Err(errors),
        }
    }
}

/// The reason codes of a rejected cell (the words are in the message files).
pub const MISSING: &str = "missing";
pub const INVALID: &str = "invalid";
pub const NOT_A_NUMBER: &str = "not-a-number";
pub const NOT_WHOLE: &str = "not-whole";
pub const ZERO_POINT: &str = "zero-point";

/// Keeps a parsed value, or records why the cell was refused: empty or not.
fn keep<T>(errors: &mut Vec<RowError>, column: &str, value: &str, parsed: Option<T>) -> Option<T> {
    if parsed.is_none() {
        let code = if value.is_empty() { MISSING } else { INVALID };
        errors.push(RowError::new(column, value, code));
    }
    parsed
}

/// A decimal number written with a decimal point or a decimal comma.
fn decimal(errors: &mut Vec<RowError>, column: &str, value: &str) -> Option<f64> {
    let parsed = value
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite());
    if parsed.is_none() {
        let code = if value.is_empty() {
            MISSING
        } else {
            NOT_A_NUMBER
        };
        errors.push(RowError::new(column, value, code));
    }
    parsed
}

/// The template's two rows, header and example, with French column names and decimal
/// commas when `french`, else the documented names and decimal points.
#[must_use]
pub fn template_rows(french: bool) -> [Vec<&'static str>; 2] {
    let header = super::FRENCH_COLUMNS
        .iter()
        .map(|(english, french_name)| if french { *french_name } else { *english })
        .collect();
    let (latitude, longitude) = if french {
        ("45,7603", "4,8595")
    } else {
        ("45.7603", "4.8595")
    };
    let example = vec![
        "lyon",
        "part-dieu",
        "BIN-0001",
        "street_bin",
        "active",
        "2500",
        latitude,
        longitude,
        "12 rue Garibaldi, 69003 Lyon",
        "2024-03-01",
        if french {
            "près de la boulangerie"
        } else {
            "next to the bakery"
        },
    ];
    [header, example]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    fn header() -> ImportHeader {
        ImportHeader::parse(&strings(&COLUMNS.map(|(n, _)| n))).unwrap()
    }

    #[test]
    fn the_header_lists_missing_and_unknown_columns() {
        let error = ImportHeader::parse(&strings(&["site_code", "colour", "type"])).unwrap_err();
        assert_eq!(
            error,
            FileError::Header {
                missing: strings(&["external_ref", "latitude", "longitude"]),
                unknown: strings(&["colour"]),
            }
        );
    }

    #[test]
    fn a_good_row_with_a_decimal_comma_passes() {
        let row = header()
            .row(&strings(&[
                "lyon",
                "",
                "R1",
                "street_bin",
                "",
                "",
                "45,75",
                "4,83",
                "",
                "",
                "",
            ]))
            .unwrap();
        assert_eq!(row.status, ContainerStatus::Active);
        assert!((row.location.latitude() - 45.75).abs() < 1e-9);
    }

    #[test]
    fn every_faulty_column_is_reported() {
        let errors = header()
            .row(&strings(&[
                "lyon",
                "",
                "",
                "bin",
                "",
                "-3",
                "95",
                "4.8",
                "",
                "yesterday",
                "",
            ]))
            .unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            columns,
            vec![
                "external_ref",
                "type",
                "capacity_litres",
                "installed_on",
                "latitude"
            ]
        );
        let short = header().row(&strings(&["lyon"])).unwrap_err();
        assert_eq!(short[0].reason, "column-count:11:1");
        let reasons: Vec<&str> = errors.iter().map(|e| e.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec!["missing", "invalid", "invalid", "invalid", "invalid"]
        );
    }

    #[test]
    fn both_templates_are_valid_files() {
        for french in [true, false] {
            let [header, example] = template_rows(french);
            let header = ImportHeader::parse(&strings(&header)).unwrap();
            assert_eq!(header.columns().len(), COLUMNS.len());
            header.row(&strings(&example)).unwrap();
        }
    }

    #[test]
    fn french_and_loosely_typed_headers_are_accepted() {
        let header = ImportHeader::parse(&strings(&[
            "Code site",
            "référence",
            "Type",
            " Latitude ",
            "longitude",
            "statut",
        ]))
        .unwrap();
        assert_eq!(
            header.columns(),
            [
                "site_code",
                "external_ref",
                "type",
                "latitude",
                "longitude",
                "status"
            ]
        );
    }
}
