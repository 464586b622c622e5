//! Single-decree Paxos, against Lamport, "Paxos Made Simple" (2001): a value is chosen in
//! two round trips (§2.2, phases 1 and 2); once chosen, a later proposer must adopt it from
//! the promises (P2c); 2f+1 acceptors survive f crashes but not f+1; and two proposers can
//! keep overtaking each other so that nothing is ever chosen (§2.4, "Progress"), which
//! randomized backoff ends. The checks fire on each deliberate bug.

use crate::seed_note;
use failscope_labs::paxos::*;
use failscope_labs::preset;
use failscope_sim::action::Action;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::network::Latency;
use failscope_sim::picture::PictureKind;
use failscope_sim::rng::Rng;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::TraceKind;
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Paxos>;

fn run(scenario: &Scenario, until: Time) -> Run {
    let mut run = LabRun::<Paxos>::new(&PaxosLab, scenario).expect("valid scenario");
    run.run_until(until);
    run
}

fn preset_run(id: &str) -> Run {
    let p = preset("paxos", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn with_bug(id: &str, bug: i64) -> Run {
    let p = preset("paxos", id).expect("preset exists");
    run(
        &p.scenario.clone().with_param(BUG_PARAM, bug),
        p.duration_us,
    )
}

fn first_note(run: &Run, containing: &str) -> Option<Time> {
    run.trace().events().iter().find_map(|e| match &e.kind {
        TraceKind::Note { text, .. } if text.contains(containing) => Some(e.time),
        _ => None,
    })
}

fn fired_at(run: &Run, check: usize) -> Option<Time> {
    run.invariants()[check].fired_at()
}

fn no_safety_violation(run: &Run) -> bool {
    [ONE_VALUE, VALIDITY, NO_UNLEARN]
        .iter()
        .all(|&c| fired_at(run, c).is_none())
}

/// The value the (first) learner has learned.
fn learned(run: &Run) -> Option<Value> {
    let w = run.world();
    w.node_state(w.n_nodes() - 1)?
        .learner()?
        .learned
        .map(|l| l.1)
}

type Value = u8;

/// §2.2: prepare/promise, then accept/accepted: the learner knows A after four one-way
/// delays of 10 ms, with 3 + 3 + 3 + 6 messages.
#[test]
fn one_proposer_chooses_in_two_round_trips() {
    let run = preset_run("one-proposer");
    assert_eq!(
        fired_at(&run, DECIDED),
        Some(30 * MS),
        "chosen at the second acceptance"
    );
    assert_eq!(first_note(&run, "S5 learns A"), Some(40 * MS));
    assert_eq!(first_note(&run, "S1 knows A is chosen"), Some(40 * MS));
    assert_eq!(run.world().metrics().messages_sent, 15);
    assert_eq!(learned(&run), Some(1));
    assert!(no_safety_violation(&run));
}

/// §2.4: "two proposers each keep issuing a sequence of proposals with increasing numbers,
/// none of which are ever chosen". Nothing crashes and nothing is lost.
#[test]
fn duelling_proposers_without_backoff_choose_nothing_for_ten_seconds() {
    let run = preset_run("duel");
    assert_eq!(fired_at(&run, DECIDED), None, "nothing is chosen");
    let duel = fired_at(&run, DUEL).expect("the livelock is observed");
    assert!((DUEL_US..DUEL_US + 50 * MS).contains(&duel), "{duel}");
    let tries: Vec<u32> = (0..2)
        .map(|p| run.world().node_state(p).unwrap().proposer().unwrap().tries)
        .collect();
    assert!(tries.iter().all(|&t| t > 200), "{tries:?}");
    assert_eq!(run.world().metrics().messages_dropped, 0);
    assert!(no_safety_violation(&run));
    println!("duel: {tries:?} ballots in 10.5 s, nothing chosen");
}

/// Randomized backoff ends the duel, in every one of 200 seeds, well within the preset.
#[test]
fn backoff_ends_the_duel_in_every_seed() {
    let mut worst = 0;
    for seed in 0..200 {
        let mut s = duel(true);
        s.seed = seed;
        let run = run(&s, 2 * SECOND);
        let at = fired_at(&run, DECIDED).unwrap_or_else(|| panic!("{}", seed_note(seed)));
        assert!(no_safety_violation(&run), "{}", seed_note(seed));
        worst = worst.max(at);
    }
    println!(
        "backoff: chosen by {} ms at worst over 200 seeds",
        worst / MS
    );
    assert!(worst < 600 * MS, "{worst}");
}

/// P2c: a proposer whose majority of promises reports A accepted in 1.S1 must propose A.
#[test]
fn a_latecomer_adopts_the_value_carried_by_the_promises() {
    let run = preset_run("late-proposer");
    assert_eq!(
        first_note(
            &run,
            "S2 adopts A from S3's promise (accepted in ballot 1.S1)"
        ),
        Some(220 * MS)
    );
    let promise =
        run.trace().events().iter().any(|e| {
            matches!(e.kind, TraceKind::Deliver { kind: 1, to: 1, .. }) && e.time == 220 * MS
        });
    assert!(promise, "S2 reads the promises at 220 ms");
    assert_eq!(
        first_note(&run, "S2 knows A is chosen (ballot 1.S2)"),
        Some(240 * MS)
    );
    assert_eq!(learned(&run), Some(1));
    assert!(no_safety_violation(&run));
}

/// 2f+1 acceptors tolerate f crashes: with 5, two down still decide, three down do not.
#[test]
fn two_of_five_acceptors_down_decides_three_do_not() {
    let two = preset_run("two-down");
    assert_eq!(fired_at(&two, DECIDED), Some(30 * MS));
    assert_eq!(learned(&two), Some(1));
    let three = preset_run("three-down");
    assert_eq!(fired_at(&three, DECIDED), None);
    assert_eq!(learned(&three), None);
    let tries = three
        .world()
        .node_state(0)
        .unwrap()
        .proposer()
        .unwrap()
        .tries;
    assert!(tries >= 4, "S1 keeps trying: {tries}");
    assert!(no_safety_violation(&two) && no_safety_violation(&three));
}

/// Promises and accepted values on disk survive a restart: the old ballot 1.S1 is refused
/// and S1 ends up proposing B, already chosen.
#[test]
fn acceptors_keep_their_promises_across_a_restart() {
    let run = preset_run("restart");
    assert_eq!(learned(&run), Some(2), "B");
    assert!(first_note(&run, "S1 is preempted: S3 has promised 1.S2").is_some());
    assert!(first_note(&run, "S1 adopts B").is_some());
    assert!(first_note(&run, "accepts A").is_none(), "nobody accepts A");
    assert!(no_safety_violation(&run));
}

/// Each deliberate bug makes its check fire, and says what it saw.
#[test]
fn each_deliberate_bug_is_caught() {
    let cases: &[(&str, i64, usize, &str)] = &[
        (
            "restart",
            1,
            ONE_VALUE,
            "B was chosen in ballot 1.S2, and now S3, S4 accept A in ballot 1.S1",
        ),
        (
            "restart",
            2,
            ONE_VALUE,
            "B was chosen in ballot 1.S2, and now S3, S4 accept A in ballot 1.S1",
        ),
        (
            "late-proposer",
            3,
            ONE_VALUE,
            "A was chosen in ballot 1.S1, and now S3, S4 accept B in ballot 1.S2",
        ),
        (
            "one-proposer",
            4,
            VALIDITY,
            "∅ is chosen in ballot 1.S1, but no proposer proposed it",
        ),
        (
            "restart",
            5,
            NO_UNLEARN,
            "S6 had learned B and now knows nothing",
        ),
    ];
    for &(id, bug, check, detail) in cases {
        let run = with_bug(id, bug);
        let v = run.invariants()[check].status.first_violation.clone();
        let v = v.unwrap_or_else(|| panic!("bug {bug} in {id}: check {check} should fire"));
        assert_eq!(v.detail, detail, "bug {bug}");
        println!("bug {bug} in {id}: {} at {} ms", v.detail, v.time / MS);
    }
}

/// Swarm over 200 seeds: two or three proposers on jittery links with loss, duplication,
/// crashes, restarts, pauses and partitions: no safety check fires, ever.
#[test]
fn random_faults_never_choose_two_values_over_200_seeds() {
    let mut decided = 0;
    for seed in 0..200u64 {
        let mut rng = Rng::from_seed(seed);
        let proposers = 2 + (seed % 2) as u16;
        let acceptors = 3 + 2 * (seed % 3) as u16;
        let mut s = Scenario::new("paxos", seed, proposers + acceptors + 1)
            .with_param("proposers", i64::from(proposers))
            .with_param("backoff", (seed % 4 != 0) as i64);
        s.network.link.latency = Latency::Uniform {
            min_us: 5 * MS,
            max_us: 30 * MS,
        };
        s.network.link.loss_ppm = 50_000;
        s.network.link.duplicate_ppm = 50_000;
        crate::swarm::schedule_random_faults(&mut s, &mut rng, 8, SECOND, |rng, node| {
            Action::Pause {
                node,
                duration_us: rng.range_inclusive(1, 200) * MS,
            }
        });
        let run = run(&s, 3 * SECOND);
        assert!(no_safety_violation(&run), "{}", seed_note(seed));
        decided += u32::from(fired_at(&run, DECIDED).is_some());
    }
    println!("random faults: {decided} of 200 seeds chose a value");
    assert!(decided > 150, "most runs decide once healed: {decided}");
}

#[test]
fn the_grid_shows_the_chosen_column_and_the_banner() {
    let run = preset_run("late-proposer");
    let pictures = run.pictures();
    let p = pictures
        .iter()
        .find(|p| p.id == "ballots")
        .expect("the grid");
    assert!(p.primary);
    assert_eq!(p.title, "Chosen: A (learned by S6)");
    let PictureKind::Grid(grid) = &p.kind else {
        panic!("a grid")
    };
    assert_eq!(grid.rows, ["S3", "S4", "S5"]);
    assert_eq!(grid.columns, ["1.S1", "1.S2"]);
    for row in 0..3 {
        for col in 0..2 {
            let cell = grid.cell(row, col).expect("every acceptor took part");
            assert_eq!(
                (cell.text.as_str(), cell.solid, cell.highlight),
                ("A", true, true)
            );
        }
    }
    let duel = preset_run("duel");
    let pictures = duel.pictures();
    let PictureKind::Grid(grid) = &pictures[0].kind else {
        panic!("a grid")
    };
    assert_eq!(grid.columns.len(), 8, "the newest ballots");
    assert!(grid.cells.iter().flatten().all(|c| !c.highlight));
    assert_eq!(
        pictures[0].title,
        "Acceptors and ballots: nothing learned yet"
    );
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let check = |s: Scenario, words: &str| crate::refused(&s, words);
    let mut few = PaxosLab.default_scenario(1).with_param("proposers", 3);
    few.n_nodes = 6;
    check(few, "3 to 9 of them are acceptors");
    let mut many = PaxosLab.default_scenario(1);
    many.n_nodes = 14;
    check(many, "3 to 9 of them are acceptors");
    check(
        PaxosLab.default_scenario(1).with_param("proposers", 0),
        "proposers",
    );
    check(
        PaxosLab.default_scenario(1).with_param("backoff_ms", 0),
        "backoff_ms",
    );
    // Acting on crashed nodes is fine: crash a proposer twice, restart an acceptor that is up.
    let mut s = PaxosLab.default_scenario(3);
    s = s
        .with_fault(5 * MS, Action::Crash { node: 0 })
        .with_fault(6 * MS, Action::Crash { node: 0 })
        .with_fault(7 * MS, Action::Restart { node: 3 });
    let r = run(&s, SECOND);
    assert!(no_safety_violation(&r));
}

/// Every preset replays to the same trace, and seeking back and forth shows the same state.
#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::presets_replay_exactly(&PaxosLab, 11 * SECOND);
}

#[test]
fn random_settings_are_refused_or_run_without_panicking() {
    let ran = crate::random_settings_never_panic(&PaxosLab, 150, 2 * SECOND);
    println!("{ran} of 150 ran");
    assert!(ran > 30, "{ran} of 150 ran");
}
