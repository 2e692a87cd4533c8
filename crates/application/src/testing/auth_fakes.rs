//! In-memory fakes of the authentication ports.

use crate::auth::ports::{
    AccessClaims, AccessRequest, Operation, PasswordHasher, Principal, Quota, RateDecision,
    RateLimiter, RefreshOutcome, Restriction, Revocation, RevocationCache, RevocationStore,
    SessionStore, TokenError, TokenService, VerifiedToken,
};
use crate::ports::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tisseco_domain::{Password, PasswordHash, Role, UserId};
use uuid::Uuid;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// "Hashes" by prefixing; counts verifications so tests can see every login verifies.
#[derive(Debug, Default)]
pub struct FakeHasher {
    pub verifications: AtomicUsize,
}

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, RepoError> {
        Ok(PasswordHash(format!("fake${}", password.expose())))
    }

    async fn verify(&self, password: &Password, hash: Option<&PasswordHash>) -> bool {
        self.verifications.fetch_add(1, Ordering::SeqCst);
        hash.is_some_and(|h| h.0 == format!("fake${}", password.expose()))
    }
}

/// Readable tokens: `user|role|session|expiry|restrictions…`. Not signed: a fake.
#[derive(Debug, Default)]
pub struct FakeTokens;

impl TokenService for FakeTokens {
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        let p = &claims.principal;
        Ok(format!(
            "{}|{}|{}|{}",
            p.user_id,
            p.role.as_str(),
            p.session_id,
            claims.expires_at.timestamp()
        ))
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<VerifiedToken, TokenError> {
        let (verified, expires) = read_fake(token)?;
        if now.timestamp() >= expires {
            return Err(TokenError::Unauthenticated("expired".into()));
        }
        Ok(verified)
    }

    fn authorize(&self, token: &str, request: &AccessRequest) -> Result<(), TokenError> {
        let (verified, expires) = read_fake(token)?;
        if request.now.timestamp() >= expires {
            return Err(TokenError::Unauthenticated("expired".into()));
        }
        if !verified.principal.role.includes(request.required) {
            return Err(TokenError::Forbidden("role".into()));
        }
        let read_only = token.split('|').skip(4).any(|r| r == "read-only");
        if read_only && request.operation == Operation::Write {
            return Err(TokenError::Forbidden("read-only".into()));
        }
        Ok(())
    }

    fn attenuate(&self, token: &str, restriction: &Restriction) -> Result<String, TokenError> {
        Ok(if restriction.read_only {
            format!("{token}|read-only")
        } else {
            token.to_owned()
        })
    }
}

/// A fake token's holder and expiry (seconds).
fn read_fake(token: &str) -> Result<(VerifiedToken, i64), TokenError> {
    let bad = || TokenError::Unauthenticated("malformed token".into());
    let parts: Vec<&str> = token.split('|').collect();
    let [user, role, session, expiry, ..] = parts.as_slice() else {
        return Err(bad());
    };
    let principal = Principal {
        user_id: UserId(Uuid::parse_str(user).map_err(|_| bad())?),
        role: Role::parse(role).map_err(|_| bad())?,
        session_id: Uuid::parse_str(session).map_err(|_| bad())?,
    };
    let expires = expiry.parse::<i64>().map_err(|_| bad())?;
    let verified = VerifiedToken {
        principal,
        revocation_ids: vec![format!("token:{user}:{expiry}")],
    };
    Ok((verified, expires))
}

#[derive(Debug, Clone)]
struct StoredRefresh {
    session_id: Uuid,
    user_id: UserId,
    expires_at: DateTime<Utc>,
    spent: bool,
}

#[derive(Debug, Default)]
pub struct InMemorySessions {
    tokens: Mutex<HashMap<Vec<u8>, StoredRefresh>>,
}

#[async_trait]
impl SessionStore for InMemorySessions {
    async fn add_refresh_token(
        &self,
        digest: &[u8],
        session_id: Uuid,
        user_id: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let stored = StoredRefresh {
            session_id,
            user_id,
            expires_at,
            spent: false,
        };
        lock(&self.tokens).insert(digest.to_vec(), stored);
        Ok(())
    }

    async fn consume_refresh_token(
        &self,
        digest: &[u8],
        now: DateTime<Utc>,
    ) -> Result<RefreshOutcome, RepoError> {
        let mut tokens = lock(&self.tokens);
        Ok(match tokens.get_mut(digest) {
            Some(t) if t.spent => RefreshOutcome::Reused {
                session_id: t.session_id,
            },
            Some(t) if t.expires_at > now => {
                t.spent = true;
                RefreshOutcome::Rotated {
                    session_id: t.session_id,
                    user_id: t.user_id,
                }
            }
            _ => RefreshOutcome::Invalid,
        })
    }

    async fn end_session(&self, session_id: Uuid) -> Result<(), RepoError> {
        lock(&self.tokens)
            .values_mut()
            .filter(|t| t.session_id == session_id)
            .for_each(|t| t.spent = true);
        Ok(())
    }

    async fn end_sessions_of(&self, user_id: UserId) -> Result<Vec<Uuid>, RepoError> {
        let mut tokens = lock(&self.tokens);
        let mut sessions: Vec<Uuid> = tokens
            .values()
            .filter(|t| t.user_id == user_id && !t.spent)
            .map(|t| t.session_id)
            .collect();
        tokens
            .values_mut()
            .filter(|t| t.user_id == user_id)
            .for_each(|t| t.spent = true);
        sessions.sort_unstable();
        sessions.dedup();
        Ok(sessions)
    }
}

/// A revocation list standing in for both the store and the cache. The cache side can be
/// made cold (flushed) or down (unreachable).
#[derive(Debug, Default)]
pub struct InMemoryRevocations {
    entries: Mutex<Vec<Revocation>>,
    pub cold: AtomicBool,
    pub down: AtomicBool,
}

#[async_trait]
impl RevocationStore for InMemoryRevocations {
    async fn revoke(&self, revocations: &[Revocation]) -> Result<(), RepoError> {
        lock(&self.entries).extend_from_slice(revocations);
        Ok(())
    }

    async fn any_revoked(&self, ids: &[String], now: DateTime<Utc>) -> Result<bool, RepoError> {
        Ok(lock(&self.entries)
            .iter()
            .any(|r| r.until > now && ids.contains(&r.id)))
    }

    async fn in_force(&self, now: DateTime<Utc>) -> Result<Vec<Revocation>, RepoError> {
        Ok(lock(&self.entries)
            .iter()
            .filter(|r| r.until > now)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl RevocationCache for InMemoryRevocations {
    async fn any_revoked(&self, ids: &[String]) -> Result<Option<bool>, RepoError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(RepoError::Unavailable("cache down".into()));
        }
        if self.cold.load(Ordering::SeqCst) {
            return Ok(None);
        }
        Ok(Some(
            lock(&self.entries).iter().any(|r| ids.contains(&r.id)),
        ))
    }

    async fn add(
        &self,
        _: &[Revocation],
        _: DateTime<Utc>,
        complete: bool,
    ) -> Result<(), RepoError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(RepoError::Unavailable("cache down".into()));
        }
        if complete {
            self.cold.store(false, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// Counts requests per key without time: enough to test who is refused.
#[derive(Debug, Default)]
pub struct CountingLimiter {
    counts: Mutex<HashMap<String, u32>>,
    pub down: AtomicBool,
}

#[async_trait]
impl RateLimiter for CountingLimiter {
    async fn check(&self, key: &str, quota: Quota, cost: u32) -> Result<RateDecision, RepoError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(RepoError::Unavailable("limiter down".into()));
        }
        let mut counts = lock(&self.counts);
        let used = counts.entry(key.to_owned()).or_default();
        let allowed = *used + cost <= quota.limit && (cost > 0 || *used < quota.limit);
        if allowed {
            *used += cost;
        }
        let retry_after = if allowed {
            Duration::ZERO
        } else {
            quota.period
        };
        Ok(RateDecision {
            allowed,
            limit: quota.limit,
            remaining: quota.limit.saturating_sub(*used),
            reset_after: quota.period,
            retry_after,
        })
    }
}
