//! Token tests: what a token allows, and that narrowing only ever narrows.

use super::*;
use chrono::{Duration as Span, Utc};
use tisseco_application::auth::ports::Operation;

fn tokens() -> BiscuitTokens {
    BiscuitTokens::new(SigningKeys::generate(1))
}

fn claims(role: Role) -> AccessClaims {
    AccessClaims {
        principal: Principal {
            user_id: UserId::generate(),
            role,
            session_id: Uuid::now_v7(),
        },
        expires_at: Utc::now() + Span::minutes(15),
    }
}

/// As the application runs them: the cheap checks, then the policy.
fn check(
    tokens: &BiscuitTokens,
    token: &str,
    request: &AccessRequest,
) -> Result<VerifiedToken, TokenError> {
    let verified = tokens.verify(token, request.now)?;
    tokens.authorize(token, request)?;
    Ok(verified)
}

fn request(required: Role, operation: Operation) -> AccessRequest {
    AccessRequest {
        required,
        operation,
        tour: None,
        now: Utc::now(),
    }
}

#[test]
fn a_token_names_its_holder_and_allows_what_the_role_allows() {
    let tokens = tokens();
    let claims = claims(Role::Manager);
    let token = tokens.issue(&claims).unwrap();
    let verified = check(&tokens, &token, &request(Role::Manager, Operation::Write)).unwrap();
    assert_eq!(verified.principal, claims.principal);
    assert_eq!(verified.revocation_ids.len(), 1);
    assert!(check(&tokens, &token, &request(Role::Driver, Operation::Read)).is_ok());
    let admin_only = check(&tokens, &token, &request(Role::Admin, Operation::Read));
    assert!(
        matches!(admin_only, Err(TokenError::Forbidden(_))),
        "{admin_only:?}"
    );
}

#[test]
fn an_expired_token_is_unauthenticated() {
    let tokens = tokens();
    let token = tokens.issue(&claims(Role::Admin)).unwrap();
    let later = AccessRequest {
        now: Utc::now() + Span::minutes(16),
        ..request(Role::Driver, Operation::Read)
    };
    assert_eq!(
        check(&tokens, &token, &later).unwrap_err(),
        TokenError::Unauthenticated("the token has expired".into())
    );
}

#[test]
fn forged_foreign_and_malformed_tokens_are_unauthenticated() {
    let tokens = tokens();
    let foreign = BiscuitTokens::new(SigningKeys::generate(1))
        .issue(&claims(Role::Admin))
        .unwrap();
    let unknown_key_id = BiscuitTokens::new(SigningKeys::generate(7))
        .issue(&claims(Role::Admin))
        .unwrap();
    let mut tampered = tokens.issue(&claims(Role::Driver)).unwrap().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        foreign.as_str(),
        unknown_key_id.as_str(),
        tampered.as_str(),
        "not base64 at all!",
        "",
    ] {
        let result = check(&tokens, bad, &request(Role::Driver, Operation::Read));
        assert!(
            matches!(result, Err(TokenError::Unauthenticated(_))),
            "{bad}: {result:?}"
        );
    }
}

#[test]
fn previous_keys_still_verify_during_a_rotation() {
    let old = SigningKeys::generate(1);
    let old_token = BiscuitTokens::new(SigningKeys::from_hex(&old.private_hex(), 1, &[]).unwrap())
        .issue(&claims(Role::Driver))
        .unwrap();
    let new = SigningKeys::generate(2);
    let rotated = BiscuitTokens::new(
        SigningKeys::from_hex(&new.private_hex(), 2, &[old.public_entry()]).unwrap(),
    );
    assert!(
        check(
            &rotated,
            &old_token,
            &request(Role::Driver, Operation::Read)
        )
        .is_ok()
    );
    let fresh = rotated.issue(&claims(Role::Driver)).unwrap();
    assert!(check(&rotated, &fresh, &request(Role::Driver, Operation::Read)).is_ok());
}

#[test]
fn an_attenuated_token_never_does_more_than_its_parent() {
    let tokens = tokens();
    let parent = tokens.issue(&claims(Role::Manager)).unwrap();
    let read_only = tokens
        .attenuate(
            &parent,
            &Restriction {
                read_only: true,
                ..Restriction::default()
            },
        )
        .unwrap();
    assert!(
        check(
            &tokens,
            &read_only,
            &request(Role::Manager, Operation::Read)
        )
        .is_ok()
    );
    let write = check(
        &tokens,
        &read_only,
        &request(Role::Manager, Operation::Write),
    );
    assert!(matches!(write, Err(TokenError::Forbidden(_))), "{write:?}");
    let admin = check(&tokens, &read_only, &request(Role::Admin, Operation::Read));
    assert!(
        matches!(admin, Err(TokenError::Forbidden(_))),
        "attenuation adds no role"
    );

    // Appending facts cannot grant anything: such a token is refused before evaluation.
    let forged = Biscuit::from_base64(&parent, &tokens.keys)
        .unwrap()
        .append(block!(r#"role("admin");"#))
        .unwrap()
        .to_base64()
        .unwrap();
    let escalated = check(&tokens, &forged, &request(Role::Admin, Operation::Read));
    assert!(
        matches!(escalated, Err(TokenError::Unauthenticated(_))),
        "{escalated:?}"
    );

    // A later expiry than the parent's changes nothing.
    let longer = Restriction {
        expires_at: Some(Utc::now() + Span::days(30)),
        ..Restriction::default()
    };
    let extended = tokens.attenuate(&parent, &longer).unwrap();
    let later = AccessRequest {
        now: Utc::now() + Span::hours(1),
        ..request(Role::Driver, Operation::Read)
    };
    assert!(matches!(
        check(&tokens, &extended, &later),
        Err(TokenError::Unauthenticated(_))
    ));
    let derived_ids = check(&tokens, &read_only, &request(Role::Driver, Operation::Read))
        .unwrap()
        .revocation_ids;
    let parent_ids = check(&tokens, &parent, &request(Role::Driver, Operation::Read))
        .unwrap()
        .revocation_ids;
    assert_eq!(
        derived_ids[0], parent_ids[0],
        "revoking the parent revokes what derives from it"
    );
}

#[test]
fn a_driver_token_limited_to_one_tour_and_one_day() {
    let tokens = tokens();
    let parent = tokens.issue(&claims(Role::Driver)).unwrap();
    let tour = Uuid::now_v7();
    let until = Utc::now() + Span::minutes(10);
    let narrowed = tokens
        .attenuate(
            &parent,
            &Restriction {
                tour: Some(tour),
                expires_at: Some(until),
                read_only: false,
            },
        )
        .unwrap();
    let on_tour = AccessRequest {
        tour: Some(tour),
        ..request(Role::Driver, Operation::Write)
    };
    assert!(check(&tokens, &narrowed, &on_tour).is_ok());
    let other_tour = AccessRequest {
        tour: Some(Uuid::now_v7()),
        ..request(Role::Driver, Operation::Write)
    };
    assert!(matches!(
        check(&tokens, &narrowed, &other_tour),
        Err(TokenError::Forbidden(_))
    ));
    assert!(
        matches!(
            check(&tokens, &narrowed, &request(Role::Driver, Operation::Read)),
            Err(TokenError::Forbidden(_))
        ),
        "no tour, no access"
    );
    let too_late = AccessRequest {
        now: until + Span::minutes(1),
        ..on_tour
    };
    assert!(matches!(
        check(&tokens, &narrowed, &too_late),
        Err(TokenError::Unauthenticated(_))
    ));
}

#[test]
fn a_verified_token_is_remembered_per_kind_of_request_and_never_past_its_expiry() {
    let tokens = tokens();
    let mut claims = claims(Role::Manager);
    claims.expires_at = Utc::now() + Span::seconds(30);
    let token = tokens.issue(&claims).unwrap();
    let manager_write = request(Role::Manager, Operation::Write);
    let first = check(&tokens, &token, &manager_write).unwrap();
    let again = check(&tokens, &token, &manager_write).unwrap();
    assert_eq!(first.principal, again.principal);
    assert_eq!(tokens.verified.len(), 1, "one verdict remembered");

    // another kind of request is judged afresh, and refused
    let admin_only = check(&tokens, &token, &request(Role::Admin, Operation::Write));
    assert!(
        matches!(admin_only, Err(TokenError::Forbidden(_))),
        "{admin_only:?}"
    );

    // past the token's expiry the remembered verdict no longer counts
    let later = AccessRequest {
        now: Utc::now() + Span::seconds(31),
        ..manager_write
    };
    let expired = check(&tokens, &token, &later);
    assert!(
        matches!(expired, Err(TokenError::Unauthenticated(_))),
        "{expired:?}"
    );
}

#[test]
fn an_attenuated_token_is_never_remembered() {
    let tokens = tokens();
    let token = tokens.issue(&claims(Role::Manager)).unwrap();
    let read_only = tokens
        .attenuate(
            &token,
            &Restriction {
                read_only: true,
                ..Restriction::default()
            },
        )
        .unwrap();
    check(&tokens, &read_only, &request(Role::Driver, Operation::Read)).unwrap();
    assert_eq!(tokens.verified.len(), 0);
}

/// A genuine token with one more block holding `n` facts and a rule joining them three
/// ways: cubic work for Datalog (4 s and 500 MB at n = 120 before the shape limits).
fn stalling_token(tokens: &BiscuitTokens, parent: &str, n: usize) -> String {
    let mut source: String = (0..n).map(|i| format!("n({i});")).collect();
    source.push_str("p($x, $y, $z) <- n($x), n($y), n($z);");
    let block = BlockBuilder::new().code(source.as_str()).unwrap();
    Biscuit::from_base64(parent, &tokens.keys)
        .unwrap()
        .append(block)
        .unwrap()
        .to_base64()
        .unwrap()
}

fn narrowed_with(tokens: &BiscuitTokens, parent: &str, code: &str) -> String {
    let block = BlockBuilder::new().code(code).unwrap();
    Biscuit::from_base64(parent, &tokens.keys)
        .unwrap()
        .append(block)
        .unwrap()
        .to_base64()
        .unwrap()
}

#[test]
fn a_token_built_to_stall_the_server_is_refused_before_any_evaluation() {
    let tokens = tokens();
    let parent = tokens.issue(&claims(Role::Manager)).unwrap();
    // n = 900 ran for more than 15 minutes when evaluated: the test would hang, not pass.
    for n in [12, 120, 900] {
        let attack = stalling_token(&tokens, &parent, n);
        let started = std::time::Instant::now();
        let verified = tokens.verify(&attack, Utc::now());
        let policy = tokens.authorize(&attack, &request(Role::Driver, Operation::Read));
        let took = started.elapsed();
        assert!(
            matches!(verified, Err(TokenError::Unauthenticated(_))),
            "n = {n}: {verified:?}"
        );
        assert!(
            matches!(policy, Err(TokenError::Unauthenticated(_))),
            "n = {n}: {policy:?}"
        );
        // microseconds in practice; the issue's bound, far from any scheduling noise
        assert!(
            took < std::time::Duration::from_millis(50),
            "n = {n}: {took:?}"
        );
    }
}

#[test]
fn narrowings_beyond_what_this_server_makes_are_refused() {
    let tokens = tokens();
    let parent = tokens.issue(&claims(Role::Manager)).unwrap();
    let refused = [
        (
            "a rule",
            narrowed_with(&tokens, &parent, "q($x) <- user($x);"),
        ),
        ("a fact", narrowed_with(&tokens, &parent, "n(1);")),
        (
            "a three-way check",
            narrowed_with(
                &tokens,
                &parent,
                "check if rank($a, $x), rank($b, $y), rank($c, $z);",
            ),
        ),
    ];
    for (what, token) in refused {
        let result = tokens.verify(&token, Utc::now());
        assert!(
            matches!(&result, Err(TokenError::Unauthenticated(reason)) if reason.contains("refused")),
            "{what}: {result:?}"
        );
    }
    let mut long = parent.clone();
    for _ in 0..super::shape::MAX_BLOCKS {
        long = narrowed_with(&tokens, &long, r#"check if operation("read");"#);
    }
    let result = tokens.verify(&long, Utc::now());
    assert!(
        matches!(&result, Err(TokenError::Unauthenticated(reason)) if reason.contains("blocks")),
        "{result:?}"
    );
    let oversized = "A".repeat(super::shape::MAX_TOKEN_CHARS + 1);
    let result = tokens.verify(&oversized, Utc::now());
    assert!(
        matches!(&result, Err(TokenError::Unauthenticated(reason)) if reason.contains("too long")),
        "{result:?}"
    );
    // what /auth/attenuate makes still works, all three narrowings at once
    let narrowed = tokens
        .attenuate(
            &parent,
            &Restriction {
                read_only: true,
                expires_at: Some(Utc::now() + Span::minutes(5)),
                tour: Some(Uuid::now_v7()),
            },
        )
        .unwrap();
    assert!(tokens.verify(&narrowed, Utc::now()).is_ok());
}

#[test]
fn a_cached_narrowed_token_still_cannot_write_or_leave_its_tour() {
    let tokens = tokens();
    let parent = tokens.issue(&claims(Role::Driver)).unwrap();
    let tour = Uuid::now_v7();
    let narrowed = tokens
        .attenuate(
            &parent,
            &Restriction {
                read_only: true,
                tour: Some(tour),
                expires_at: None,
            },
        )
        .unwrap();
    let on_tour = AccessRequest {
        tour: Some(tour),
        ..request(Role::Driver, Operation::Read)
    };
    for _ in 0..3 {
        assert!(check(&tokens, &narrowed, &on_tour).is_ok());
        let write = AccessRequest {
            operation: Operation::Write,
            ..on_tour.clone()
        };
        assert!(matches!(
            check(&tokens, &narrowed, &write),
            Err(TokenError::Forbidden(_))
        ));
        let elsewhere = AccessRequest {
            tour: Some(Uuid::now_v7()),
            ..on_tour.clone()
        };
        assert!(matches!(
            check(&tokens, &narrowed, &elsewhere),
            Err(TokenError::Forbidden(_))
        ));
    }
}

#[test]
fn the_caches_stay_within_their_bound_and_count_hits() {
    let tokens = BiscuitTokens::with_cache(
        SigningKeys::generate(1),
        100,
        std::time::Duration::from_secs(60),
    );
    let read = request(Role::Driver, Operation::Read);
    for _ in 0..2_000 {
        let token = tokens.issue(&claims(Role::Manager)).unwrap();
        check(&tokens, &token, &read).unwrap();
    }
    // quick_cache keeps about its capacity (it admits by frequency, per shard)
    assert!(tokens.signed.len() <= 110, "{}", tokens.signed.len());
    assert!(tokens.verified.len() <= 110, "{}", tokens.verified.len());
    let token = tokens.issue(&claims(Role::Manager)).unwrap();
    check(&tokens, &token, &read).unwrap();
    let hits = tokens
        .counters
        .hits
        .load(std::sync::atomic::Ordering::Relaxed);
    check(&tokens, &token, &read).unwrap();
    assert_eq!(
        tokens
            .counters
            .hits
            .load(std::sync::atomic::Ordering::Relaxed),
        hits + 1
    );
}

#[test]
fn a_zero_ttl_turns_the_caches_off() {
    let tokens =
        BiscuitTokens::with_cache(SigningKeys::generate(1), 100, std::time::Duration::ZERO);
    let token = tokens.issue(&claims(Role::Manager)).unwrap();
    check(&tokens, &token, &request(Role::Driver, Operation::Read)).unwrap();
    assert_eq!((tokens.signed.len(), tokens.verified.len()), (0, 0));
}
