//! The HTTP routes, one module per resource.

pub mod areas;
pub mod containers;
pub mod health;
pub mod ogc;
pub mod public;
pub mod search;
pub mod sites;
