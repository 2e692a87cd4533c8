//! Table rows and their conversion to and from the domain. Reading re-checks every rule,
//! so data that breaks one surfaces as an error instead of spreading.

use crate::schema::{areas, containers, sites};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use postgis_diesel::types::{MultiPolygon as PgMultiPolygon, Point, Polygon as PgPolygon};
use tisseco_application::ports::RepoError;
use tisseco_domain::{
    Address, Area, AreaCode, Capacity, Container, ContainerStatus, ContainerType, ExternalRef,
    GeoPoint, MultiPolygon, Name, Notes, PublicCode, Site, SiteCode, ValidationError,
};
use uuid::Uuid;

pub(crate) const SRID: u32 = 4326;

fn corrupt(entity: &str, id: Uuid) -> impl FnOnce(ValidationError) -> RepoError + '_ {
    move |error| RepoError::Unexpected(format!("stored {entity} {id} breaks a rule: {error}"))
}

fn optional<T>(
    value: Option<String>,
    parse: impl Fn(String) -> Result<T, ValidationError>,
) -> Result<Option<T>, ValidationError> {
    value.map(parse).transpose()
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = sites, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct SiteRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Site> for SiteRow {
    fn from(site: &Site) -> Self {
        Self {
            id: site.id.0,
            code: site.code.as_str().to_owned(),
            name: site.name.as_str().to_owned(),
            archived_at: site.archived_at,
            version: site.version,
            created_at: site.created_at,
            updated_at: site.updated_at,
        }
    }
}

impl TryFrom<SiteRow> for Site {
    type Error = RepoError;

    fn try_from(row: SiteRow) -> Result<Self, RepoError> {
        let build = || -> Result<Site, ValidationError> {
            Ok(Site {
                id: row.id.into(),
                code: SiteCode::parse(&row.code)?,
                name: Name::parse_owned(row.name)?,
                archived_at: row.archived_at,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        };
        build().map_err(corrupt("site", row.id))
    }
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = areas, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct AreaRow {
    pub id: Uuid,
    pub site_id: Uuid,
    pub code: String,
    pub name: String,
    pub boundary: Option<PgMultiPolygon<Point>>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn to_pg_multipolygon(boundary: &MultiPolygon) -> PgMultiPolygon<Point> {
    let polygons = boundary
        .to_coordinates()
        .into_iter()
        .map(|rings| PgPolygon {
            rings: rings
                .into_iter()
                .map(|ring| {
                    ring.into_iter()
                        .map(|[x, y]| Point::new(x, y, Some(SRID)))
                        .collect()
                })
                .collect(),
            srid: Some(SRID),
        })
        .collect();
    PgMultiPolygon {
        polygons,
        srid: Some(SRID),
    }
}

fn from_pg_multipolygon(boundary: &PgMultiPolygon<Point>) -> Result<MultiPolygon, ValidationError> {
    let coordinates: Vec<Vec<Vec<[f64; 2]>>> = boundary
        .polygons
        .iter()
        .map(|p| {
            p.rings
                .iter()
                .map(|r| r.iter().map(|q| [q.x, q.y]).collect())
                .collect()
        })
        .collect();
    MultiPolygon::from_coordinates("boundary", &coordinates)
}

impl From<&Area> for AreaRow {
    fn from(area: &Area) -> Self {
        Self {
            id: area.id.0,
            site_id: area.site_id.0,
            code: area.code.as_str().to_owned(),
            name: area.name.as_str().to_owned(),
            boundary: area.boundary.as_ref().map(to_pg_multipolygon),
            archived_at: area.archived_at,
            version: area.version,
            created_at: area.created_at,
            updated_at: area.updated_at,
        }
    }
}

impl TryFrom<AreaRow> for Area {
    type Error = RepoError;

    fn try_from(row: AreaRow) -> Result<Self, RepoError> {
        let build = || -> Result<Area, ValidationError> {
            Ok(Area {
                id: row.id.into(),
                site_id: row.site_id.into(),
                code: AreaCode::parse(&row.code)?,
                name: Name::parse_owned(row.name)?,
                boundary: row
                    .boundary
                    .as_ref()
                    .map(from_pg_multipolygon)
                    .transpose()?,
                archived_at: row.archived_at,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        };
        build().map_err(corrupt("area", row.id))
    }
}

#[derive(Debug, Queryable, QueryableByName, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = containers, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct ContainerRow {
    pub id: Uuid,
    pub public_code: String,
    pub site_id: Uuid,
    pub area_id: Option<Uuid>,
    pub external_ref: Option<String>,
    pub kind: String,
    pub status: String,
    pub capacity_litres: Option<i32>,
    pub location: Point,
    pub address: Option<String>,
    pub installed_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Container> for ContainerRow {
    fn from(c: &Container) -> Self {
        Self {
            id: c.id.0,
            public_code: c.public_code.as_str().to_owned(),
            site_id: c.site_id.0,
            area_id: c.area_id.map(|a| a.0),
            external_ref: c.external_ref.as_ref().map(|r| r.as_str().to_owned()),
            kind: c.kind.as_str().to_owned(),
            status: c.status.as_str().to_owned(),
            capacity_litres: c
                .capacity
                .map(|v| i32::try_from(v.get()).unwrap_or(i32::MAX)),
            location: Point::new(c.location.longitude(), c.location.latitude(), Some(SRID)),
            address: c.address.as_ref().map(|a| a.as_str().to_owned()),
            installed_on: c.installed_on,
            notes: c.notes.as_ref().map(|n| n.as_str().to_owned()),
            archived_at: c.archived_at,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl TryFrom<ContainerRow> for Container {
    type Error = RepoError;

    fn try_from(row: ContainerRow) -> Result<Self, RepoError> {
        let id = row.id;
        let build = move || -> Result<Container, ValidationError> {
            Ok(Container {
                id: row.id.into(),
                public_code: PublicCode::parse_owned(row.public_code)?,
                site_id: row.site_id.into(),
                area_id: row.area_id.map(Into::into),
                external_ref: optional(row.external_ref, ExternalRef::parse_owned)?,
                kind: ContainerType::parse(&row.kind)?,
                status: ContainerStatus::parse(&row.status)?,
                capacity: row
                    .capacity_litres
                    .map(|v| Capacity::litres(i64::from(v)))
                    .transpose()?,
                location: GeoPoint::new(row.location.y, row.location.x)?,
                address: optional(row.address, Address::parse_owned)?,
                installed_on: row.installed_on,
                notes: optional(row.notes, Notes::parse_owned)?,
                archived_at: row.archived_at,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        };
        build().map_err(corrupt("container", id))
    }
}
