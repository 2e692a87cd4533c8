//! Tisseco's business model and rules: sites, areas, containers and their life cycle.
//! Pure code: no async, no I/O, no framework.

mod area;
mod container;
pub mod dates;
mod error;
mod event;
pub mod fill;
mod geo;
mod geo_holes;
mod ids;
pub mod import;
mod locale;
pub mod placement;
pub mod plan;
mod public_code;
mod report;
pub mod route;
mod search;
mod site;
pub mod stats;
mod status;
mod text;
mod tile;
mod tour;
mod user;

pub use area::{Area, AreaChanges, AreaCode, NewArea};
pub use container::{
    Capacity, Container, ContainerChanges, ContainerType, ExternalRef, NewContainer,
};
pub use error::{DomainError, ValidationError};
pub use event::DomainEvent;
pub use geo::{GeoPoint, MAX_POLYGON_VERTICES, MultiPolygon, Polygon, Ring};
pub use ids::{AreaId, ContainerId, SiteId, TourId, UserId};
pub use locale::Locale;
pub use public_code::PublicCode;
pub use report::{
    MAX_COMMENT_CHARS, MAX_DESCRIPTION_CHARS, NewReport, ReportCategory, ReportStatus,
    report_comment,
};
pub use search::{BBox, EARTH_RADIUS_M, great_circle_m, polygon_contains};
pub use site::{NewSite, Site, SiteChanges, SiteCode};
pub use status::ContainerStatus;
pub use text::{Address, Name, Notes, spreadsheet_safe};
pub use tile::{FULL_DETAIL_ZOOM, MAX_TILE_ZOOM, THIN_GRID, TileCoord};
pub use tour::{
    FULL_AT_PERCENT, NewTour, SkipReason, Stop, StopCandidate, StopOutcome, Tour, TourState, Visit,
};
pub use user::{
    Access, Email, NewUser, Password, PasswordHash, Role, User, UserChanges, display_name,
};

/// An aggregate's version, bumped by every change; the basis of optimistic concurrency.
pub type Version = i32;
