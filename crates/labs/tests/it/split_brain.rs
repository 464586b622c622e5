//! Split brain's reference results. The partition {A, B} | {C, D, E} and the fenced storage
//! that answers “stale token 1 < 2” are the seeds' (shared/seeds, `QuorumBasedCluster` and
//! `FencedStorage`); that a majority quorum allows one leader per term is Raft's election
//! safety (Ongaro and Ousterhout, 2014, §5.2); fencing tokens are Kleppmann's (DDIA, ch. 8).

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::split_brain::*;
use failscope_sim::action::Action;
use failscope_sim::ids::NodeId;
use failscope_sim::lab::Lab;
use failscope_sim::rng::Rng;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::TraceKind;
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<SplitBrain>;

fn run(scenario: &Scenario, until: Time) -> Run {
    let mut run = LabRun::<SplitBrain>::new(&SplitBrainLab, scenario).expect("valid scenario");
    run.run_until(until);
    run
}

fn preset_run(id: &str) -> Run {
    let p = preset("split-brain", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn storage(run: &Run) -> &Durable {
    let w = run.world();
    w.durable(w.n_nodes() - 1).expect("storage")
}

/// The notes the nodes wrote, in order, with their times.
fn notes(run: &Run) -> Vec<(Time, String)> {
    run.trace()
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { text, .. } => Some((e.time, text.to_string())),
            _ => None,
        })
        .collect()
}

fn first_note(run: &Run, containing: &str) -> Option<Time> {
    notes(run)
        .into_iter()
        .find(|(_, text)| text.contains(containing))
        .map(|(t, _)| t)
}

fn fired(run: &Run, check: usize) -> bool {
    run.invariants()[check].fired_at().is_some()
}

fn accepted_tokens(run: &Run) -> Vec<u64> {
    storage(run)
        .disk
        .log
        .iter()
        .filter(|w| w.accepted)
        .map(|w| w.token)
        .collect()
}

#[test]
fn without_quorum_both_sides_write_and_storage_takes_both() {
    let run = preset_run("no-quorum");
    let disk = &storage(&run).disk;
    let writers: Vec<NodeId> = disk.log.iter().map(|w| w.author).collect();
    assert!(writers.contains(&0), "the old leader S1 writes");
    assert!(
        writers.iter().any(|&w| w >= 2),
        "a leader of the majority side writes"
    );
    assert!(disk.interleaved > 0, "conflicting writes");
    assert_eq!(disk.rejected, 0, "nothing refuses them");
    assert_eq!(
        run.metrics().custom("conflicting writes") as u64,
        disk.interleaved
    );
    assert!(fired(&run, ONE_WRITER));
    println!("no quorum: {} conflicting writes", disk.interleaved);
}

#[test]
fn with_fencing_the_old_leaders_retry_is_refused_with_stale_token_1_lt_2() {
    let run = preset_run("fencing");
    let refused = first_note(&run, "stale token 1 < 2").expect("the refusal");
    assert!(refused > SECOND && refused < 2 * SECOND, "{refused}");
    // The old leader wrote with token 1 before the new leader's first write (taken), and
    // its first try after it was refused.
    let tokens = accepted_tokens(&run);
    assert!(tokens.windows(2).all(|w| w[0] <= w[1]), "{tokens:?}");
    assert!(tokens.contains(&1) && tokens.contains(&2));
    let disk = &storage(&run).disk;
    assert_eq!(disk.interleaved, 0);
    assert!(disk.rejected >= 1);
    let refusal = disk.log.iter().find(|w| !w.accepted).unwrap();
    assert_eq!((refusal.author, refusal.token), (0, 1));
    assert!(!fired(&run, ONE_WRITER) && !fired(&run, FENCED_STORAGE));
    // S1 learns from the refusal and steps down.
    assert!(first_note(&run, "S1 steps down from term 1: storage").is_some());
}

#[test]
fn with_a_majority_quorum_the_minority_leader_steps_down_before_the_majority_elects() {
    let run = preset_run("majority-quorum");
    let down = first_note(&run, "S1 steps down from term 1").expect("S1 steps down");
    let elected = first_note(&run, "leads term 2").expect("term 2 has a leader");
    assert!(down < elected, "{down} < {elected}");
    assert!(!fired(&run, ONE_WRITER) && !fired(&run, ELECTION_SAFETY));
    assert_eq!(storage(&run).disk.interleaved, 0);
}

#[test]
fn with_stonith_the_old_leader_is_off_before_the_new_one_writes() {
    let run = preset_run("stonith");
    let off = first_note(&run, "S1 is powered off").expect("S1 is fenced");
    let disk = &storage(&run).disk;
    let first_new_write = disk
        .log
        .iter()
        .find(|w| w.token >= 2)
        .expect("new writes")
        .at;
    let last_old_write = disk.log.iter().rfind(|w| w.author == 0).unwrap().at;
    assert!(off < first_new_write && last_old_write < first_new_write);
    assert_eq!(disk.interleaved, 0);
    let w = run.world();
    assert_eq!(
        w.node_state(0).unwrap().member().unwrap().role,
        Role::PoweredOff
    );
    assert_eq!(
        w.node_state(1).unwrap().member().unwrap().role,
        Role::PoweredOff
    );
}

#[test]
fn a_witness_lets_two_servers_survive_losing_one() {
    let run = preset_run("witness");
    let elected = first_note(&run, "S2 leads term 2 with the votes of S2, S3").expect("S2 leads");
    assert!(elected < 2 * SECOND);
    assert!(
        !notes(&run).iter().any(|(_, t)| t.starts_with("S3 leads")),
        "a witness never leads"
    );
}

#[test]
fn an_even_split_leaves_nobody_in_charge_until_it_heals() {
    let run = preset_run("even-split");
    let first = first_note(&run, "leads term").expect("a leader after the heal");
    assert!(first > 3 * SECOND, "nobody leads before the heal: {first}");
    assert!(fired(&run, UNAVAILABLE));
    assert!(storage(&run).disk.log.iter().all(|w| w.at > 3 * SECOND));
}

/// A random partition of the five servers into two or three sides at a random moment,
/// healed a while later (storage and the fence agent stay reachable).
fn random_partition(mode: i64, seed: u64) -> Scenario {
    let mut rng = Rng::from_seed(seed ^ 0x5b1d);
    let n_groups = 2 + rng.below(2) as usize;
    let mut groups: Vec<Vec<NodeId>> = vec![Vec::new(); n_groups];
    for node in 0..5 {
        groups[rng.below(n_groups as u64) as usize].push(node);
    }
    groups.retain(|g| !g.is_empty());
    let at = 500 * MS + rng.below(1_500) * MS;
    let heal = at + SECOND + rng.below(2_000) * MS;
    let sides: Vec<&[NodeId]> = groups.iter().map(|g| &g[..]).collect();
    let mut s = preset("split-brain", "no-quorum").unwrap().scenario;
    s.faults.clear();
    s.seed = seed;
    split(s.with_param("mode", mode), at, &sides).with_fault(heal, Action::Heal)
}

const SWEEP_SEEDS: u64 = 200;
const SWEEP_US: Time = 6 * SECOND;

#[test]
fn with_majority_quorums_no_term_has_two_leaders_over_200_random_partitions() {
    for seed in 1..=SWEEP_SEEDS {
        for mode in [Mode::Majority, Mode::Fencing, Mode::Stonith] {
            let run = run(&random_partition(mode as i64, seed), SWEEP_US);
            assert!(
                !fired(&run, ELECTION_SAFETY),
                "{mode:?}; {}",
                seed_note(seed)
            );
        }
    }
}

#[test]
fn without_quorums_random_partitions_give_conflicting_writes() {
    let (mut seeds_with, mut total) = (0, 0);
    for seed in 1..=SWEEP_SEEDS {
        let run = run(&random_partition(Mode::NoQuorum as i64, seed), SWEEP_US);
        let conflicting = storage(&run).disk.interleaved;
        assert_eq!(
            conflicting > 0,
            fired(&run, ONE_WRITER),
            "{}",
            seed_note(seed)
        );
        seeds_with += u64::from(conflicting > 0);
        total += conflicting;
    }
    println!(
        "no quorum: conflicting writes in {seeds_with} of {SWEEP_SEEDS} seeds, {total} in all"
    );
    assert!(seeds_with > SWEEP_SEEDS / 4, "{seeds_with}");
}

#[test]
fn with_fencing_accepted_tokens_never_decrease_over_200_random_partitions() {
    let mut refused = 0;
    for seed in 1..=SWEEP_SEEDS {
        let run = run(&random_partition(Mode::Fencing as i64, seed), SWEEP_US);
        let tokens = accepted_tokens(&run);
        assert!(
            tokens.windows(2).all(|w| w[0] <= w[1]),
            "{tokens:?}; {}",
            seed_note(seed)
        );
        assert!(
            !fired(&run, FENCED_STORAGE) && !fired(&run, ONE_WRITER),
            "{}",
            seed_note(seed)
        );
        refused += storage(&run).disk.rejected;
    }
    println!("fencing: {refused} stale writes refused over {SWEEP_SEEDS} seeds");
    assert!(refused > 0, "the sweep does exercise fencing");
}

#[test]
fn with_a_majority_quorum_or_stonith_random_partitions_never_give_two_writers() {
    for seed in 1..=SWEEP_SEEDS {
        for mode in [Mode::Majority, Mode::Stonith] {
            let run = run(&random_partition(mode as i64, seed), SWEEP_US);
            assert_eq!(
                storage(&run).disk.interleaved,
                0,
                "{mode:?}; {}",
                seed_note(seed)
            );
        }
    }
}

/// The challenge: a paused leader wakes up and writes after its successor, without quorums;
/// with check-quorum before every write, the same pause makes it step down instead.
#[test]
fn a_frozen_leader_writes_after_its_successor_only_without_quorum() {
    let paused = |mode: Mode| {
        SplitBrainLab
            .default_scenario(4)
            .with_param("mode", mode as i64)
            .with_fault(
                SECOND,
                Action::Pause {
                    node: 0,
                    duration_us: 2 * SECOND,
                },
            )
    };
    let run_ = run(&paused(Mode::NoQuorum), 4 * SECOND);
    let challenge = run_.challenges().into_iter().next().unwrap();
    assert!(challenge.achieved.is_some());
    for mode in [Mode::Majority, Mode::Fencing] {
        let run_ = run(&paused(mode), 4 * SECOND);
        assert_eq!(storage(&run_).disk.interleaved, 0, "{mode:?}");
    }
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let lab = SplitBrainLab;
    let check = |s: Scenario, words: &str| {
        let err = failscope_labs::build(&s)
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains(words), "{err}");
    };
    check(
        lab.default_scenario(1).with_param("heartbeat_ms", 200),
        "quarter",
    );
    let mut tiny = lab.default_scenario(1);
    tiny.n_nodes = 4;
    check(tiny.with_param("witness", 1), "at least 5");
    check(lab.default_scenario(1).with_param("mode", 9), "mode");
}

/// Swarm: crashes (storage and the fence agent included), restarts, pauses, partitions and
/// drifting clocks; with majority elections no term ever has two leaders and fenced
/// storage never takes a lower token, and nothing panics.
#[test]
fn random_faults_break_no_safety_check_with_majority_elections() {
    let mut taken = 0;
    for seed in 0..60u64 {
        for mode in [Mode::Majority, Mode::Fencing, Mode::Stonith] {
            let mut rng = Rng::from_seed(seed);
            let mut s = SplitBrainLab
                .default_scenario(seed)
                .with_param("mode", mode as i64);
            crate::swarm::schedule_random_faults(&mut s, &mut rng, 10, 4 * SECOND, |rng, node| {
                Action::ClockDrift {
                    node,
                    ppm: rng.range_inclusive(0, 100_000) as i32 - 50_000,
                }
            });
            let run = run(&s, 6 * SECOND);
            assert!(
                !fired(&run, ELECTION_SAFETY) && !fired(&run, FENCED_STORAGE),
                "{mode:?}; {}",
                seed_note(seed)
            );
            taken += storage(&run).disk.accepted;
        }
    }
    assert!(taken > 60 * 3 * 10, "leaders do write: {taken}");
}

/// Every preset replays to the same trace, and seeking back and forth shows the same state.
#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    for p in SplitBrainLab.presets() {
        let a = run(&p.scenario, p.duration_us);
        let mut b = run(&p.scenario, p.duration_us);
        assert_eq!(a.trace().hash(), b.trace().hash(), "{}", p.id);
        let end = format!("{:?}", b.pictures());
        b.seek(p.duration_us / 2);
        b.seek(p.duration_us);
        assert_eq!(format!("{:?}", b.pictures()), end, "{}", p.id);
    }
}
