//! The worst tokens a holder can craft: one built to stall Datalog (refused by its shape)
//! and the heaviest one the shape limits still accept. Time per request and memory growth.

use biscuit_auth::{BlockBuilder, UnverifiedBiscuit};
use std::hint::black_box;
use std::time::Instant;
use tisseco_adapter_auth::BiscuitTokens;
use tisseco_application::auth::ports::{AccessRequest, TokenService};
use uuid::Uuid;

/// Resident memory of this process, in kilobytes.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4)
}

/// What any holder can do offline: append a block to a token (no key needed).
fn append(token: &str, code: &str) -> String {
    UnverifiedBiscuit::from_base64(token)
        .ok()
        .zip(BlockBuilder::new().code(code).ok())
        .and_then(|(parsed, block)| parsed.append(block).ok())
        .and_then(|t| t.to_base64().ok())
        .unwrap_or_default()
}

fn run(label: &str, tokens: &BiscuitTokens, token: &str, request: &AccessRequest) {
    let rounds = 1_000_u32;
    let before = rss_kb();
    let started = Instant::now();
    let mut refused = 0;
    for _ in 0..rounds {
        let fresh = AccessRequest {
            tour: Some(Uuid::now_v7()),
            ..request.clone()
        };
        let verdict = tokens
            .verify(black_box(token), fresh.now)
            .and_then(|_| tokens.authorize(black_box(token), &fresh));
        refused += u32::from(verdict.is_err());
    }
    let each = started.elapsed() / rounds;
    println!(
        "{label:<44} {:>8.1} µs/request, {refused}/{rounds} refused, {} chars, RSS +{} KB",
        each.as_secs_f64() * 1e6,
        token.len(),
        rss_kb().saturating_sub(before)
    );
}

pub fn measure_worst_tokens(tokens: &BiscuitTokens, parent: &str, request: &AccessRequest) {
    let mut stall: String = (0..120).map(|i| format!("n({i});")).collect();
    stall.push_str("p($x, $y, $z) <- n($x), n($y), n($z);");
    let attack = append(parent, &stall);
    run(
        "stalling token (120 facts, 3-way rule)",
        tokens,
        &attack,
        request,
    );
    // the heaviest shape allowed: seven narrowings, fifteen two-query two-predicate checks
    let heavy_check = r#"check if rank($a, $x), rank($b, $y), $x * $y + $x - $y >= 0, $a != "x", $b != "y" or role($r), rank($r, $n), $n > 0, $r.length() > 0;"#;
    let mut worst = parent.to_owned();
    for block in 0..7 {
        let checks = if block == 6 { 3 } else { 2 };
        let code = heavy_check.repeat(checks);
        let next = append(&worst, &code);
        if next.len() > 4_096 {
            break;
        }
        worst = next;
    }
    run("heaviest token the limits accept", tokens, &worst, request);
}
