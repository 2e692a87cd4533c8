//! Authentication adapters: biscuit access tokens (signed, attenuable, checked with Datalog
//! policies) and argon2id password hashes.

mod keys;
mod password;
mod tokens;

pub use keys::{KeyError, SigningKeys};
pub use password::Argon2Hasher;
pub use tokens::BiscuitTokens;
