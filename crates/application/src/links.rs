//! Download links that open in a browser without a bearer header: the rejected rows an
//! import report e-mail points to, a label sheet sent to whoever prints it.
//!
//! A link is one exact address (path and query) plus a random secret of 244 bits in its
//! `link` parameter; only the secret's digest is stored, like a reset link's. It works for
//! 7 days, only for reading, only for that address, only while its user is active and
//! still holds the role the address needs; it dies with the session that asked for it, and
//! every link of a user dies when all their sessions are ended (a password reset, an
//! account switched off). No signing key is shared with the worker, which makes the
//! report's links too: a stored secret is checked where it is kept.

use crate::AppError;
use crate::auth::ports::Principal;
use crate::ports::{AuditContext, Clock, RepoError, Repository};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tisseco_domain::{Role, User, UserId, ValidationError};
use uuid::Uuid;

/// How long a download link works.
pub const LINK_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// The query parameter that carries a link's secret.
pub const LINK_PARAM: &str = "link";

/// One download link as stored (its secret only as a digest, kept apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadLink {
    pub id: Uuid,
    pub user_id: UserId,
    /// The session that asked for it; `None` for a link the platform made on its own
    /// (the import report), which lives until all the user's sessions are ended.
    pub session_id: Option<Uuid>,
    /// The address it opens, in [`canonical_target`] form.
    pub target: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub voided: bool,
}

/// Where download links are kept.
#[async_trait]
pub trait LinkStore: Send + Sync {
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn insert(&self, digest: &[u8], link: &DownloadLink) -> Result<(), RepoError>;

    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn find(&self, digest: &[u8]) -> Result<Option<DownloadLink>, RepoError>;

    /// Voids the links asked for by these sessions.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn void_sessions(&self, sessions: &[Uuid]) -> Result<(), RepoError>;

    /// Voids every link of `user`, whichever session asked for it.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn void_user(&self, user: UserId) -> Result<(), RepoError>;

    /// Writes a `download` record for `link` in the audit log.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn record_download(
        &self,
        link: &DownloadLink,
        context: &AuditContext,
    ) -> Result<(), RepoError>;
}

/// Whether a link may open `path`: the addresses a person is sent to download.
#[must_use]
pub fn is_downloadable(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        ["", "api", "v1", "labels"] => true,
        ["", "api", "v1", "imports", id, "errors.csv"] => Uuid::parse_str(id).is_ok(),
        _ => false,
    }
}

/// `path` with its query's parameters sorted and `link` left out, so that the address a
/// link was made for and the address it is used on compare equal.
#[must_use]
pub fn canonical_target(path: &str, query: &str) -> String {
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| pair.split('=').next() != Some(LINK_PARAM))
        .collect();
    pairs.sort_unstable();
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Why a link does not open; each says what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// Unknown secret, or a link made for another address.
    Invalid,
    Expired,
    /// Its session ended, or all its user's sessions were ended.
    Withdrawn,
    /// The user was switched off or no longer holds the role the address needs.
    NotAllowed,
}

impl LinkRefusal {
    /// The message key of this refusal (the API words it in the reader's language).
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Invalid => "link-invalid",
            Self::Expired => "link-expired",
            Self::Withdrawn => "link-withdrawn",
            Self::NotAllowed => "link-not-allowed",
        }
    }
}

/// What opening a link gives: the caller it stands for, or why not.
pub type Opened = Result<Principal, LinkRefusal>;

/// The download-link use cases.
#[derive(Clone)]
pub struct DownloadLinks {
    store: Arc<dyn LinkStore>,
    users: Arc<dyn Repository<User>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for DownloadLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DownloadLinks")
    }
}

impl DownloadLinks {
    #[must_use]
    pub fn new(
        store: Arc<dyn LinkStore>,
        users: Arc<dyn Repository<User>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            users,
            clock,
        }
    }

    /// Makes a link to `path?query` for `user` and returns the address with its secret
    /// (relative: the caller puts its origin in front) and when it stops working.
    ///
    /// # Errors
    /// `Invalid` (field `target`) for an address no link may open; `Unavailable` or
    /// `Unexpected` from the store.
    pub async fn issue(
        &self,
        user: UserId,
        session: Option<Uuid>,
        path: &str,
        query: &str,
    ) -> Result<(String, DateTime<Utc>), AppError> {
        if !is_downloadable(path) {
            return Err(ValidationError::new(
                "target",
                "links open only an import's errors.csv or a label sheet (/api/v1/labels)",
            )
            .into());
        }
        let now = self.clock.now();
        let expires_at = now
            + chrono::Duration::from_std(LINK_TTL)
                .map_err(|e| AppError::Unexpected(e.to_string()))?;
        let target = canonical_target(path, query);
        let secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let link = DownloadLink {
            id: Uuid::new_v4(),
            user_id: user,
            session_id: session,
            target: target.clone(),
            created_at: now,
            expires_at,
            voided: false,
        };
        self.store.insert(&digest(&secret), &link).await?;
        let separator = if target.contains('?') { '&' } else { '?' };
        Ok((
            format!("{target}{separator}{LINK_PARAM}={secret}"),
            expires_at,
        ))
    }

    /// Opens the link `secret` used on `path?query` for a route that needs `required`;
    /// records the download in the audit log.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the stores (a refusal is not an error).
    pub async fn open(
        &self,
        secret: &str,
        path: &str,
        query: &str,
        required: Role,
        request_id: Option<String>,
    ) -> Result<Opened, AppError> {
        let Some(link) = self.store.find(&digest(secret)).await? else {
            return Ok(Err(LinkRefusal::Invalid));
        };
        if link.target != canonical_target(path, query) {
            return Ok(Err(LinkRefusal::Invalid));
        }
        if link.voided {
            return Ok(Err(LinkRefusal::Withdrawn));
        }
        if link.expires_at <= self.clock.now() {
            return Ok(Err(LinkRefusal::Expired));
        }
        let Some(user) = self.users.find(link.user_id).await? else {
            return Ok(Err(LinkRefusal::NotAllowed));
        };
        if !user.active || !user.role.includes(required) {
            return Ok(Err(LinkRefusal::NotAllowed));
        }
        let context = AuditContext {
            actor: Some(user.id),
            request_id,
        };
        self.store.record_download(&link, &context).await?;
        Ok(Ok(Principal {
            user_id: user.id,
            role: user.role,
            // A link the platform made has no session: it stands for itself.
            session_id: link.session_id.unwrap_or(link.id),
        }))
    }
}

#[cfg(test)]
mod tests;
