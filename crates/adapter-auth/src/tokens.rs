//! Access tokens as biscuits. The authority block states who the holder is and until when;
//! each request is judged by one Datalog policy; holders narrow a token by appending
//! checks, which the same policy run enforces.

use crate::keys::SigningKeys;
use biscuit_auth::error::{FailedCheck, Logic, Token};
use biscuit_auth::macros::{authorizer, biscuit, block};
use biscuit_auth::{AuthorizerLimits, Biscuit, BlockBuilder};
use chrono::{DateTime, Utc};
use std::time::{Duration, SystemTime};
use tisseco_application::auth::ports::{
    AccessClaims, AccessRequest, Principal, Restriction, TokenError, TokenService, VerifiedToken,
};
use tisseco_domain::{Role, UserId};
use uuid::Uuid;

/// A token's Datalog is tiny (~0.1 ms); the time limit only stops pathological attenuation
/// blocks, and is generous so that a loaded machine never turns a valid token into a 403.
const LIMITS: AuthorizerLimits = AuthorizerLimits {
    max_facts: 1_000,
    max_iterations: 100,
    max_time: Duration::from_secs(1),
};

/// How long a verified token is trusted without checking it again (never past its expiry).
const VERIFIED_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// Verified tokens remembered, per (token, required role, operation, tour).
const VERIFIED_CAPACITY: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Verdict {
    token: String,
    required: &'static str,
    operation: &'static str,
    tour: Option<Uuid>,
}

#[derive(Debug, Clone)]
struct Verified {
    token: VerifiedToken,
    until: DateTime<Utc>,
}

/// Issues and checks biscuit tokens with [`SigningKeys`]. A token that passed for a kind of
/// request is trusted for the same kind for a minute (signature checks dominate the cost of
/// an authenticated request); revocation is still checked by the caller every time.
#[derive(Debug)]
pub struct BiscuitTokens {
    keys: SigningKeys,
    verified: quick_cache::sync::Cache<Verdict, Verified>,
}

impl BiscuitTokens {
    #[must_use]
    pub fn new(keys: SigningKeys) -> Self {
        Self {
            keys,
            verified: quick_cache::sync::Cache::new(VERIFIED_CAPACITY),
        }
    }

    fn parse(&self, token: &str) -> Result<Biscuit, TokenError> {
        let token = token.trim();
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

    fn authorize(&self, token: &str, request: &AccessRequest) -> Result<VerifiedToken, TokenError> {
        let verdict = Verdict {
            token: token.trim().to_owned(),
            required: request.required.as_str(),
            operation: request.operation.as_str(),
            tour: request.tour,
        };
        if let Some(known) = self.verified.get(&verdict)
            && request.now < known.until
        {
            return Ok(known.token);
        }
        let biscuit = self.parse(token)?;
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
            .build(&biscuit)
            .map_err(internal)?;
        authorizer.authorize().map_err(refusal)?;
        let facts: Vec<(String, String, String)> = authorizer
            .query("holder($user, $role, $session) <- user($user), role($role), session($session)")
            .map_err(internal)?;
        let (user, role, session) = facts
            .into_iter()
            .next()
            .ok_or_else(|| internal("the token names no holder"))?;
        let principal = Principal {
            user_id: UserId(Uuid::parse_str(&user).map_err(internal)?),
            role: Role::parse(&role).map_err(internal)?,
            session_id: Uuid::parse_str(&session).map_err(internal)?,
        };
        let revocation_ids = biscuit
            .revocation_identifiers()
            .iter()
            .map(hex::encode)
            .collect();
        let verified = VerifiedToken {
            principal,
            revocation_ids,
        };
        // only unattenuated tokens: an appended block may hold checks of its own
        if biscuit.block_count() == 1 {
            let expiry: Vec<(SystemTime,)> = authorizer
                .query("expiry($t) <- expires($t)")
                .map_err(internal)?;
            if let Some((expires,)) = expiry.into_iter().next() {
                let until = DateTime::<Utc>::from(expires).min(request.now + VERIFIED_FOR);
                self.verified.insert(
                    verdict,
                    Verified {
                        token: verified.clone(),
                        until,
                    },
                );
            }
        }
        Ok(verified)
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

#[cfg(test)]
mod tests;
