//! Login, refresh with rotation (a replayed refresh token ends its session), logout,
//! attenuation, and the check every authenticated request goes through.

use super::Revocations;
use super::ports::{
    AccessClaims, AccessRequest, PasswordHasher, Principal, Quota, RateLimiter, RefreshOutcome,
    Restriction, Revocation, SessionStore, TokenError, TokenService, UserDirectory, VerifiedToken,
};
use crate::AppError;
use crate::links::LinkStore;
use crate::ports::{Clock, RepoError, Repository};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tisseco_domain::{Email, Password, User, UserId};
use uuid::Uuid;

/// Token lifetimes and login throttling.
#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Failed logins allowed per account before it is slowed down.
    pub login_failures: Quota,
}

/// An access token and the refresh token that renews it.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub access_expires_in: Duration,
    pub refresh_token: String,
    pub refresh_expires_in: Duration,
}

#[expect(missing_debug_implementations, reason = "trait objects")]
pub struct AuthPorts {
    pub users: Arc<dyn Repository<User>>,
    pub directory: Arc<dyn UserDirectory>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenService>,
    pub sessions: Arc<dyn SessionStore>,
    pub revocations: Revocations,
    pub limiter: Arc<dyn RateLimiter>,
    pub clock: Arc<dyn Clock>,
    /// Download links die with the sessions that asked for them.
    pub links: Arc<dyn LinkStore>,
}

#[derive(Clone)]
pub struct Auth {
    pub(super) users: Arc<dyn Repository<User>>,
    pub(super) directory: Arc<dyn UserDirectory>,
    pub(super) hasher: Arc<dyn PasswordHasher>,
    pub(super) tokens: Arc<dyn TokenService>,
    pub(super) sessions: Arc<dyn SessionStore>,
    pub(super) revocations: Revocations,
    pub(super) limiter: Arc<dyn RateLimiter>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) links: Arc<dyn LinkStore>,
    pub(super) policy: AuthPolicy,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

const INVALID_CREDENTIALS: &str = "invalid e-mail or password";

pub(super) fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// 244 random bits, hex-encoded.
pub(super) fn random_secret() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

pub(super) fn session_revocation_id(session: Uuid) -> String {
    format!("session:{session}")
}

/// A token whose signature, shape and expiry passed, not yet checked for revocation.
#[derive(Debug)]
pub struct PendingToken {
    token: String,
    verified: VerifiedToken,
}

impl PendingToken {
    /// Who the token speaks for (authentic: the signature was checked), e.g. to key a
    /// rate limit while revocation is checked.
    #[must_use]
    pub fn user_id(&self) -> UserId {
        self.verified.principal.user_id
    }
}

/// A pending token that is not revoked; only the policy stands between it and a principal.
#[derive(Debug)]
pub struct UnrevokedToken(PendingToken);

impl From<TokenError> for AppError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Unauthenticated(reason) => Self::Unauthenticated(reason),
            TokenError::Forbidden(reason) => Self::Forbidden(reason),
            TokenError::Internal(reason) => Self::Unexpected(reason),
        }
    }
}

fn login_unavailable(error: RepoError) -> AppError {
    // the adapter logs the outage once; this is every refused login
    tracing::debug!(error = %error, "login throttle unavailable; refusing logins until it is back");
    AppError::Unavailable("login is temporarily unavailable".into())
}

impl Auth {
    #[must_use]
    pub fn new(ports: AuthPorts, policy: AuthPolicy) -> Self {
        let AuthPorts {
            users,
            directory,
            hasher,
            tokens,
            sessions,
            revocations,
            limiter,
            clock,
            links,
        } = ports;
        Self {
            users,
            directory,
            hasher,
            tokens,
            sessions,
            revocations,
            limiter,
            clock,
            links,
            policy,
        }
    }

    #[must_use]
    pub fn policy(&self) -> AuthPolicy {
        self.policy
    }

    /// Signs a user in. Unknown e-mail and wrong password take the same time and give the
    /// same answer; repeated failures on one account are slowed down.
    ///
    /// # Errors
    /// `Unauthenticated` for bad credentials or an inactive account, `RateLimited` after too
    /// many failures, `Unavailable` when the throttle can't be consulted (login fails closed).
    pub async fn login(&self, email: &str, password: &str) -> Result<TokenPair, AppError> {
        let throttle_key = format!("login-failures:{}", email.trim().to_lowercase());
        let quota = self.policy.login_failures;
        let peek = self
            .limiter
            .check(&throttle_key, quota, 0)
            .await
            .map_err(login_unavailable)?;
        if !peek.allowed {
            return Err(AppError::RateLimited {
                retry_after: peek.retry_after,
            });
        }
        let user = match Email::parse(email) {
            Ok(email) => self.directory.find_by_email(&email).await?,
            Err(_) => None,
        };
        let matches = self
            .hasher
            .verify(
                &Password::presented(password),
                user.as_ref().map(|u| &u.password_hash),
            )
            .await;
        match user {
            Some(user) if matches && user.active => self.issue_pair(&user, Uuid::now_v7()).await,
            _ => {
                self.limiter
                    .check(&throttle_key, quota, 1)
                    .await
                    .map_err(login_unavailable)?;
                Err(AppError::Unauthenticated(INVALID_CREDENTIALS.into()))
            }
        }
    }

    /// Exchanges a refresh token for a new pair; the old one is spent.
    ///
    /// # Errors
    /// `Unauthenticated` for an unknown, expired or replayed token (a replay ends the session).
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, AppError> {
        let now = self.clock.now();
        match self
            .sessions
            .consume_refresh_token(&digest(refresh_token), now)
            .await?
        {
            RefreshOutcome::Rotated {
                session_id,
                user_id,
            } => match self.users.find(user_id).await? {
                Some(user) if user.active => self.issue_pair(&user, session_id).await,
                _ => {
                    self.end_session(session_id).await?;
                    Err(AppError::Unauthenticated(
                        "the account is no longer active".into(),
                    ))
                }
            },
            RefreshOutcome::Reused { session_id } => {
                tracing::warn!(session.id = %session_id, "refresh token replayed; ending the session");
                self.end_session(session_id).await?;
                Err(AppError::Unauthenticated(
                    "refresh token already used; the session has been ended".into(),
                ))
            }
            RefreshOutcome::Invalid => Err(AppError::Unauthenticated(
                "invalid or expired refresh token".into(),
            )),
        }
    }

    /// Ends the caller's session: its access tokens (attenuated ones too) and refresh
    /// tokens stop working.
    ///
    /// # Errors
    /// `Unavailable` when the revocation can't be recorded durably.
    pub async fn logout(&self, principal: &Principal) -> Result<(), AppError> {
        self.end_session(principal.session_id).await
    }

    /// Verifies a bearer token for a request: signature, shape, expiry, revocation, policy.
    ///
    /// # Errors
    /// `Unauthenticated` (bad, expired or revoked token) or `Forbidden` (policy refuses).
    pub async fn authenticate(
        &self,
        token: &str,
        request: &AccessRequest,
    ) -> Result<Principal, AppError> {
        let pending = self.verify(token, request.now)?;
        let unrevoked = self.check_revocation(pending, request.now).await?;
        self.authorize(unrevoked, request)
    }

    /// The first step of [`Self::authenticate`], without I/O and without Datalog: length,
    /// signature, shape and expiry. Revocation (and the caller's rate limit) come next,
    /// so a revoked or throttled token never reaches the policy evaluation.
    ///
    /// # Errors
    /// `Unauthenticated` (bad, oversized or expired token).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<PendingToken, AppError> {
        let verified = self.tokens.verify(token, now)?;
        Ok(PendingToken {
            token: token.to_owned(),
            verified,
        })
    }

    /// The second step of [`Self::authenticate`]: refuses a token whose session, or any
    /// token it derives from, has been revoked.
    ///
    /// # Errors
    /// `Unauthenticated` when revoked; `Unavailable` when no revocation list answers.
    pub async fn check_revocation(
        &self,
        pending: PendingToken,
        now: DateTime<Utc>,
    ) -> Result<UnrevokedToken, AppError> {
        let mut ids = pending.verified.revocation_ids.clone();
        ids.push(session_revocation_id(pending.verified.principal.session_id));
        if self.revocations.any_revoked(&ids, now).await? {
            return Err(AppError::Unauthenticated(
                "the token has been revoked".into(),
            ));
        }
        Ok(UnrevokedToken(pending))
    }

    /// The last step of [`Self::authenticate`]: the policy for this request, which
    /// releases the principal.
    ///
    /// # Errors
    /// `Unauthenticated` (expired narrowing) or `Forbidden` (policy refuses).
    pub fn authorize(
        &self,
        UnrevokedToken(pending): UnrevokedToken,
        request: &AccessRequest,
    ) -> Result<Principal, AppError> {
        self.tokens.authorize(&pending.token, request)?;
        Ok(pending.verified.principal)
    }

    /// Narrows a token the caller holds.
    ///
    /// # Errors
    /// `Unauthenticated` when the token is not valid; `Invalid` for an expiry in the past.
    pub fn attenuate(&self, token: &str, restriction: &Restriction) -> Result<String, AppError> {
        if restriction
            .expires_at
            .is_some_and(|at| at <= self.clock.now())
        {
            return Err(tisseco_domain::ValidationError::new(
                "expires_at",
                "must be in the future",
            )
            .into());
        }
        Ok(self.tokens.attenuate(token, restriction)?)
    }

    /// Issues an access token directly (tests, tools); no refresh token, no session row.
    ///
    /// # Errors
    /// `Unexpected` when the token can't be built.
    pub fn issue_access_token(&self, principal: Principal) -> Result<String, AppError> {
        let expires_at = self.clock.now() + self.policy.access_ttl;
        Ok(self.tokens.issue(&AccessClaims {
            principal,
            expires_at,
        })?)
    }

    async fn issue_pair(&self, user: &User, session_id: Uuid) -> Result<TokenPair, AppError> {
        let now = self.clock.now();
        let principal = Principal {
            user_id: user.id,
            role: user.role,
            session_id,
        };
        let access_token = self.tokens.issue(&AccessClaims {
            principal,
            expires_at: now + self.policy.access_ttl,
        })?;
        let refresh_token = random_secret();
        let refresh_expires = now + self.policy.refresh_ttl;
        self.sessions
            .add_refresh_token(
                &digest(&refresh_token),
                session_id,
                user.id,
                refresh_expires,
            )
            .await?;
        Ok(TokenPair {
            access_token,
            access_expires_in: self.policy.access_ttl,
            refresh_token,
            refresh_expires_in: self.policy.refresh_ttl,
        })
    }

    pub(super) async fn end_session(&self, session_id: Uuid) -> Result<(), AppError> {
        self.end_sessions(&[session_id]).await?;
        self.sessions.end_session(session_id).await?;
        Ok(())
    }

    /// Ends every session of `user`: their tokens and every download link of the user.
    pub(super) async fn end_all_sessions_of(&self, user: UserId) -> Result<(), AppError> {
        let sessions = self.sessions.end_sessions_of(user).await?;
        self.end_sessions(&sessions).await?;
        Ok(self.links.void_user(user).await?)
    }

    /// Revokes the access tokens of `sessions` until the longest they could live, and the
    /// download links they asked for.
    pub(super) async fn end_sessions(&self, sessions: &[Uuid]) -> Result<(), AppError> {
        self.links.void_sessions(sessions).await?;
        let now = self.clock.now();
        let until = now + self.policy.access_ttl;
        let revocations: Vec<Revocation> = sessions
            .iter()
            .map(|s| Revocation {
                id: session_revocation_id(*s),
                until,
            })
            .collect();
        Ok(self.revocations.revoke(&revocations, now).await?)
    }
}

/// The tour rule: a driver acts only on tours assigned to them; managers and admins on any.
///
/// # Errors
/// `Forbidden` when a driver asks for another driver's tour.
pub fn ensure_tour_access(
    principal: &Principal,
    assigned_driver: Option<tisseco_domain::UserId>,
) -> Result<(), AppError> {
    if principal.role.includes(tisseco_domain::Role::Manager)
        || assigned_driver == Some(principal.user_id)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "this tour is assigned to another driver".into(),
        ))
    }
}
