//! GeoJSON (RFC 7946) output: features with `[longitude, latitude]` points, collections
//! with `numberReturned` and OGC-style `links` (`self`, `next`), served as
//! `application/geo+json`.

use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tisseco_application::search::{GeoCursor, GeoHit, SearchPage};
use tisseco_domain::{Address, Capacity, Container, ExternalRef, Notes};
use utoipa::ToSchema;
use uuid::Uuid;

mod containers;

pub const GEO_JSON: &str = "application/geo+json";

/// A GeoJSON Point: `[longitude, latitude]`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointGeometry {
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: &'static str,
    #[schema(example = json!([4.832, 45.7578]))]
    pub coordinates: [f64; 2],
}

impl PointGeometry {
    #[must_use]
    pub fn new(longitude: f64, latitude: f64) -> Self {
        Self {
            kind: "Point",
            coordinates: [longitude, latitude],
        }
    }
}

/// A container's properties in a feature: every field of the container but its id and
/// location (the feature's `id` and `geometry`), plus the distance when the search has a
/// centre.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContainerProperties {
    #[schema(example = "K7M3QPX")]
    pub public_code: String,
    pub site_id: Uuid,
    pub area_id: Option<Uuid>,
    pub external_ref: Option<String>,
    /// street_bin, underground, in_store or other.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// active, full, damaged, maintenance or removed.
    pub status: &'static str,
    pub capacity_litres: Option<u32>,
    pub address: Option<String>,
    pub installed_on: Option<NaiveDate>,
    pub notes: Option<String>,
    #[serde(serialize_with = "timestamp::optional")]
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i32,
    #[serde(serialize_with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::required")]
    pub updated_at: DateTime<Utc>,
    /// Metres from the search centre (radius and nearest searches).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

impl ContainerProperties {
    #[must_use]
    pub fn new(c: Container, distance_m: Option<f64>) -> Self {
        Self {
            public_code: c.public_code.into_string(),
            site_id: c.site_id.0,
            area_id: c.area_id.map(|a| a.0),
            external_ref: c.external_ref.map(ExternalRef::into_string),
            kind: c.kind.as_str(),
            status: c.status.as_str(),
            capacity_litres: c.capacity.map(Capacity::get),
            address: c.address.map(Address::into_string),
            installed_on: c.installed_on,
            notes: c.notes.map(Notes::into_string),
            archived_at: c.archived_at,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
            distance_m,
        }
    }
}

/// A GeoJSON Feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Feature<P: ToSchema> {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    /// The container's id; in public answers, its public code.
    #[schema(value_type = String)]
    pub id: FeatureId,
    pub geometry: PointGeometry,
    pub properties: P,
}

/// A feature's id, written as a string either way: a UUID goes straight to the writer
/// (fifty of them per search page, each formatted into a `String` first before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FeatureId {
    Uuid(Uuid),
    Code(String),
}

/// A link, as OGC API Features uses them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Link {
    pub href: String,
    pub rel: String,
    #[serde(rename = "type")]
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `POST` where the link must be followed with a body (the polygon search: send the
    /// same geometry again), as STAC's search API marks such links; absent means `GET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
}

impl Link {
    #[must_use]
    pub fn new(href: String, rel: &str, media_type: &str) -> Self {
        Self {
            href,
            rel: rel.into(),
            media_type: media_type.into(),
            title: None,
            method: None,
        }
    }
}

/// A GeoJSON FeatureCollection with paging links.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureCollection<P: ToSchema> {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<Feature<P>>,
    pub number_returned: usize,
    /// `self`, and `next` when another page follows.
    pub links: Vec<Link>,
    /// The `after` value of the next page (also inside the `next` link).
    #[serde(rename = "next_cursor", skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The URLs of a page, taken from the request (owned, so they can go where the request
/// can't, e.g. into a cached loader).
#[derive(Debug, Clone)]
pub struct PageLinks {
    /// Scheme, host, path and query without `after`.
    base: String,
    after: Option<String>,
}

impl PageLinks {
    #[must_use]
    pub fn from_request(req: &HttpRequest) -> Self {
        let info = req.connection_info();
        let mut query = form_urlencoded::Serializer::new(String::new());
        let mut after = None;
        for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
            if key == "after" {
                after = Some(value.into_owned());
            } else {
                query.append_pair(&key, &value);
            }
        }
        let query = query.finish();
        let separator = if query.is_empty() { "" } else { "?" };
        Self {
            base: format!(
                "{}://{}{}{separator}{query}",
                info.scheme(),
                info.host(),
                req.path()
            ),
            after,
        }
    }

    /// This URL with `after` set (or removed).
    #[must_use]
    pub fn with_after(&self, after: Option<&str>) -> String {
        match after {
            None => self.base.clone(),
            Some(after) => {
                let separator = if self.base.contains('?') { '&' } else { '?' };
                let encoded: String = form_urlencoded::byte_serialize(after.as_bytes()).collect();
                format!("{}{separator}after={encoded}", self.base)
            }
        }
    }

    /// The URL without `after`: what a cached page's key depends on.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A page of containers as a collection with `self` and `next` links.
    #[must_use]
    pub fn containers(&self, page: SearchPage) -> FeatureCollection<ContainerProperties> {
        let next = page
            .next
            .map(|cursor| (cursor, self.with_after(Some(&cursor.to_string()))));
        let features = page.items.into_iter().map(container_feature).collect();
        collection(features, self.with_after(self.after.as_deref()), next)
    }
}

impl<P: ToSchema> FeatureCollection<P> {
    /// Marks the links as followed by `POST` with the request's own body.
    #[must_use]
    pub fn posted(mut self) -> Self {
        for link in &mut self.links {
            link.method = Some("POST");
            link.title = Some("POST the same geometry to this URL".into());
        }
        self
    }
}

/// A feature of a container found by a search.
#[must_use]
pub fn container_feature(hit: GeoHit) -> Feature<ContainerProperties> {
    let location = hit.container.location;
    Feature {
        kind: "Feature",
        id: FeatureId::Uuid(hit.container.id.0),
        geometry: PointGeometry::new(location.longitude(), location.latitude()),
        properties: ContainerProperties::new(hit.container, hit.distance_m),
    }
}

/// Builds a collection from a page; `self_url` and `next_url` come from the request.
pub fn collection<P: ToSchema>(
    features: Vec<Feature<P>>,
    self_url: String,
    next: Option<(GeoCursor, String)>,
) -> FeatureCollection<P> {
    let mut links = vec![Link::new(self_url, "self", GEO_JSON)];
    let next_cursor = next.map(|(cursor, url)| {
        links.push(Link::new(url, "next", GEO_JSON));
        cursor.to_string()
    });
    FeatureCollection {
        kind: "FeatureCollection",
        number_returned: features.len(),
        features,
        links,
        next_cursor,
    }
}

/// Timestamps as chrono's serde writes them (RFC 3339, UTC as `Z`, the fraction only as
/// long as needed), formatted once and written as one string: chrono's own `Serialize`
/// goes through `collect_str`, which escapes its output a character at a time.
mod timestamp {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::Serializer;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
    pub fn required<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    #[allow(clippy::ref_option)] // serde's `serialize_with` passes a reference
    pub fn optional<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => required(at, serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// Bytes per feature, about, so that a page is written into one buffer without regrowing.
const FEATURE_BYTES: usize = 640;

/// A JSON response with the GeoJSON media type, written by sonic-rs: the same JSON as
/// serde_json for the same `Serialize` types, but it checks strings for characters to
/// escape sixteen bytes at a time (SSE2, which every x86-64 has, or NEON), where
/// serde_json looks at each byte.
pub fn geo_json<T: Serialize>(body: &T) -> actix_web::HttpResponse {
    let mut bytes = Vec::with_capacity(1024);
    geo_json_bytes(
        sonic_rs::to_writer(&mut bytes, body)
            .map(|()| bytes)
            .map_err(std::io::Error::other),
    )
}

impl FeatureCollection<ContainerProperties> {
    /// The page as GeoJSON, written by [`containers`] (the same bytes serde_json writes).
    ///
    /// # Errors
    /// Only if sonic-rs fails to write the links, which it does not for strings.
    pub fn to_json(&self) -> std::io::Result<Vec<u8>> {
        self.to_json_with(|_| {})
    }

    /// As [`Self::to_json`], with `more` writing further members (each starting with a
    /// comma) before the closing brace.
    ///
    /// # Errors
    /// As [`Self::to_json`].
    pub fn to_json_with(&self, more: impl FnOnce(&mut Vec<u8>)) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(1024 + self.features.len() * FEATURE_BYTES);
        containers::open_collection(&mut bytes, self)?;
        more(&mut bytes);
        bytes.push(b'}');
        Ok(bytes)
    }

    /// The page as a GeoJSON response.
    #[must_use]
    pub fn respond(&self) -> actix_web::HttpResponse {
        geo_json_bytes(self.to_json())
    }
}

/// A GeoJSON response from bytes already written.
pub fn geo_json_bytes(written: std::io::Result<Vec<u8>>) -> actix_web::HttpResponse {
    match written {
        Ok(bytes) => actix_web::HttpResponse::Ok()
            .content_type(GEO_JSON)
            .body(bytes),
        Err(error) => {
            tracing::error!(error = %error, "response could not be written as JSON");
            actix_web::HttpResponse::InternalServerError().finish()
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{ContainerProperties, Feature, PointGeometry, collection};
    use chrono::{DateTime, TimeZone, Utc};
    use serde::Serialize;
    use tisseco_application::search::GeoCursor;
    use tisseco_domain::ContainerId;

    #[derive(Serialize)]
    struct Ours(#[serde(serialize_with = "super::timestamp::required")] DateTime<Utc>);

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        let second = Utc.with_ymd_and_hms(2026, 11, 22, 7, 5, 9).unwrap();
        for nanos in [0, 120_000_000, 123_456_000, 123_456_789, 1] {
            let at = second + chrono::Duration::nanoseconds(nanos);
            assert_eq!(
                serde_json::to_string(&Ours(at)).unwrap(),
                serde_json::to_string(&at).unwrap(),
                "{nanos} ns"
            );
        }
    }

    /// A feature whose text members are `text` (with variations).
    pub(crate) fn feature(text: &str, distance_m: Option<f64>) -> Feature<ContainerProperties> {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 1, 2, 3).unwrap()
            + chrono::Duration::microseconds(4_560);
        Feature {
            kind: "Feature",
            id: super::FeatureId::Uuid(uuid::Uuid::nil()),
            geometry: PointGeometry::new(4.832_111_111_111_1, -45.757_8),
            properties: ContainerProperties {
                public_code: "K7M3QPX".into(),
                site_id: uuid::Uuid::max(),
                area_id: None,
                external_ref: Some(text.to_uppercase()),
                kind: "street_bin",
                status: "active",
                capacity_litres: Some(3_000),
                address: Some(text.into()),
                installed_on: at.date_naive().pred_opt(),
                notes: Some(format!("{text}{text}")),
                archived_at: Some(at),
                version: -1,
                created_at: at,
                updated_at: at,
                distance_m,
            },
        }
    }

    #[test]
    fn pages_are_written_byte_for_byte_as_serde_json_writes_them() {
        // every escape JSON has, text long enough for the 16-byte checks and their tails,
        // multi-byte characters across those boundaries, and numbers of every kind
        let long = "éa\"".repeat(40);
        let texts = [
            "",
            "12 rue de la Paix, 75002 Paris",
            "quote \" backslash \\ slash / tab \t newline \n return \r",
            "\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f} control characters",
            "Benoît-Frachon, près de l’école — « conteneur » 🧥 ÿ",
            long.as_str(),
        ];
        let features = texts
            .iter()
            .zip([
                None,
                Some(0.0),
                Some(12.5),
                Some(999.999_999_9),
                Some(1e-7),
                Some(f64::NAN),
            ])
            .map(|(text, distance)| feature(text, distance))
            .collect();
        let mut features: Vec<_> = features;
        // a public code instead of a UUID, and every optional member absent
        let mut bare = feature("", None);
        bare.id = super::FeatureId::Code("K7M3\"QPX".into());
        bare.properties.area_id = Some(uuid::Uuid::nil());
        bare.properties.external_ref = None;
        bare.properties.capacity_litres = None;
        bare.properties.address = None;
        bare.properties.installed_on = None;
        bare.properties.notes = None;
        bare.properties.archived_at = None;
        bare.geometry = PointGeometry::new(f64::INFINITY, 0.0);
        features.push(bare);
        let next = Some((
            GeoCursor {
                key: 1.5,
                id: ContainerId(uuid::Uuid::nil()),
            },
            "http://h/a?after=x".to_owned(),
        ));
        for next in [None, next] {
            let page = collection(features.clone(), "http://h/a?b=\"c\"".into(), next);
            let ours = page.respond();
            let body = actix_web::body::to_bytes(ours.into_body());
            let body = futures_util::FutureExt::now_or_never(body)
                .expect("a body in memory")
                .expect("the body");
            assert_eq!(
                String::from_utf8(body.to_vec()).unwrap(),
                serde_json::to_string(&page).unwrap()
            );
        }
    }
}
