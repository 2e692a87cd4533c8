//! Cost of checking a token, per request: parsing and verifying the signature, then the
//! Datalog policy; and of issuing and attenuating. Run with `just bench auth`.

use chrono::{Duration as Span, Utc};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tisseco_adapter_auth::{BiscuitTokens, SigningKeys};
use tisseco_application::auth::ports::{
    AccessClaims, AccessRequest, Operation, Principal, Restriction, TokenService,
};
use tisseco_domain::{Role, UserId};
use uuid::Uuid;

fn measure(label: &str, iterations: u32, mut work: impl FnMut()) -> Duration {
    for _ in 0..iterations / 10 {
        work();
    }
    let started = Instant::now();
    for _ in 0..iterations {
        work();
    }
    let each = started.elapsed() / iterations;
    println!(
        "{label:<44} {:>8.1} µs/op {:>10.0} ops/s",
        each.as_secs_f64() * 1e6,
        1.0 / each.as_secs_f64()
    );
    each
}

fn main() {
    let tokens = BiscuitTokens::new(SigningKeys::generate(1));
    let claims = AccessClaims {
        principal: Principal {
            user_id: UserId::generate(),
            role: Role::Manager,
            session_id: Uuid::now_v7(),
        },
        expires_at: Utc::now() + Span::minutes(15),
    };
    let token = tokens.issue(&claims).unwrap_or_default();
    let narrowed = tokens
        .attenuate(
            &token,
            &Restriction {
                read_only: true,
                ..Restriction::default()
            },
        )
        .unwrap_or_default();
    let request = AccessRequest {
        required: Role::Manager,
        operation: Operation::Read,
        tour: None,
        now: Utc::now(),
    };
    measure("issue", 2_000, || {
        black_box(tokens.issue(black_box(&claims)).is_ok());
    });
    let fresh_tokens: Vec<String> = (0..5_000)
        .map(|_| tokens.issue(&claims).unwrap_or_default())
        .collect();
    let mut next = fresh_tokens.iter().cycle();
    let first_sight = measure("verify, first sight (signature + shape)", 5_000, || {
        let token = next.next().map_or("", String::as_str);
        black_box(tokens.verify(black_box(token), request.now).is_ok());
    });
    // a new tour each time: never a remembered verdict
    let verify = measure("authorize (policy, signature remembered)", 5_000, || {
        let fresh = AccessRequest {
            tour: Some(Uuid::now_v7()),
            ..request.clone()
        };
        black_box(tokens.authorize(black_box(&token), &fresh).is_ok());
    });
    let remembered = measure("verify + authorize, both remembered", 50_000, || {
        black_box(tokens.verify(black_box(&token), request.now).is_ok());
        black_box(tokens.authorize(black_box(&token), &request).is_ok());
    });
    println!(
        "remembered / first sight + policy: {:.3}x",
        remembered.as_secs_f64() / (first_sight + verify).as_secs_f64()
    );
    let attenuated = measure("authorize an attenuated token (2 blocks)", 5_000, || {
        black_box(tokens.authorize(black_box(&narrowed), &request).is_ok());
    });
    println!(
        "attenuated / plain: {:.2}x",
        attenuated.as_secs_f64() / verify.as_secs_f64()
    );
    hostile::measure_worst_tokens(&tokens, &token, &request);
}

mod hostile;
