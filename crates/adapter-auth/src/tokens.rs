//! Access tokens as biscuits. The authority block states who the holder is and until when;
//! each request is judged by one Datalog policy; holders narrow a token by appending
//! checks, which the same policy run enforces.

use crate::keys::SigningKeys;
use biscuit_auth::error::{FailedCheck, Logic, Token};
use biscuit_auth::macros::{authorizer, biscuit, block};
use biscuit_auth::{AuthorizerLimits, Biscuit, BlockBuilder};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};
use tisseco_application::auth::ports::{
    AccessClaims, AccessRequest, Principal, Restriction, TokenError, TokenService, VerifiedToken,
};
use tisseco_domain::{Role, UserId};
use uuid::Uuid;

/// After [`shape::inspect`], a token's Datalog is a handful of facts and one-predicate
/// checks (~0.1 ms); these limits are a second fence, generous enough that a loaded
/// machine never turns a valid token into a 403.
const LIMITS: AuthorizerLimits = AuthorizerLimits {
    max_facts: 64,
    max_iterations: 8,
    max_time: Duration::from_millis(50),
};

/// How long a verified token is trusted without checking it again (never past its expiry).
const VERIFIED_FOR: Duration = Duration::from_secs(60);
/// Verified tokens remembered, per (token, required role, operation, tour).
const VERIFIED_CAPACITY: usize = 10_000;

/// How often the caches answered, for the logs and metrics.
#[derive(Debug, Default)]
pub struct CacheCounters {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

impl CacheCounters {
    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Verdict {
    token: String,
    required: &'static str,
    operation: &'static str,
    tour: Option<Uuid>,
}

/// A token whose signature and shape passed: what `verify` found, kept until it expires.
#[derive(Debug, Clone)]
struct Signed {
    token: VerifiedToken,
    biscuit: Arc<Biscuit>,
    expires: DateTime<Utc>,
}

/// Issues and checks biscuit tokens with [`SigningKeys`]. A token whose signature passed is
/// remembered until it expires, and one whose policy passed for a kind of request is
/// trusted for the same kind for a minute (signature checks dominate the cost of an
/// authenticated request); revocation is still checked by the caller every time.
#[derive(Debug)]
pub struct BiscuitTokens {
    keys: SigningKeys,
    signed: quick_cache::sync::Cache<String, Signed>,
    verified: quick_cache::sync::Cache<Verdict, DateTime<Utc>>,
    /// At most this long without a fresh check (`AUTH_TOKEN_CACHE_TTL_SECS`).
    trust_for: chrono::TimeDelta,
    /// Hits and misses of the policy verdicts (a hit skips signature and Datalog).
    pub counters: CacheCounters,
}

impl BiscuitTokens {
    #[must_use]
    pub fn new(keys: SigningKeys) -> Self {
        Self::with_cache(keys, VERIFIED_CAPACITY, VERIFIED_FOR)
    }

    /// As [`Self::new`], remembering at most `capacity` tokens for at most `trust_for`
    /// (0 turns the caches off: every request is checked in full).
    #[must_use]
    pub fn with_cache(keys: SigningKeys, capacity: usize, trust_for: Duration) -> Self {
        let trust_for = chrono::TimeDelta::from_std(trust_for).unwrap_or(chrono::TimeDelta::zero());
        Self {
            keys,
            signed: quick_cache::sync::Cache::new(capacity.max(1)),
            verified: quick_cache::sync::Cache::new(capacity.max(1)),
            trust_for,
            counters: CacheCounters::default(),
        }
    }

    fn caching(&self) -> bool {
        self.trust_for > chrono::TimeDelta::zero()
    }

    fn parse(&self, token: &str) -> Result<Biscuit, TokenError> {
        shape::check_length(token)?;
        Biscuit::from_base64(token, &self.keys).map_err(|error| {
            TokenError::Unauthenticated(match error {
                Token::Base64(_) => "the token is not valid base64".into(),
                Token::Format(biscuit_auth::error::Format::UnknownPublicKey) => {
                    "the token was signed with an unknown key".into()
                }
                _ => "the token is malformed or its signature is invalid".into(),
            })
        })
    }

    /// Signature and shape, remembered per token until it expires.
    fn signed(&self, token: &str) -> Result<Signed, TokenError> {
        if let Some(known) = self.signed.get(token)
            && self.caching()
        {
            return Ok(known);
        }
        let biscuit = self.parse(token)?;
        let authority = shape::inspect(&biscuit)?;
        let principal = Principal {
            user_id: UserId(Uuid::parse_str(&authority.user).map_err(internal)?),
            role: Role::parse(&authority.role).map_err(internal)?,
            session_id: Uuid::parse_str(&authority.session).map_err(internal)?,
        };
        let revocation_ids = biscuit
            .revocation_identifiers()
            .iter()
            .map(hex::encode)
            .collect();
        let signed = Signed {
            token: VerifiedToken {
                principal,
                revocation_ids,
            },
            biscuit: Arc::new(biscuit),
            expires: DateTime::<Utc>::from(authority.expires),
        };
        if self.caching() {
            self.signed.insert(token.to_owned(), signed.clone());
        }
        Ok(signed)
    }
}

fn internal(error: impl std::fmt::Display) -> TokenError {
    TokenError::Internal(error.to_string())
}

/// A failed check about time means the token (or an attenuation of it) expired.
fn expired(checks: &[FailedCheck]) -> bool {
    checks.iter().any(|check| match check {
        FailedCheck::Block(block) => block.rule.contains("time("),
        FailedCheck::Authorizer(_) => false,
    })
}

fn refusal(error: Token) -> TokenError {
    match error {
        Token::FailedLogic(
            Logic::Unauthorized { checks, .. } | Logic::NoMatchingPolicy { checks },
        ) if expired(&checks) => TokenError::Unauthenticated("the token has expired".into()),
        Token::FailedLogic(Logic::NoMatchingPolicy { .. }) => {
            TokenError::Forbidden("your role does not allow this".into())
        }
        Token::FailedLogic(Logic::Unauthorized { .. }) => {
            TokenError::Forbidden("this token is restricted and does not allow this".into())
        }
        Token::RunLimit(_) => TokenError::Forbidden("the token's checks are too expensive".into()),
        other => internal(other),
    }
}

impl TokenService for BiscuitTokens {
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        let p = &claims.principal;
        let user = p.user_id.to_string();
        let session = p.session_id.to_string();
        let expires = SystemTime::from(claims.expires_at);
        biscuit!(
            r#"
            user({user});
            role({role});
            session({session});
            expires({expires});
            check if time($t), $t < {expires};
            "#,
            role = p.role.as_str(),
        )
        .root_key_id(self.keys.current_id())
        .build(self.keys.key_pair())
        .and_then(|token| token.to_base64())
        .map_err(internal)
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<VerifiedToken, TokenError> {
        let signed = self.signed(token.trim())?;
        if now >= signed.expires {
            return Err(TokenError::Unauthenticated("the token has expired".into()));
        }
        Ok(signed.token)
    }

    fn authorize(&self, token: &str, request: &AccessRequest) -> Result<(), TokenError> {
        let token = token.trim();
        let verdict = Verdict {
            token: token.to_owned(),
            required: request.required.as_str(),
            operation: request.operation.as_str(),
            tour: request.tour,
        };
        let remembered = self
            .verified
            .get(&verdict)
            .is_some_and(|until| request.now < until);
        self.counters.count(remembered);
        if remembered {
            return Ok(());
        }
        let signed = self.signed(token)?;
        let now = SystemTime::from(request.now);
        let mut policy = authorizer!(
            r#"
            time({now});
            operation({operation});
            required_role({required});
            rank("driver", 1);
            rank("manager", 2);
            rank("admin", 3);
            allow if role($role), rank($role, $have), required_role($need), rank($need, $want), $have >= $want;
            "#,
            operation = request.operation.as_str(),
            required = request.required.as_str(),
        );
        if let Some(tour) = request.tour {
            policy = policy
                .fact(biscuit_auth::macros::fact!(
                    "tour({tour})",
                    tour = tour.to_string()
                ))
                .map_err(internal)?;
        }
        let mut authorizer = policy
            .set_limits(LIMITS)
            .build(&signed.biscuit)
            .map_err(internal)?;
        authorizer.authorize().map_err(refusal)?;
        // only unattenuated tokens: an appended block may hold checks of its own
        if signed.biscuit.block_count() == 1 && self.caching() {
            let until = signed.expires.min(request.now + self.trust_for);
            self.verified.insert(verdict, until);
        }
        Ok(())
    }

    fn attenuate(&self, token: &str, restriction: &Restriction) -> Result<String, TokenError> {
        let biscuit = self.parse(token)?;
        let mut narrowing = BlockBuilder::new();
        if restriction.read_only {
            narrowing = narrowing.merge(block!(r#"check if operation("read");"#));
        }
        if let Some(at) = restriction.expires_at {
            narrowing = narrowing.merge(block!(
                "check if time($t), $t < {at};",
                at = SystemTime::from(at)
            ));
        }
        if let Some(tour) = restriction.tour {
            narrowing = narrowing.merge(block!("check if tour({tour});", tour = tour.to_string()));
        }
        biscuit
            .append(narrowing)
            .and_then(|t| t.to_base64())
            .map_err(internal)
    }
}

mod shape;

#[cfg(test)]
mod tests;
