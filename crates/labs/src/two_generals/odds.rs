//! Exact odds for the chain protocol, for the pictures and the tests. With each messenger
//! captured with chance p, the chain delivers d messages and stops (p·(1−p)^d, or (1−p)^k
//! for all k); A then holds ⌊d/2⌋ of them and B ⌈d/2⌉. Floats only for display: nothing
//! here decides the run.

/// The chance that exactly `d` of `k` messages arrive.
pub fn delivered(k: u16, p: f64, d: u16) -> f64 {
    let q = 1.0 - p;
    let qd = (0..d).fold(1.0, |acc, _| acc * q);
    if d < k {
        qd * p
    } else {
        qd
    }
}

/// Whether (A, B) attack when `d` messages of the chain arrived.
pub fn attacks(rule_a: u16, rule_b: u16, d: u16) -> (bool, bool) {
    (d / 2 >= rule_a, d.div_ceil(2) >= rule_b)
}

/// The chance that exactly one general attacks.
pub fn disagreement(k: u16, p: f64, rule_a: u16, rule_b: u16) -> f64 {
    (0..=k)
        .filter(|&d| {
            let (a, b) = attacks(rule_a, rule_b, d);
            a != b
        })
        .map(|d| delivered(k, p, d))
        .sum()
}

/// A general's certainty that the other attacks, given what it has seen: `general` 0 (A)
/// holding `received` messages, or 1 (B). `None` if its view is impossible.
pub fn certainty(
    k: u16,
    p: f64,
    rule_a: u16,
    rule_b: u16,
    general: u16,
    received: u16,
) -> Option<f64> {
    let (mut both, mut all) = (0.0, 0.0);
    for d in 0..=k {
        let mine = if general == 0 { d / 2 } else { d.div_ceil(2) };
        if mine != received {
            continue;
        }
        let chance = delivered(k, p, d);
        let (a, b) = attacks(rule_a, rule_b, d);
        all += chance;
        if (general == 0 && b) || (general == 1 && a) {
            both += chance;
        }
    }
    (all > 0.0).then(|| both / all)
}

/// The natural rule for a chain of k: each general waits for every message sent to it.
pub fn natural_rule(k: u16) -> (u16, u16) {
    (k / 2, k.div_ceil(2))
}
