//! The HTTP routes, one module per resource.

pub mod areas;
pub mod containers;
pub mod health;
pub mod queues;
pub mod sites;
