//! What a token may contain before any Datalog runs. biscuit-auth checks its run limits
//! only between iterations, so one rule joining facts three ways ran for minutes inside a
//! single iteration. Tokens this server issues hold four facts and one check, and the
//! narrowings it makes add single-predicate checks: anything much larger is refused here,
//! in microseconds, which bounds every later evaluation.

use biscuit_auth::Biscuit;
use biscuit_auth::builder::{Check, Fact, Term};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tisseco_application::auth::ports::TokenError;

/// A token of ours is about 300 characters; seven narrowings add about 100 each.
pub const MAX_TOKEN_CHARS: usize = 4_096;
/// The authority block and up to seven narrowings.
pub const MAX_BLOCKS: usize = 8;
/// The authority block's `user`, `role`, `session` and `expires`; narrowings add none.
const AUTHORITY_FACTS: usize = 4;
const MAX_CHECKS: usize = 16;
const MAX_QUERIES_PER_CHECK: usize = 2;
/// With at most a dozen facts in the world, two predicates make at most ~150 pairs.
const MAX_PREDICATES_PER_QUERY: usize = 2;
const MAX_EXPRESSION_OPS_PER_QUERY: usize = 24;

/// Who a token speaks for, read from its authority block (signed by us).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    pub user: String,
    pub role: String,
    pub session: String,
    pub expires: SystemTime,
}

fn too_complex(what: &str) -> TokenError {
    TokenError::Unauthenticated(format!(
        "the token is refused: {what}; this server accepts only the tokens it issues and their narrowings"
    ))
}

/// Refuses a token too long to be one of ours, before it is even decoded.
///
/// # Errors
/// `Unauthenticated` when it is longer than [`MAX_TOKEN_CHARS`].
pub fn check_length(token: &str) -> Result<(), TokenError> {
    if token.len() > MAX_TOKEN_CHARS {
        return Err(too_complex("it is too long"));
    }
    Ok(())
}

/// Checks the blocks of a token whose signature is valid, and reads its authority.
///
/// # Errors
/// `Unauthenticated` when the token has too many blocks, holds rules or facts of its own,
/// or checks too large to evaluate cheaply.
pub fn inspect(biscuit: &Biscuit) -> Result<Authority, TokenError> {
    if biscuit.block_count() > MAX_BLOCKS {
        return Err(too_complex("it has too many blocks"));
    }
    // Building an authorizer only loads the blocks; nothing is evaluated until authorize().
    let loaded = biscuit_auth::AuthorizerBuilder::new()
        .build(biscuit)
        .map_err(|_| too_complex("its blocks cannot be read"))?;
    let (facts, rules, checks, _) = loaded.dump();
    if !rules.is_empty() {
        return Err(too_complex("it defines rules"));
    }
    if facts.len() > AUTHORITY_FACTS {
        return Err(too_complex("it adds facts"));
    }
    check_checks(&checks)?;
    authority(&facts).ok_or_else(|| too_complex("it does not name its holder"))
}

fn check_checks(checks: &[Check]) -> Result<(), TokenError> {
    if checks.len() > MAX_CHECKS {
        return Err(too_complex("it has too many checks"));
    }
    let heavy = checks.iter().any(|check| {
        check.queries.len() > MAX_QUERIES_PER_CHECK
            || check.queries.iter().any(|query| {
                query.body.len() > MAX_PREDICATES_PER_QUERY
                    || query.expressions.iter().map(|e| e.ops.len()).sum::<usize>()
                        > MAX_EXPRESSION_OPS_PER_QUERY
            })
    });
    if heavy {
        return Err(too_complex("a check is too large"));
    }
    Ok(())
}

fn authority(facts: &[Fact]) -> Option<Authority> {
    let single = |name: &str| {
        let mut matching = facts.iter().filter(|f| f.predicate.name == name);
        match (matching.next(), matching.next()) {
            (Some(fact), None) => fact.predicate.terms.first(),
            _ => None,
        }
    };
    let text = |name: &str| match single(name) {
        Some(Term::Str(value)) => Some(value.clone()),
        _ => None,
    };
    let expires = match single("expires") {
        Some(Term::Date(seconds)) => UNIX_EPOCH + Duration::from_secs(*seconds),
        _ => return None,
    };
    Some(Authority {
        user: text("user")?,
        role: text("role")?,
        session: text("session")?,
        expires,
    })
}
