//! Authentication and authorisation use cases: login, refresh, logout, attenuation, the
//! per-request check, and user administration.

pub mod ports;
mod reset;
mod revocations;
mod service;
mod users;

pub use reset::{PasswordReset, PasswordResets, RESET_TTL};
pub use revocations::Revocations;
pub use service::{
    Auth, AuthPolicy, AuthPorts, PendingToken, TokenPair, UnrevokedToken, ensure_tour_access,
};
pub use users::UserFilter;

#[cfg(test)]
mod tests;
