//! How long an optimiser may search: a cap on rounds (which makes a run reproducible)
//! and a time limit read from an injectable stopwatch (so tests never depend on time),
//! plus the small seeded random generator the searches draw from.

use std::time::{Duration, Instant};

/// Time since the search started.
pub trait Stopwatch {
    fn elapsed(&self) -> Duration;
}

impl Stopwatch for Instant {
    fn elapsed(&self) -> Duration {
        Instant::elapsed(self)
    }
}

/// A stopped clock that always shows the same time: a budget of rounds alone.
impl Stopwatch for Duration {
    fn elapsed(&self) -> Duration {
        *self
    }
}

/// When to stop improving: after `max_rounds` rounds or once `time` has passed on
/// `clock`, whichever comes first. The same input, seed and round cap give the same
/// answer; the time limit only cuts a search short on a slow or busy machine.
#[derive(Clone, Copy)]
pub struct Budget<'a> {
    pub max_rounds: u64,
    pub time: Duration,
    pub clock: &'a dyn Stopwatch,
}

impl std::fmt::Debug for Budget<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("max_rounds", &self.max_rounds)
            .field("time", &self.time)
            .finish_non_exhaustive()
    }
}

impl Budget<'_> {
    /// Whether a search that has done `rounds` rounds must stop now.
    #[must_use]
    pub fn spent(&self, rounds: u64) -> bool {
        rounds >= self.max_rounds || self.clock.elapsed() >= self.time
    }
}

/// SplitMix64: tiny, fast and good enough to pick perturbations; seeded, so reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: usize) -> usize {
        // The modulo bias is at most bound / 2^64: irrelevant here.
        (self.next_u64() % bound.max(1) as u64) as usize
    }
}
