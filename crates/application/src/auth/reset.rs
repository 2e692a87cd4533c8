//! Password reset: a single-use, expiring token sent by e-mail, then a new password. Asking
//! for a reset answers the same whether the account exists or not.

use super::Auth;
use super::service::{digest, random_secret};
use crate::AppError;
use crate::auth::ports::Quota;
use crate::jobs::{JobQueue, MAIL_QUEUE};
use crate::mail::{EmailJob, MailMessage, Recipient};
use crate::ports::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tisseco_domain::{Email, Password, UserId, ValidationError};

/// How long a reset link works.
pub const RESET_TTL: Duration = Duration::from_secs(30 * 60);
/// Reset requests per account and hour: enough for a typo, not for mail bombing.
const REQUESTS_PER_ACCOUNT: Quota = Quota {
    limit: 3,
    period: Duration::from_secs(3600),
};

/// Reset tokens, stored as digests.
#[async_trait]
pub trait PasswordResets: Send + Sync {
    /// Records a new link; every other unspent link of `user` stops working.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn create(
        &self,
        digest: &[u8],
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Spends the token at once, with every other unspent link of its user: the user when
    /// it was unspent and unexpired.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn consume(&self, digest: &[u8], now: DateTime<Utc>)
    -> Result<Option<UserId>, RepoError>;
}

/// The password-reset use cases.
#[derive(Clone)]
pub struct PasswordReset {
    auth: Auth,
    resets: Arc<dyn PasswordResets>,
    queue: Arc<dyn JobQueue>,
    /// Where the front-end's reset page lives, e.g. `https://admin.tisseco.org/reset-password`.
    link_base: String,
}

impl std::fmt::Debug for PasswordReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordReset")
    }
}

impl PasswordReset {
    #[must_use]
    pub fn new(
        auth: Auth,
        resets: Arc<dyn PasswordResets>,
        queue: Arc<dyn JobQueue>,
        link_base: String,
    ) -> Self {
        Self {
            auth,
            resets,
            queue,
            link_base,
        }
    }

    /// Sends a reset link to an active account with this e-mail; otherwise does nothing,
    /// and answers alike, so that nobody learns which accounts exist.
    ///
    /// # Errors
    /// As [`Self::admit`] and [`Self::send_link`].
    pub async fn request(
        &self,
        email: &str,
        correlation_id: Option<String>,
    ) -> Result<(), AppError> {
        self.admit(email).await?;
        self.send_link(email, correlation_id).await
    }

    /// The part of a request that answers the caller: the per-address rate limit. The rest
    /// ([`Self::send_link`]) may run after the answer, so that known and unknown addresses
    /// take the same time to answer (40 ms against 23 ms when it ran inline).
    ///
    /// # Errors
    /// `RateLimited` after 3 requests for one address in an hour; `Unavailable` when the
    /// limiter can't be reached.
    pub async fn admit(&self, email: &str) -> Result<(), AppError> {
        let key = format!("password-reset:{}", email.trim().to_lowercase());
        let decision = self
            .auth
            .limiter
            .check(&key, REQUESTS_PER_ACCOUNT, 1)
            .await?;
        if !decision.allowed {
            return Err(AppError::RateLimited {
                retry_after: decision.retry_after,
            });
        }
        Ok(())
    }

    /// Makes a link for an active account with this e-mail (every older link of the account
    /// stops working) and queues the e-mail; does nothing for any other address.
    ///
    /// # Errors
    /// `Unavailable` when the store or the queue can't be reached.
    pub async fn send_link(
        &self,
        email: &str,
        correlation_id: Option<String>,
    ) -> Result<(), AppError> {
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let Some(user) = self
            .auth
            .directory
            .find_by_email(&email)
            .await?
            .filter(|u| u.active)
        else {
            return Ok(());
        };
        let token = random_secret();
        let digest = digest(&token);
        self.resets
            .create(&digest, user.id, self.auth.clock.now() + RESET_TTL)
            .await?;
        let message = MailMessage::PasswordReset {
            display_name: user.display_name.as_str().to_owned(),
            reset_url: format!("{}?token={token}", self.link_base),
            expires_in_minutes: u32::try_from(RESET_TTL.as_secs() / 60).unwrap_or(30),
        };
        let dedup: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        let email_job = EmailJob {
            dedup_key: format!("password-reset:{dedup}"),
            to: Recipient {
                email: user.email.as_str().to_owned(),
                name: Some(user.display_name.as_str().to_owned()),
                locale: user.locale,
            },
            message,
        };
        let job = email_job
            .to_job(correlation_id)
            .map_err(|e| AppError::Unexpected(e.to_string()))?;
        self.queue
            .enqueue(MAIL_QUEUE, &[job])
            .await
            .map_err(|e| AppError::Unavailable(e.to_string()))
    }

    /// Sets a new password with a token from a reset e-mail; the token is then spent and
    /// every session of the account ends.
    ///
    /// # Errors
    /// `Invalid` (password) for a password breaking the policy; `Invalid` (token) for an
    /// unknown, spent or expired token.
    pub async fn reset(&self, token: &str, password: &str) -> Result<(), AppError> {
        let password = Password::new(password)?;
        let user = self
            .resets
            .consume(&digest(token), self.auth.clock.now())
            .await?
            .ok_or_else(|| {
                ValidationError::new(
                    "token",
                    "the link is invalid, expired or already used; ask for a new one",
                )
            })?;
        let hash = self.auth.hasher.hash(&password).await?;
        self.auth.directory.set_password_hash(user, &hash).await?;
        self.auth.end_all_sessions_of(user).await
    }
}
