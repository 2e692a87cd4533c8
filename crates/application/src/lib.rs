//! Tisseco's use cases and the ports they need. No I/O here: adapters implement the ports.

pub mod auth;
pub mod cache;
mod cause;
mod error;
pub mod events;
pub mod imports;
pub mod jobs;
pub mod links;
pub mod mail;
pub mod outbox;
pub mod ports;
pub mod reports;
pub mod search;
pub mod stats;
pub mod tiles;
pub mod tours;
pub mod unit_of_work;
pub mod use_cases;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use cause::{Cause, error_chain};
pub use error::AppError;
pub use use_cases::Registry;
