//! The SQL of a search, built with numbered parameters (or, for benchmarks and docs, with
//! the values inlined: the very statement the API sends). `Sql::fixed` gives the same
//! prepared-once statement to other fixed texts (the map tiles).

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::{Output, ToSql};
use diesel::sql_types::Untyped;
use diesel::sql_types::{Array, BigInt, Bool, Double, Integer, Nullable, Text};
use postgis_diesel::sql_types::Geometry;
use postgis_diesel::types::Point;
use std::marker::PhantomData;
use tisseco_application::ports::RepoError;
use tisseco_application::search::{GeoQuery, Shape};
use tisseco_domain::{ContainerId, GeoPoint};
use uuid::Uuid;

const COLUMNS: &str = "c.id, c.public_code, c.site_id, c.area_id, c.external_ref, c.kind, \
     c.status, c.capacity_litres, c.location, c.address, c.installed_on, c.notes, \
     c.archived_at, c.version, c.created_at, c.updated_at";

/// Which rows of the order to read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    /// In key order from the cursor, one more than the limit (to know if more follow).
    Ordered,
    /// The rows whose key is exactly `key`, in id order after `after_id`.
    Tied {
        key: f64,
        after_id: Option<ContainerId>,
    },
}

pub(crate) enum Bind {
    Float(f64),
    Uuid(Uuid),
    Text(String),
    Texts(Vec<String>),
    Int(i64),
    Int32(i32),
    Bool(bool),
    OptionalUuid(Option<Uuid>),
    /// A point on the sphere (WGS 84), sent as one value, written `$n::geography`: a plan
    /// made once uses it as it is, where `ST_MakePoint($x, $y)::geography` is built again
    /// for every row it tests.
    Geography(Point),
}

impl Bind {
    fn literal(&self) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
        match self {
            Self::Float(v) => format!("{v:?}::float8"),
            Self::Uuid(v) => format!("'{v}'::uuid"),
            Self::Text(v) => format!("{}::text", quote(v)),
            Self::Texts(v) => format!(
                "ARRAY[{}]::text[]",
                v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(",")
            ),
            Self::Int(v) => v.to_string(),
            Self::Int32(v) => v.to_string(),
            Self::Bool(v) => v.to_string(),
            Self::OptionalUuid(v) => {
                v.map_or_else(|| "NULL::uuid".to_owned(), |v| format!("'{v}'::uuid"))
            }
            // the statement casts it (`$n::geography`)
            Self::Geography(p) => format!("'SRID=4326;POINT({:?} {:?})'", p.x, p.y),
        }
    }
}

/// A statement under construction.
pub(crate) struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    /// A statement whose text is fixed, with the values of its `$n` in order.
    pub(crate) fn fixed(text: String, binds: Vec<Bind>) -> Self {
        Self { text, binds }
    }

    fn param(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    /// The statement as a query diesel prepares once per connection and then reuses; its
    /// rows are read by column name.
    pub(crate) fn into_query(self) -> Statement {
        Statement(self, PhantomData)
    }

    /// As [`Sql::into_query`], its rows read by position as `ST`: no lookup of each
    /// column's name in each row (a search's 50 rows of 17 columns).
    pub(crate) fn into_typed_query<ST>(self) -> Statement<ST> {
        Statement(self, PhantomData)
    }

    /// The text with every parameter replaced by its literal value.
    fn inlined(&self) -> String {
        let mut text = self.text.clone();
        for (index, bind) in self.binds.iter().enumerate().rev() {
            text = text.replace(&format!("${}", index + 1), &bind.literal());
        }
        text
    }
}

/// A search statement. Its text is one of a few shapes (every value is a parameter), so
/// diesel may cache it as a prepared statement per connection: one round trip per search,
/// where `sql_query`, never cached, costs a prepare and an execute every time.
pub(crate) struct Statement<ST = Untyped>(Sql, PhantomData<ST>);

impl<ST> QueryId for Statement<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST> Query for Statement<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<Pg> for Statement<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // each `$n` of the text becomes diesel's own placeholder, bound to the n-th value
        let mut rest = self.0.text.as_str();
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            let bind = rest[at + 1..at + 1 + digits]
                .parse::<usize>()
                .ok()
                .and_then(|n| self.0.binds.get(n.wrapping_sub(1)))
                .ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(
                        format!("no parameter for {}", &rest[at..at + 1 + digits]).into(),
                    )
                })?;
            match bind {
                Bind::Float(v) => out.push_bind_param::<Double, _>(v)?,
                Bind::Uuid(v) => out.push_bind_param::<diesel::sql_types::Uuid, _>(v)?,
                Bind::Text(v) => out.push_bind_param::<Text, _>(v)?,
                Bind::Texts(v) => out.push_bind_param::<Array<Text>, _>(v)?,
                Bind::Int(v) => out.push_bind_param::<BigInt, _>(v)?,
                Bind::Int32(v) => out.push_bind_param::<Integer, _>(v)?,
                Bind::Bool(v) => out.push_bind_param::<Bool, _>(v)?,
                Bind::OptionalUuid(v) => {
                    out.push_bind_param::<Nullable<diesel::sql_types::Uuid>, _>(v)?;
                }
                Bind::Geography(v) => out.push_bind_param::<UntypedGeography, _>(v)?,
            }
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

/// A `geography` sent without its type number, which PostgreSQL takes from the
/// statement's `$n::geography`. Declared as `geography`, its number would be looked up by
/// diesel-async, which collects every value of the statement twice to put it in: 11,000
/// instructions of a radius search's 630,000.
#[derive(diesel::sql_types::SqlType, QueryId)]
#[diesel(postgres_type(oid = 0, array_oid = 0))]
struct UntypedGeography;

impl ToSql<UntypedGeography, Pg> for Point {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
        // geography's binary input reads the same extended WKB, SRID included
        ToSql::<Geometry, Pg>::to_sql(self, out)
    }
}

/// The ordering key and the condition on the shape, with their parameters.
fn shape_sql(sql: &mut Sql, shape: &Shape) -> Result<(String, Option<String>), RepoError> {
    let point = |sql: &mut Sql, lon: f64, lat: f64| {
        let (x, y) = (sql.param(Bind::Float(lon)), sql.param(Bind::Float(lat)));
        format!("ST_SetSRID(ST_MakePoint({x}, {y}), 4326)")
    };
    let sphere = |sql: &mut Sql, centre: &GeoPoint| {
        let centre = sql.param(Bind::Geography(Point {
            x: centre.longitude(),
            y: centre.latitude(),
            srid: Some(4326),
        }));
        format!("{centre}::geography")
    };
    Ok(match shape {
        Shape::Radius { centre, metres } => {
            let centre = sphere(sql, centre);
            let metres = sql.param(Bind::Float(*metres));
            (
                format!("c.location::geography <-> {centre}"),
                Some(format!(
                    "ST_DWithin(c.location::geography, {centre}, {metres}, false)"
                )),
            )
        }
        Shape::Nearest { centre } => {
            let centre = sphere(sql, centre);
            (format!("c.location::geography <-> {centre}"), None)
        }
        Shape::BBox(bbox) => {
            let [x, y] = bbox.centre();
            let centre = point(sql, x, y);
            let [a, b, c, d] = bbox.to_array().map(|v| sql.param(Bind::Float(v)));
            (
                format!("c.location <-> {centre}"),
                // `&&` alone is answered from the index's float4 boxes without a recheck:
                // points up to half a metre outside the box came back. ST_Intersects uses
                // the same index, then tests each candidate exactly.
                Some(format!(
                    "ST_Intersects(c.location, ST_MakeEnvelope({a}, {b}, {c}, {d}, 4326))"
                )),
            )
        }
        Shape::Polygon(area) => {
            let [x, y] = shape.planar_centre().unwrap_or_default();
            let centre = point(sql, x, y);
            let geojson = serde_json::to_string(area)
                .map_err(|e| RepoError::Unexpected(format!("polygon to GeoJSON: {e}")))?;
            let polygon = sql.param(Bind::Text(geojson));
            (
                format!("c.location <-> {centre}"),
                Some(format!(
                    "ST_Intersects(c.location, ST_SetSRID(ST_GeomFromGeoJSON({polygon}), 4326))"
                )),
            )
        }
    })
}

/// Whether the best plan of `query` in `mode` is the same whatever its values, so that
/// PostgreSQL may plan it once per connection (`session.rs`): an unfiltered radius or
/// bbox search in key order, a GiST scan with the shape as its condition (the same plan in
/// dense, middling and empty places, BENCHMARKS.md). A filter (a rare status, a small
/// area), a nearest search (no shape bounds its scan), a polygon (its size is a value) or
/// the rows of a tie (in id order) needs a plan made for its values.
pub(crate) fn plan_once(query: &GeoQuery, mode: Mode) -> bool {
    let filter = &query.filter;
    let unfiltered = filter.kinds.is_empty()
        && filter.statuses.is_empty()
        && filter.site_id.is_none()
        && filter.area_id.is_none();
    unfiltered
        && matches!(mode, Mode::Ordered)
        && matches!(query.shape, Shape::Radius { .. } | Shape::BBox(_))
}

/// The statement for `query` in `mode`.
pub(crate) fn search_sql(query: &GeoQuery, mode: Mode) -> Result<Sql, RepoError> {
    let mut sql = Sql {
        text: String::new(),
        binds: Vec::new(),
    };
    let (key, shape) = shape_sql(&mut sql, &query.shape)?;
    let mut conditions = vec!["c.archived_at IS NULL".to_owned()];
    conditions.extend(shape);
    let filter = &query.filter;
    if !filter.kinds.is_empty() {
        let kinds = filter.kinds.iter().map(|k| k.as_str().to_owned()).collect();
        conditions.push(format!("c.kind = ANY({})", sql.param(Bind::Texts(kinds))));
    }
    if !filter.statuses.is_empty() {
        let statuses = filter
            .statuses
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        conditions.push(format!(
            "c.status = ANY({})",
            sql.param(Bind::Texts(statuses))
        ));
    }
    if let Some(site) = filter.site_id {
        conditions.push(format!("c.site_id = {}", sql.param(Bind::Uuid(site.0))));
    }
    if let Some(area) = filter.area_id {
        conditions.push(format!("c.area_id = {}", sql.param(Bind::Uuid(area.0))));
    }
    let limit = i64::from(query.limit) + 1;
    let order = match mode {
        Mode::Ordered => {
            if let Some(after) = query.after {
                let k = sql.param(Bind::Float(after.key));
                let id = sql.param(Bind::Uuid(after.id.0));
                conditions.push(format!("({key} > {k} OR ({key} = {k} AND c.id > {id}))"));
            }
            key.clone()
        }
        Mode::Tied {
            key: value,
            after_id,
        } => {
            let k = sql.param(Bind::Float(value));
            conditions.push(format!("{key} = {k}"));
            if let Some(id) = after_id {
                conditions.push(format!("c.id > {}", sql.param(Bind::Uuid(id.0))));
            }
            "c.id".to_owned()
        }
    };
    let limit = sql.param(Bind::Int(limit));
    sql.text = format!(
        "SELECT {COLUMNS}, {key} AS sort_key FROM containers c WHERE {} ORDER BY {order} LIMIT {limit}",
        conditions.join(" AND ")
    );
    Ok(sql)
}

/// The exact statement the search of the first page of `query` sends, values inlined
/// (for `pgbench` and for reading).
///
/// # Errors
/// When the polygon can't be written as GeoJSON.
pub fn search_statement(query: &GeoQuery) -> Result<String, RepoError> {
    Ok(search_sql(query, Mode::Ordered)?.inlined())
}

/// The statement the search of the first page of `query` sends, with its `$n`, and the
/// literal of each value in order: for `PREPARE` and `EXECUTE`, to read the plan made once
/// that the API's session may use (`plan_once`).
///
/// # Errors
/// When the polygon can't be written as GeoJSON.
pub fn prepared_search_statement(query: &GeoQuery) -> Result<(String, Vec<String>), RepoError> {
    let sql = search_sql(query, Mode::Ordered)?;
    let values = sql.binds.iter().map(Bind::literal).collect();
    Ok((sql.text, values))
}

#[cfg(test)]
mod tests {
    use super::{Mode, plan_once};
    use tisseco_application::search::{GeoFilter, GeoQuery, Shape};
    use tisseco_domain::{BBox, ContainerStatus, GeoPoint};

    fn query(shape: Shape, filter: GeoFilter) -> GeoQuery {
        GeoQuery {
            shape,
            filter,
            after: None,
            limit: 50,
        }
    }

    #[test]
    fn only_unfiltered_radius_and_bbox_searches_in_key_order_are_planned_once() {
        let centre = GeoPoint::new(45.76, 4.83).unwrap();
        let radius = Shape::Radius {
            centre,
            metres: 1_000.0,
        };
        let bbox = Shape::BBox(BBox::new("bbox", [4.8, 45.7, 4.9, 45.8]).unwrap());
        let rare = GeoFilter {
            statuses: vec![ContainerStatus::Damaged],
            ..GeoFilter::default()
        };
        for shape in [radius, bbox] {
            assert!(plan_once(
                &query(shape.clone(), GeoFilter::default()),
                Mode::Ordered
            ));
            assert!(!plan_once(
                &query(shape.clone(), rare.clone()),
                Mode::Ordered
            ));
            let tie = Mode::Tied {
                key: 1.0,
                after_id: None,
            };
            assert!(!plan_once(&query(shape, GeoFilter::default()), tie));
        }
        let nearest = Shape::Nearest { centre };
        assert!(!plan_once(
            &query(nearest, GeoFilter::default()),
            Mode::Ordered
        ));
    }
}
