//! The HTTP routes, one module per resource.

pub mod areas;
pub mod auth;
pub mod containers;
pub mod health;
pub mod imports;
pub mod ogc;
pub mod public;
pub mod queues;
pub mod search;
pub mod sites;
pub mod users;
