//! The HTTP routes, one module per resource.

pub mod areas;
pub mod auth;
pub mod container_counts;
pub mod containers;
pub mod health;
pub mod import_list;
pub mod imports;
pub mod labels;
pub mod my_tours;
pub mod ogc;
pub mod open311;
pub mod plan_day;
pub mod public;
pub mod queues;
pub mod reports;
pub mod search;
pub mod session;
pub mod sites;
pub mod tiles;
pub mod tours;
pub mod users;
