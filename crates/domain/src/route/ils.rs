//! Iterated local search for a closed tour through every node of a symmetric matrix:
//! 2-opt and Or-opt moves found through each node's nearest neighbours (with
//! don't-look bits, so a kick is repaired in time proportional to what it broke), and
//! a local double-bridge kick (two short neighbouring segments swapped) to leave each
//! local optimum. A kicked tour is kept when it is no longer than the best.

use super::budget::{Budget, Rng};
use super::distance::DistanceMatrix;
use std::collections::VecDeque;

/// Gains smaller than this are rounding, not improvements (the reverse move has
/// exactly the opposite gain, so no pair of moves can loop).
const EPSILON: f64 = 1e-7;
/// Candidates per node: 10 nearest is the usual trade-off for 2-opt/Or-opt.
const NEIGHBOURS: usize = 10;
/// The longest segment a kick moves: kicks stay local, so repairs stay cheap.
const MAX_KICK_SEGMENT: usize = 30;

struct Search<'a> {
    d: &'a DistanceMatrix,
    n: usize,
    tour: Vec<usize>,
    pos: Vec<usize>,
    neighbours: Vec<usize>,
    k: usize,
    active: Vec<bool>,
    queue: VecDeque<usize>,
}

impl<'a> Search<'a> {
    fn new(d: &'a DistanceMatrix, tour: Vec<usize>) -> Self {
        let n = tour.len();
        let k = NEIGHBOURS.min(n.saturating_sub(1));
        let mut neighbours = Vec::with_capacity(n * k);
        let mut row: Vec<usize> = Vec::with_capacity(n);
        for a in 0..n {
            row.clear();
            row.extend((0..n).filter(|&b| b != a));
            let by_distance = |x: &usize, y: &usize| d.get(a, *x).total_cmp(&d.get(a, *y));
            if row.len() > k && k > 0 {
                row.select_nth_unstable_by(k - 1, by_distance);
                row.truncate(k);
            }
            row.sort_unstable_by(by_distance);
            neighbours.extend_from_slice(&row[..k]);
        }
        let mut search = Self {
            d,
            n,
            pos: vec![0; n],
            tour,
            neighbours,
            k,
            active: vec![false; n],
            queue: VecDeque::with_capacity(n),
        };
        search.refresh_positions();
        search
    }

    fn refresh_positions(&mut self) {
        for (i, &node) in self.tour.iter().enumerate() {
            self.pos[node] = i;
        }
    }

    fn set_tour(&mut self, tour: &[usize]) {
        self.tour.copy_from_slice(tour);
        self.refresh_positions();
    }

    fn length(&self) -> f64 {
        self.d.path_length(&self.tour, true)
    }

    fn succ(&self, a: usize) -> usize {
        self.tour[(self.pos[a] + 1) % self.n]
    }

    fn pred(&self, a: usize) -> usize {
        self.tour[(self.pos[a] + self.n - 1) % self.n]
    }

    fn activate(&mut self, nodes: &[usize]) {
        for &node in nodes {
            if !self.active[node] {
                self.active[node] = true;
                self.queue.push_back(node);
            }
        }
    }

    /// Reverses the path from node `from` forward to node `to`, or the rest of the loop
    /// when that is shorter (the same cycle either way).
    fn reverse(&mut self, from: usize, to: usize) {
        let n = self.n;
        let (mut i, mut j) = (self.pos[from], self.pos[to]);
        let mut len = (j + n - i) % n + 1;
        if 2 * len > n {
            (i, j, len) = ((j + 1) % n, (i + n - 1) % n, n - len);
        }
        for _ in 0..len / 2 {
            self.tour.swap(i, j);
            self.pos[self.tour[i]] = i;
            self.pos[self.tour[j]] = j;
            i = (i + 1) % n;
            j = (j + n - 1) % n;
        }
    }

    fn neighbours_of(&self, a: usize) -> &[usize] {
        &self.neighbours[a * self.k..(a + 1) * self.k]
    }

    /// The first improving 2-opt move that replaces an edge at `a`, applied.
    fn two_opt(&mut self, a: usize) -> bool {
        for forward in [true, false] {
            let b = if forward { self.succ(a) } else { self.pred(a) };
            let ab = self.d.get(a, b);
            for i in 0..self.k {
                let c = self.neighbours_of(a)[i];
                let ac = self.d.get(a, c);
                if ab - ac <= EPSILON {
                    break; // neighbours are sorted: no later one can gain
                }
                let e = if forward { self.succ(c) } else { self.pred(c) };
                if c == b || e == a {
                    continue;
                }
                let delta = ac + self.d.get(b, e) - ab - self.d.get(c, e);
                if delta < -EPSILON {
                    if forward {
                        self.reverse(b, c); // a b … c e → a c … b e
                    } else {
                        self.reverse(a, e); // b a … e c → b e … a c
                    }
                    self.activate(&[a, b, c, e]);
                    return true;
                }
            }
        }
        false
    }

    /// Whether `x` lies on the forward segment of `len` nodes starting at `s`.
    fn within(&self, x: usize, s: usize, len: usize) -> bool {
        (self.pos[x] + self.n - self.pos[s]) % self.n < len
    }

    /// The first improving Or-opt move of a segment of 1–3 nodes starting or ending at
    /// `a` to an edge near one of its ends (either way round), applied.
    fn or_opt(&mut self, a: usize) -> bool {
        for len in 1..=3 {
            if self.n < len + 3 {
                break;
            }
            for starts_at_a in [true, false] {
                let (mut s, mut e) = (a, a);
                for _ in 1..len {
                    if starts_at_a {
                        e = self.succ(e);
                    } else {
                        s = self.pred(s);
                    }
                }
                if self.try_move_segment(s, e, len) {
                    return true;
                }
                if len == 1 {
                    break; // a single node is the same segment both ways
                }
            }
        }
        false
    }

    fn try_move_segment(&mut self, s: usize, e: usize, len: usize) -> bool {
        let (p, nx) = (self.pred(s), self.succ(e));
        let removal = self.d.get(p, s) + self.d.get(e, nx) - self.d.get(p, nx);
        if removal <= EPSILON {
            return false;
        }
        for end in [s, e] {
            for i in 0..self.k {
                let c = self.neighbours_of(end)[i];
                if self.d.get(end, c) >= removal {
                    break;
                }
                if self.within(c, s, len) {
                    continue;
                }
                for (u, v) in [(c, self.succ(c)), (self.pred(c), c)] {
                    if self.within(u, s, len) || self.within(v, s, len) {
                        continue;
                    }
                    let uv = self.d.get(u, v);
                    let forward = self.d.get(u, s) + self.d.get(e, v) - uv;
                    let backward = self.d.get(u, e) + self.d.get(s, v) - uv;
                    if forward.min(backward) - removal < -EPSILON {
                        self.move_segment(s, e, len, u, backward < forward);
                        self.activate(&[p, nx, s, e, u, v]);
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Moves the segment s…e (`len` nodes) to just after `u`, reversed if asked.
    fn move_segment(&mut self, s: usize, e: usize, len: usize, u: usize, reversed: bool) {
        let start = self.pos[s];
        let mut segment: Vec<usize> = (0..len).map(|i| self.tour[(start + i) % self.n]).collect();
        if reversed {
            segment.reverse();
        }
        let after = self.pos[e] + 1;
        let mut next = Vec::with_capacity(self.n);
        for i in 0..self.n - len {
            let node = self.tour[(after + i) % self.n];
            next.push(node);
            if node == u {
                next.extend_from_slice(&segment);
            }
        }
        self.tour = next;
        self.refresh_positions();
    }

    fn local_search(&mut self) {
        while let Some(a) = self.queue.pop_front() {
            self.active[a] = false;
            while self.two_opt(a) || self.or_opt(a) {}
        }
    }

    /// Swaps two short neighbouring segments (a double bridge kept local) and wakes the
    /// nodes at the six edges it changed.
    fn kick(&mut self, rng: &mut Rng) {
        let n = self.n;
        let longest = MAX_KICK_SEGMENT.min((n - 2) / 2).max(1);
        let (first, second) = (1 + rng.below(longest), 1 + rng.below(longest));
        let start = rng.below(n);
        let at = |i: usize| self.tour[(start + i) % n];
        // A = [start], B = next `first` nodes, C = next `second` nodes, then the rest.
        let ends = [
            at(0),
            at(1),
            at(first),
            at(first + 1),
            at(first + second),
            at(first + second + 1),
        ];
        let mut next = Vec::with_capacity(n);
        next.push(at(0));
        next.extend((first + 1..=first + second).map(at));
        next.extend((1..=first).map(at));
        next.extend((first + second + 1..n).map(at));
        self.tour = next;
        self.refresh_positions();
        self.activate(&ends);
    }
}

/// Improves the closed tour `start` (every node of `d` once) until `budget` is spent.
/// Returns the best tour found and the number of kicks made.
pub(crate) fn improve_cycle(
    d: &DistanceMatrix,
    start: Vec<usize>,
    budget: &Budget<'_>,
    rng: &mut Rng,
) -> (Vec<usize>, u64) {
    if start.len() < 4 {
        return (start, 0);
    }
    let mut search = Search::new(d, start);
    let all: Vec<usize> = search.tour.clone();
    search.activate(&all);
    search.local_search();
    let mut best = search.tour.clone();
    let mut best_length = search.length();
    let mut rounds = 0;
    // Below 8 nodes a kick has no room and the local optimum is (nearly always) optimal.
    while search.n >= 8 && !budget.spent(rounds) {
        rounds += 1;
        search.kick(rng);
        search.local_search();
        let length = search.length();
        if length <= best_length + EPSILON {
            best.copy_from_slice(&search.tour);
            best_length = length;
        } else {
            search.set_tour(&best);
        }
    }
    (best, rounds)
}
