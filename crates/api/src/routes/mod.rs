//! The HTTP routes, one module per resource.

pub mod areas;
pub mod auth;
pub mod containers;
pub mod health;
pub mod queues;
pub mod sites;
pub mod users;
