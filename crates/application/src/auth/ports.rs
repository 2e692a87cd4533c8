//! Ports of authentication and authorisation: tokens, password hashes, sessions,
//! revocations, rate limits and the user store.

use crate::ports::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;
use tisseco_domain::{Email, Password, PasswordHash, Role, User, UserId};
use uuid::Uuid;

/// The verified caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub role: Role,
    /// The login session the token belongs to (refreshes keep it; logout revokes it).
    pub session_id: Uuid,
}

/// Whether a request reads or changes state (attenuated tokens may be read-only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Read,
    Write,
}

impl Operation {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// What a request needs: the least role, the kind of operation, the tour it concerns.
#[derive(Debug, Clone)]
pub struct AccessRequest {
    pub required: Role,
    pub operation: Operation,
    /// The tour the request acts on, when it acts on one (tour-scoped tokens need it).
    pub tour: Option<Uuid>,
    pub now: DateTime<Utc>,
}

/// What an access token asserts.
#[derive(Debug, Clone)]
pub struct AccessClaims {
    pub principal: Principal,
    pub expires_at: DateTime<Utc>,
}

/// A token whose signature and shape passed; the policy for a request is judged apart.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub principal: Principal,
    /// Identifiers under which this token (or a token it derives from) can be revoked.
    pub revocation_ids: Vec<String>,
}

/// Restrictions a holder adds when attenuating a token; each only narrows it.
#[derive(Debug, Clone, Default)]
pub struct Restriction {
    pub read_only: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub tour: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Malformed, forged, signed by an unknown key, or expired: 401.
    #[error("{0}")]
    Unauthenticated(String),
    /// Genuine, but not allowed to do this: 403.
    #[error("{0}")]
    Forbidden(String),
    #[error("token service failure: {0}")]
    Internal(String),
}

/// Issues, verifies and attenuates access tokens. CPU-bound and fast: not async.
pub trait TokenService: Send + Sync {
    /// # Errors
    /// `Internal` when the token can't be built.
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenError>;

    /// The cheap half, run before anything costly: length, signature, shape and expiry of
    /// `token`, without evaluating its Datalog.
    ///
    /// # Errors
    /// `Unauthenticated` for a malformed, forged, oversized or expired token.
    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<VerifiedToken, TokenError>;

    /// Runs the authorisation policy for `request` (the token's own checks included).
    /// Call it after [`Self::verify`] and the revocation and rate-limit checks.
    ///
    /// # Errors
    /// `Unauthenticated` for a bad or expired token, `Forbidden` when the policy refuses.
    fn authorize(&self, token: &str, request: &AccessRequest) -> Result<(), TokenError>;

    /// Appends `restriction` to `token`; the result can never do more than `token`.
    ///
    /// # Errors
    /// `Unauthenticated` when `token` itself is not valid.
    fn attenuate(&self, token: &str, restriction: &Restriction) -> Result<String, TokenError>;
}

/// Password hashing; slow on purpose, so implementations must not block the executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// # Errors
    /// `Unexpected` when hashing fails.
    async fn hash(&self, password: &Password) -> Result<PasswordHash, RepoError>;

    /// Whether `password` matches `hash`. With no hash (unknown account) it still spends
    /// the same time, so timing does not tell whether an account exists.
    async fn verify(&self, password: &Password, hash: Option<&PasswordHash>) -> bool;
}

/// Looks users up by e-mail (the rest is the generic `Repository<User>`).
#[async_trait]
pub trait UserDirectory: Send + Sync {
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError>;

    /// Replaces the stored password hash (no audit: the hash is not history).
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn set_password_hash(&self, user: UserId, hash: &PasswordHash) -> Result<(), RepoError>;
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Valid and now spent: issue the next pair in the same session.
    Rotated { session_id: Uuid, user_id: UserId },
    /// Already spent: someone replayed it; the session must die.
    Reused { session_id: Uuid },
    /// Unknown or expired.
    Invalid,
}

/// Refresh tokens (stored as digests) grouped in sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn add_refresh_token(
        &self,
        digest: &[u8],
        session_id: Uuid,
        user_id: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Spends the token atomically: of two concurrent presentations only one rotates.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn consume_refresh_token(
        &self,
        digest: &[u8],
        now: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepoError>;

    /// Ends a session: none of its refresh tokens works any more.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn end_session(&self, session_id: Uuid) -> Result<(), RepoError>;

    /// Ends every live session of a user and returns their ids.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn end_sessions_of(&self, user_id: UserId) -> Result<Vec<Uuid>, RepoError>;
}

/// A revoked identifier and until when it matters (the longest life of what it revokes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub id: String,
    pub until: DateTime<Utc>,
}

/// The durable list of revocations (survives a cache flush).
#[async_trait]
pub trait RevocationStore: Send + Sync {
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn revoke(&self, revocations: &[Revocation]) -> Result<(), RepoError>;

    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn any_revoked(&self, ids: &[String], now: DateTime<Utc>) -> Result<bool, RepoError>;

    /// Every revocation still in force, to warm a cache.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn in_force(&self, now: DateTime<Utc>) -> Result<Vec<Revocation>, RepoError>;
}

/// A fast copy of the revocation list, which may be empty after a flush (`cold`).
#[async_trait]
pub trait RevocationCache: Send + Sync {
    /// `Some(revoked?)` when the cache is warm, `None` when it was flushed and must be
    /// reloaded before it can answer.
    ///
    /// # Errors
    /// `Unavailable` when the cache can't be reached.
    async fn any_revoked(&self, ids: &[String]) -> Result<Option<bool>, RepoError>;

    /// Adds revocations; with `complete`, marks the cache warm (it now holds all of them).
    ///
    /// # Errors
    /// `Unavailable` when the cache can't be reached.
    async fn add(
        &self,
        revocations: &[Revocation],
        now: DateTime<Utc>,
        complete: bool,
    ) -> Result<(), RepoError>;
}

/// How many requests a key may make per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub period: Duration,
}

/// The answer of a rate limiter, with what the `RateLimit-*` headers need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Until the quota is whole again.
    pub reset_after: Duration,
    /// When refused: how long to wait.
    pub retry_after: Duration,
}

/// One atomic check-and-count per call.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts `cost` requests for `key` against `quota` (cost 0 only looks).
    ///
    /// # Errors
    /// `Unavailable` when the limiter's store can't be reached (callers decide to fail
    /// open or closed).
    async fn check(&self, key: &str, quota: Quota, cost: u32) -> Result<RateDecision, RepoError>;
}
