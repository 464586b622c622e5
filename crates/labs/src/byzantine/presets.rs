//! The guided presets: three generals with one traitor (oral messages fail, signed ones
//! succeed), four with one traitor, seven with two, and the naive vote beside OM(2) under
//! the same two colluding traitors.

use super::checks::{DISAGREE_CHECK, DISOBEY_CHECK};
use super::LAB_ID;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{Time, MS};

/// `n` generals, OM(`m`), the order attack, 10 ms links and 100 ms rounds; `traitors` are
/// general numbers (1 is the commander S1).
pub fn scenario(seed: u64, n: u16, m: u16, traitors: &[i64], strategy: i64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, n)
        .with_param("rounds", i64::from(m))
        .with_param("strategy", strategy);
    for (k, &t) in traitors.iter().enumerate() {
        s = s.with_param(&format!("traitor_{}", k + 1), t);
    }
    s.network.link.latency = Latency::Constant { us: 10 * MS };
    s
}

/// When the lieutenants of OM(m) decide: after m + 2 rounds of 100 ms.
fn decide_at(rounds: u16) -> Time {
    Time::from(rounds + 1) * 100 * MS
}

const LIE: i64 = 0;
const SPLIT: i64 = 1;
const TABLE: i64 = 3;

/// S1 and S2, colluding: attack to S2–S5, retreat to S6 and S7.
fn colluders(algorithm: i64) -> Scenario {
    scenario(7, 7, 2, &[1, 2], TABLE)
        .with_param("algorithm", algorithm)
        .with_param("table_1", 0b11110)
        .with_param("table_2", 0b11110)
}

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "three-generals",
            title: "Three generals, one traitor",
            summary: "OM(1) with n = 3: a lying lieutenant makes a loyal one disobey.",
            scenario: scenario(1, 3, 1, &[3], LIE),
            duration_us: decide_at(2) + 100 * MS,
            chapters: vec![
                Chapter::at(0, "The commander S1 is loyal and orders attack. S3 is a traitor. In OM(1) each lieutenant passes on the order it got, then takes the majority of what it holds; a tie means retreat."),
                Chapter::at(10 * MS, "S3 tells S2 that S1 said retreat. S2 now holds attack (from S1) and retreat (from S3), and cannot tell which of the two lied."),
                Chapter::at(decide_at(2), "S2 has no majority and retreats against its loyal commander's order. With three generals one traitor is enough: n must exceed three times the traitors.").on_check(DISOBEY_CHECK),
            ],
        },
        Preset {
            id: "four-generals",
            title: "Four generals, one traitor",
            summary: "OM(1) with n = 4: the loyal lieutenants outvote the liar.",
            scenario: scenario(2, 4, 1, &[4], LIE),
            duration_us: decide_at(2) + 100 * MS,
            chapters: vec![
                Chapter::at(0, "Four generals: S1 orders attack, S4 is a traitor that reverses every order it relays."),
                Chapter::at(10 * MS, "Each lieutenant relays what it heard. S2 holds attack from S1, attack from S3 and retreat from S4."),
                Chapter::at(decide_at(2), "Two against one: every loyal lieutenant attacks. Try any traitor, any strategy: with n = 4 and one traitor, OM(1) always holds."),
            ],
        },
        Preset {
            id: "traitor-commander",
            title: "A traitor commander",
            summary: "S1 splits its order; OM(1) still brings the lieutenants together.",
            scenario: scenario(3, 4, 1, &[1], SPLIT),
            duration_us: decide_at(2) + 100 * MS,
            chapters: vec![
                Chapter::at(0, "Now the commander is the traitor: it orders attack to S2 and S4, retreat to S3."),
                Chapter::at(10 * MS, "The lieutenants compare notes: each relays exactly what S1 told it, so all three hold the same three orders."),
                Chapter::at(decide_at(2), "Same orders, same majority: all attack. Agreement (IC1) holds; IC2 says nothing, the commander being a traitor."),
            ],
        },
        Preset {
            id: "seven-generals",
            title: "Seven generals, two traitors",
            summary: "OM(2) with n = 7 survives two colluding traitors.",
            scenario: colluders(0),
            duration_us: decide_at(3) + 100 * MS,
            chapters: vec![
                Chapter::at(0, "Seven generals, two traitors working together: the commander S1 and S2. Both tell S2 to S5 attack and S6, S7 retreat. OM(2) relays twice: each order, and what everyone says about everyone's relays."),
                Chapter::at(20 * MS, "The second round of relays: each lieutenant's tree now has a level for what each general said the others said."),
                Chapter::at(decide_at(3), "Every level folds by majority; the loyal lieutenants all end on the same value. 7 > 3 × 2 and two rounds for two traitors: the theorem's bound is met."),
            ],
        },
        Preset {
            id: "naive-vote",
            title: "The naive 2/3 vote",
            summary: "One round of votes and a 2/3 threshold: two traitors split it.",
            scenario: colluders(2),
            duration_us: decide_at(2) + 100 * MS,
            chapters: vec![
                Chapter::at(0, "The same seven generals and the same two traitors, but a common shortcut instead of OM(2): everyone passes on the order once, and a lieutenant attacks if at least 2n/3 (here 4) of the six votes it holds say attack."),
                Chapter::at(10 * MS, "S3, S4 and S5 heard attack and S6, S7 retreat from S1; S2 tells the same story to everyone it talks to."),
                Chapter::at(decide_at(2), "S3 to S5 count four attacks and attack; S6 and S7 count three and hold back. A threshold on one round of votes is not Byzantine agreement.").on_check(DISAGREE_CHECK),
            ],
        },
        Preset {
            id: "signed-three",
            title: "Signed messages, three generals",
            summary: "SM(1): the traitor cannot alter a signed order.",
            scenario: scenario(4, 3, 1, &[3], LIE).with_param("algorithm", 1),
            duration_us: decide_at(2) + 100 * MS,
            chapters: vec![
                Chapter::at(0, "The three generals of the first scenario, with unforgeable signatures: S1 signs attack, and S3 must pass on S1's signature with whatever it relays."),
                Chapter::at(10 * MS, "S3 relays retreat, but S1's signature is on attack: S2 sees the forgery and throws it away."),
                Chapter::at(decide_at(2), "S2 saw one signed order, attack, and follows it. With signatures any number of generals above the traitors plus one will do."),
            ],
        },
    ]
}
