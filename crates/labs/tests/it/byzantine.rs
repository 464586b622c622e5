//! Byzantine generals: the reference results of Lamport, Shostak and Pease, "The Byzantine
//! Generals Problem" (ACM TOPLAS 4(3), 1982): OM(m) satisfies IC1 and IC2 with more than 3m
//! generals and at most m traitors (theorem 1), and no solution exists with three generals
//! and one traitor (section 3); SM(m) works for any number of generals with at most m
//! traitors (theorem 2). Exhaustive over every deterministic strategy where that is small
//! enough (n = 3 and 4: every message a traitor sends, chosen freely).

use crate::seed_note;
use failscope_labs::byzantine::*;
use failscope_labs::preset;
use failscope_sim::ids::NodeId;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::picture::PictureKind;
use failscope_sim::run::LabRun;
use failscope_sim::time::Time;
use failscope_sim::{Scenario, Simulation};
use std::collections::BTreeMap;

type Run = LabRun<Generals>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run::<Generals>(&ByzantineLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("byzantine", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn fired(run: &Run, check: usize) -> bool {
    run.invariants()[check].fired_at().is_some()
}

fn config(scenario: &Scenario) -> Config {
    Config::parse(&scenario.params, scenario.n_nodes).expect("valid")
}

/// IC1 and IC2 over one exchange's decisions.
fn ic1_ic2(config: &Config, decisions: &[bool]) -> (bool, bool) {
    let loyal: Vec<bool> = config
        .loyal_lieutenants()
        .map(|l| decisions[usize::from(l)])
        .collect();
    let ic1 = loyal.windows(2).all(|w| w[0] == w[1]);
    let ic2 = config.is_traitor(0) || loyal.iter().all(|&d| d == config.order);
    (ic1, ic2)
}

/// Every strategy of the traitors (each message they send chosen freely) for `n` generals,
/// OM(`m`), the traitors at `traitors` (node indices), both orders: how many strategies
/// there were and how many broke IC1 or IC2.
fn every_strategy(n: u16, m: u16, traitors: &[NodeId]) -> (u64, u64) {
    let (mut strategies, mut broken) = (0, 0);
    for order in [0, 1] {
        let mut s = scenario(1, n, m, &[], 0).with_param("order", order);
        for (k, &t) in traitors.iter().enumerate() {
            s = s.with_param(&format!("traitor_{}", k + 1), i64::from(t) + 1);
        }
        let config = config(&s);
        // The traitors' messages do not depend on what they are told (OM relays everything),
        // so one run finds every slot a traitor fills.
        let mut slots: BTreeMap<(NodeId, Vec<NodeId>, NodeId), u32> = BTreeMap::new();
        exchange_with(&config, &mut |sender, path, to, honest| {
            let next = slots.len() as u32;
            slots.entry((sender, path.to_vec(), to)).or_insert(next);
            honest
        });
        assert!(slots.len() <= 20, "{} slots", slots.len());
        for bits in 0u64..1 << slots.len() {
            let out = exchange_with(&config, &mut |sender, path, to, _| {
                bits >> slots[&(sender, path.to_vec(), to)] & 1 == 1
            });
            let (ic1, ic2) = ic1_ic2(&config, &out.decisions);
            strategies += 1;
            broken += u64::from(!(ic1 && ic2));
        }
    }
    (strategies, broken)
}

#[test]
fn three_generals_one_traitor_some_strategy_breaks_ic1_or_ic2() {
    for traitor in 0..3 {
        let (strategies, broken) = every_strategy(3, 1, &[traitor]);
        println!(
            "n = 3, OM(1), traitor S{}: {broken} of {strategies} strategies break IC1 or IC2",
            traitor + 1
        );
        if traitor == 0 {
            // A traitor commander cannot split two lieutenants who compare notes and retreat
            // on a tie; a traitor lieutenant can make one disobey the loyal commander.
            assert_eq!(broken, 0);
        } else {
            assert!(broken > 0);
        }
    }
}

#[test]
fn four_generals_one_traitor_every_strategy_satisfies_ic1_and_ic2() {
    let mut total = 0;
    for traitor in 0..4 {
        let (strategies, broken) = every_strategy(4, 1, &[traitor]);
        assert_eq!(broken, 0, "traitor S{}", traitor + 1);
        total += strategies;
    }
    println!("n = 4, OM(1), one traitor: all {total} strategies satisfy IC1 and IC2");
    assert_eq!(total, 2 * (8 + 3 * 4));
}

#[test]
fn seven_generals_two_traitors_every_table_strategy_satisfies_ic1_and_ic2() {
    // Every pair of traitors, both orders; every table of the first traitor (it tells each
    // general one value, whatever it heard) against the second's all-retreat and all-attack
    // tables: 21 × 2 × 64 × 2 runs; then the lie, split and random strategies, with 10
    // random keys. (Every pair of tables, 64 × 64, also holds but takes a minute unoptimised.)
    let mut runs = 0u64;
    for a in 1..=7i64 {
        for b in a + 1..=7 {
            for order in [0, 1] {
                let base = scenario(1, 7, 2, &[a, b], 3).with_param("order", order);
                for t1 in 0..64i64 {
                    for t2 in [0, 63i64] {
                        let s = base
                            .clone()
                            .with_param("table_1", t1 << 1)
                            .with_param("table_2", t2 << 1);
                        let c = config(&s);
                        let out = exchange(&c, |_| 0);
                        assert_eq!(
                            ic1_ic2(&c, &out.decisions),
                            (true, true),
                            "S{a} S{b} {t1} {t2}"
                        );
                        runs += 1;
                    }
                }
                for strategy in 0..3 {
                    let c = config(&base.clone().with_param("strategy", strategy));
                    for key in 0..10u64 {
                        let out = exchange(&c, |node| key * 31 + u64::from(node));
                        assert_eq!(
                            ic1_ic2(&c, &out.decisions),
                            (true, true),
                            "S{a} S{b} {strategy}"
                        );
                        runs += 1;
                    }
                }
            }
        }
    }
    println!("n = 7, OM(2), two traitors: IC1 and IC2 held in all {runs} runs");
}

#[test]
fn om_message_count_is_the_product_sum_for_every_n_and_m() {
    for n in 3..=10u16 {
        for m in 0..=(n - 2).min(3) {
            let c = config(&scenario(1, n, m, &[], 0));
            let out = exchange(&c, |_| 0);
            let (n64, m64) = (u64::from(n), u64::from(m));
            // (n−1) + (n−1)(n−2) + … + (n−1)(n−2)…(n−m−1)
            let mut expected = 0;
            for r in 1..=m64 + 1 {
                expected += (1..=r).map(|k| n64 - k).product::<u64>();
            }
            assert_eq!(out.per_round.iter().sum::<u64>(), expected, "n {n} m {m}");
            assert_eq!(out.per_round, om_messages_per_round(n64, m64));
            // The engine sends the same.
            let r = run(&scenario(1, n, m, &[], 0), 2 * failscope_sim::time::SECOND);
            let sent: u64 = (0..n)
                .map(|g| {
                    r.world()
                        .durable(g)
                        .unwrap()
                        .sent_per_round
                        .iter()
                        .sum::<u64>()
                })
                .sum();
            assert_eq!(sent, expected, "engine, n {n} m {m}");
        }
    }
}

#[test]
fn signed_messages_let_three_generals_survive_one_traitor() {
    // Every traitor position, both orders, each of the strategies and 20 random keys: SM(1)
    // with three generals keeps IC1 and IC2 (Lamport, Shostak, Pease, theorem 2).
    for traitor in 1..=3i64 {
        for order in [0, 1] {
            for strategy in 0..4 {
                for table in [0, 2, 4, 6] {
                    let s = scenario(1, 3, 1, &[traitor], strategy)
                        .with_param("algorithm", 1)
                        .with_param("order", order)
                        .with_param("table_1", table);
                    let c = config(&s);
                    for key in 0..20u64 {
                        let out = exchange(&c, |node| key ^ u64::from(node));
                        assert_eq!(
                            ic1_ic2(&c, &out.decisions),
                            (true, true),
                            "S{traitor} {strategy} {table}"
                        );
                    }
                }
            }
        }
    }
    // And the same traitor breaks oral messages.
    let r = preset_run("three-generals");
    assert!(fired(&r, DISOBEY) && !fired(&r, IC1) && !fired(&r, IC2));
    let r = preset_run("signed-three");
    assert!(!fired(&r, DISOBEY) && !fired(&r, IC2));
    assert_eq!(r.world().durable(1).unwrap().decided, Some(true));
}

#[test]
fn the_naive_vote_is_split_by_two_traitors_that_om2_survives() {
    let r = preset_run("naive-vote");
    let decided: Vec<Option<bool>> = (2..7)
        .map(|g| r.world().durable(g).unwrap().decided)
        .collect();
    assert_eq!(
        decided,
        [Some(true), Some(true), Some(true), Some(false), Some(false)]
    );
    assert!(fired(&r, DISAGREE));
    let r = preset_run("seven-generals");
    assert!(!fired(&r, DISAGREE) && !fired(&r, IC1) && !fired(&r, IC2));
    let decided: Vec<Option<bool>> = (2..7)
        .map(|g| r.world().durable(g).unwrap().decided)
        .collect();
    assert!(
        decided.windows(2).all(|w| w[0] == w[1] && w[0].is_some()),
        "{decided:?}"
    );
}

#[test]
fn the_presets_show_what_they_say() {
    let r = preset_run("four-generals");
    assert!((1..3).all(|g| r.world().durable(g).unwrap().decided == Some(true)));
    let r = preset_run("traitor-commander");
    let d: Vec<_> = (1..4)
        .map(|g| r.world().durable(g).unwrap().decided)
        .collect();
    assert_eq!(d, [Some(true); 3]);
    for p in ByzantineLab.presets() {
        let r = run(&p.scenario, p.duration_us);
        let c = config(&p.scenario);
        assert!(
            c.loyal_lieutenants()
                .all(|l| r.world().durable(l).unwrap().decided.is_some()),
            "{}: everyone decides in time",
            p.id
        );
        assert!(crate::lab_run::no_safety_violation(&r), "{}", p.id);
    }
}

#[test]
fn the_deliberate_bugs_break_ic1_and_ic2() {
    let with = |id: &str, bug: i64| {
        let p = preset("byzantine", id).unwrap();
        run(
            &p.scenario.clone().with_param(BUG_PARAM, bug),
            p.duration_us,
        )
    };
    let r = with("traitor-commander", 1);
    assert!(fired(&r, IC1));
    let r = with("signed-three", 2);
    assert!(fired(&r, IC2));
    assert_eq!(r.world().durable(1).unwrap().decided, Some(false));
}

#[test]
fn the_engine_and_the_in_memory_exchange_agree() {
    for seed in 0..60u64 {
        let mut rng = failscope_sim::rng::Rng::from_seed(seed);
        let n = 3 + rng.below(5) as u16;
        let m = rng.below(u64::from(n - 1).min(3)) as u16;
        let traitors: Vec<i64> = (0..1 + rng.below(2))
            .map(|_| 1 + rng.below(u64::from(n)) as i64)
            .collect();
        let s = scenario(seed, n, m, &traitors, rng.below(4) as i64)
            .with_param("table_1", rng.below(1024) as i64)
            .with_param("algorithm", rng.below(3) as i64);
        let c = config(&s);
        if c.strategy == Strategy::Random {
            continue;
        }
        let r = run(&s, 2 * failscope_sim::time::SECOND);
        let out = exchange(&c, |_| 0);
        for l in c.loyal_lieutenants() {
            assert_eq!(
                r.world().durable(l).unwrap().decided,
                Some(out.decisions[usize::from(l)]),
                "S{} {}",
                l + 1,
                seed_note(seed)
            );
        }
    }
}

#[test]
fn the_recursion_tree_folds_each_level_by_majority() {
    let r = preset_run("three-generals");
    let pictures = r.pictures();
    let tree = pictures
        .iter()
        .find(|p| p.id == "tree-s2")
        .expect("S2's tree");
    let PictureKind::Tree(tree) = &tree.kind else {
        panic!("tree")
    };
    assert_eq!(tree.root.value, "attack");
    assert_eq!(tree.root.fold.as_deref(), Some("majority: retreat"));
    assert_eq!(tree.root.children.len(), 1);
    assert_eq!(tree.root.children[0].label, "S1→S3");
    assert_eq!(tree.root.children[0].value, "retreat");
    let bars = pictures.iter().find(|p| p.id == "messages").unwrap();
    let PictureKind::Bars(bars) = &bars.kind else {
        panic!("bars")
    };
    assert_eq!(
        bars.bars.iter().map(|b| b.value).collect::<Vec<_>>(),
        [2, 2]
    );
}

#[test]
fn the_challenges_are_met_or_ruled_out_as_they_say() {
    let r = preset_run("three-generals");
    assert!(r.challenges()[0].achieved.is_some());
    let r = preset_run("four-generals");
    assert!(r.challenges().iter().all(|c| c.achieved.is_none()));
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    crate::refused(&scenario(1, 3, 2, &[], 0), "at most 1 rounds");
    crate::refused(&scenario(1, 4, 1, &[9], 0), "only 4 generals");
    let ran =
        crate::random_settings_never_panic(&ByzantineLab, 120, 2 * failscope_sim::time::SECOND);
    assert!(ran > 30, "{ran}");
    crate::lab_run::survives_changes_mid_run(&ByzantineLab);
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&ByzantineLab);
}
