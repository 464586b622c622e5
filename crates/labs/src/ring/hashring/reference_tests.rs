//! The published behaviour of each algorithm, checked as tests with stated tolerances. Each
//! can fail: a broken lookup, a re-sorting bug, a biased hash or a wrong tie-break moves the
//! measured figures well outside the bands.

use super::hash::hash_key;
use super::jump::JumpHash;
use super::mod_n::ModN;
use super::placement::Placement;
use super::rendezvous::Rendezvous;
use super::ring::Ring;
use super::stats::{load_stats, moved};
use failscope_sim::rng::Rng;

const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// `n` distinct random node ids below 2^20, ascending.
fn random_members(rng: &mut Rng, n: usize) -> Vec<u32> {
    let mut ids = Vec::new();
    while ids.len() < n {
        let id = rng.below(1 << 20) as u32;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids
}

fn random_keys(rng: &mut Rng, n: usize) -> Vec<u64> {
    (0..n).map(|_| rng.next_u64()).collect()
}

/// A node id that is not in `members`.
fn fresh_id(rng: &mut Rng, members: &[u32]) -> u32 {
    loop {
        let id = rng.below(1 << 20) as u32;
        if !members.contains(&id) {
            return id;
        }
    }
}

/// The fraction of `keys` that move when one node is added, averaged over [`SEEDS`].
fn mean_moved_fraction(n: usize, keys_per_seed: usize, algorithm: &str) -> f64 {
    let mut total = 0.0;
    for seed in SEEDS {
        let mut rng = Rng::from_seed(seed ^ ((n as u64) << 32));
        let members = random_members(&mut rng, n);
        let keys = random_keys(&mut rng, keys_per_seed);
        let newcomer = fresh_id(&mut rng, &members);
        let count = match algorithm {
            "ring" => {
                let before = Ring::with_nodes(&members, 128).unwrap();
                let mut after = before.clone();
                after.add_node(newcomer).unwrap();
                moved(&before, &after, keys.iter().copied())
            }
            "rendezvous" => {
                let before = Rendezvous::with_nodes(&members).unwrap();
                let mut after = before.clone();
                after.add_node(newcomer).unwrap();
                moved(&before, &after, keys.iter().copied())
            }
            "jump" => {
                let before = JumpHash::new(n as u32).unwrap();
                let mut after = before.clone();
                after.add_node(n as u32).unwrap();
                moved(&before, &after, keys.iter().copied())
            }
            "mod-n" => {
                // The newcomer takes the next index (largest id), the kindest case for mod N.
                let before = ModN::with_nodes(&members).unwrap();
                let mut after = before.clone();
                after.add_node(members[n - 1] + 1).unwrap();
                moved(&before, &after, keys.iter().copied())
            }
            other => panic!("unknown algorithm {other}"),
        };
        total += count as f64 / keys_per_seed as f64;
    }
    total / SEEDS.len() as f64
}

#[test]
fn adding_a_node_moves_one_in_n_plus_one_keys_except_with_mod_n() {
    // Tolerances (relative to the expectation, on the mean over 5 seeds of 20,000 keys):
    // - ring, 128 vnodes: the newcomer's share has a relative spread of about 1/sqrt(128)
    //   (9%) per seed, 4% over 5 seeds: +-20% is about 5 standard deviations;
    // - rendezvous and jump: only key sampling noise (about 1.5%): +-8%;
    // - mod N: N/(N+1) with sampling noise below 0.2%: +-2%.
    for n in [4usize, 9, 19] {
        let consistent = 1.0 / (n as f64 + 1.0);
        for (algorithm, tolerance) in [("ring", 0.20), ("rendezvous", 0.08), ("jump", 0.08)] {
            let got = mean_moved_fraction(n, 20_000, algorithm);
            println!("{algorithm:>10} N={n:>2}: moved {got:.4}, expected {consistent:.4}");
            assert!(
                (got - consistent).abs() <= tolerance * consistent,
                "{algorithm}, N = {n}: moved {got:.4}, expected {consistent:.4} +-{tolerance}"
            );
        }
        let expected = n as f64 / (n as f64 + 1.0);
        let got = mean_moved_fraction(n, 20_000, "mod-n");
        println!("     mod-n N={n:>2}: moved {got:.4}, expected {expected:.4}");
        assert!(
            (got - expected).abs() <= 0.02 * expected,
            "mod N, N = {n}: moved {got:.4}, expected {expected:.4}"
        );
    }
}

#[test]
fn load_spread_shrinks_as_one_over_sqrt_vnodes() {
    // 20 nodes, 100,000 keys (5,000 per node: key-sampling noise adds cv ~0.014, which only
    // matters at 1000 vnodes, where the ring's own cv is ~0.032), averaged over 5 seeds.
    let vnode_counts = [1u32, 10, 100, 1000];
    let mut cvs = [0.0f64; 4];
    for seed in SEEDS {
        let mut rng = Rng::from_seed(seed);
        let members = random_members(&mut rng, 20);
        let keys = random_keys(&mut rng, 100_000);
        for (i, &vnodes) in vnode_counts.iter().enumerate() {
            let ring = Ring::with_nodes(&members, vnodes).unwrap();
            cvs[i] += load_stats(&ring, keys.iter().copied()).cv / SEEDS.len() as f64;
        }
    }
    println!("std/mean for 1, 10, 100, 1000 vnodes: {cvs:.4?}");
    assert!(cvs.windows(2).all(|w| w[0] > w[1]), "{cvs:?}");
    // 1/sqrt(vnodes) predicts a factor of 10 between 10 and 1000 vnodes; allow 6..16 (the
    // sampling noise above pulls it down towards ~9).
    let ratio = cvs[1] / cvs[3];
    assert!(
        (6.0..=16.0).contains(&ratio),
        "ratio {ratio:.2}, cvs {cvs:?}"
    );
    // With a single position per node the spread is of the order of the mean itself.
    assert!(cvs[0] > 0.5, "{cvs:?}");
}

#[test]
fn replicas_are_r_distinct_members() {
    let mut rng = Rng::from_seed(31337);
    for round in 0..40 {
        let n = 1 + rng.below(12) as usize;
        let members = random_members(&mut rng, n);
        let mut ring = Ring::new();
        for &m in &members {
            ring.add_node_weighted(m, 1 + rng.below(50) as u32).unwrap();
        }
        let placements: Vec<Box<dyn Placement>> = vec![
            Box::new(ring),
            Box::new(ModN::with_nodes(&members).unwrap()),
            Box::new(Rendezvous::with_nodes(&members).unwrap()),
            Box::new(JumpHash::new(n as u32).unwrap()),
        ];
        for p in &placements {
            let nodes = p.nodes();
            for _ in 0..200 {
                let key_hash = hash_key(rng.next_u64());
                let r = rng.below(16) as usize;
                let reps = p.replicas(key_hash, r);
                assert_eq!(reps.len(), r.min(n), "{} round {round}", p.name());
                let mut sorted = reps.clone();
                sorted.sort_unstable();
                sorted.dedup();
                assert_eq!(
                    sorted.len(),
                    reps.len(),
                    "{}: duplicates {reps:?}",
                    p.name()
                );
                assert!(reps.iter().all(|x| nodes.contains(x)), "{}", p.name());
                if r > 0 {
                    assert_eq!(reps.first().copied(), p.owner(key_hash), "{}", p.name());
                }
            }
        }
    }
}

/// Removes `victim` and checks that exactly the keys it owned moved, each to the node that
/// was its second replica.
fn check_removal_moves_only_owned_keys<P: Placement + Clone>(before: &P, victim: u32) {
    let mut after = before.clone();
    after.remove_node(victim).unwrap();
    let mut owned = 0;
    for key in 0..20_000u64 {
        let h = hash_key(key);
        let (was, now) = (before.owner(h), after.owner(h));
        if was == Some(victim) {
            owned += 1;
            assert_eq!(
                now,
                before.replicas(h, 2).get(1).copied(),
                "{}",
                before.name()
            );
        } else {
            assert_eq!(
                now,
                was,
                "{}: key {key} moved off a surviving node",
                before.name()
            );
        }
    }
    assert!(owned > 0, "{}: the victim owned no keys", before.name());
}

#[test]
fn removing_a_node_moves_only_its_keys() {
    let mut rng = Rng::from_seed(8);
    for _ in 0..5 {
        let members = random_members(&mut rng, 7);
        let victim = members[rng.index(members.len())];
        check_removal_moves_only_owned_keys(&Ring::with_nodes(&members, 100).unwrap(), victim);
        check_removal_moves_only_owned_keys(&Rendezvous::with_nodes(&members).unwrap(), victim);
    }
    // Jump hash can only lose its last bucket; its keys move, nobody else's do.
    let jump = JumpHash::new(7).unwrap();
    let mut smaller = jump.clone();
    smaller.remove_node(6).unwrap();
    for key in 0..20_000u64 {
        let h = hash_key(key);
        if jump.owner(h) != Some(6) {
            assert_eq!(smaller.owner(h), jump.owner(h));
        }
    }
    // Contrast: mod N re-maps keys of surviving nodes too.
    let before = ModN::with_nodes(&[1, 2, 3, 4, 5, 6, 7]).unwrap();
    let mut after = before.clone();
    after.remove_node(4).unwrap();
    let survivors_moved = (0..20_000u64)
        .map(hash_key)
        .filter(|&h| before.owner(h) != Some(4) && before.owner(h) != after.owner(h))
        .count();
    assert!(survivors_moved > 10_000, "{survivors_moved}");
}
