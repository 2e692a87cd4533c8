//! The HTTP routes, one module per resource.

pub mod areas;
pub mod auth;
pub mod container_counts;
pub mod containers;
pub mod declaration;
pub mod health;
pub mod import_list;
pub mod imports;
pub mod labels;
pub mod my_tours;
pub mod ogc;
pub mod open311;
pub mod plan_day;
pub mod predictions;
pub mod public;
pub mod queues;
pub mod reports;
pub mod search;
pub mod session;
pub mod sites;
pub mod stats;
pub mod stats_reports;
pub mod tiles;
pub mod timeline;
pub mod tours;
pub mod users;
