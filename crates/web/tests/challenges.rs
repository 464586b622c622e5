//! The challenges checklist, run in headless Chromium by wasm-bindgen-test: the sentences,
//! the explanation of an impossible challenge, the tick when a run achieves one, and the
//! live announcement.
#![cfg(target_arch = "wasm32")]

use failscope_sim::challenge::bug_in_force;
use failscope_sim::time::{MS, SECOND};
use failscope_sim::Simulation;
use failscope_web::components::challenges::{
    ChallengeAnnouncer, ChallengeAnnouncerProps, Challenges, ChallengesProps,
};
use failscope_web::lab_page::{LabPage, LabPageProps, Source};
use wasm_bindgen_test::*;
use yew::Callback;

mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The Raft split-votes preset, optionally with the deliberate bug "vote twice in a term".
fn raft_run(bug: bool) -> Box<dyn Simulation> {
    let scenario = failscope_labs::preset("raft", "split-votes")
        .expect("preset")
        .scenario
        .with_param("bug", i64::from(bug));
    failscope_labs::build(&scenario).expect("valid")
}

fn props_of(sim: &dyn Simulation) -> ChallengesProps {
    ChallengesProps {
        reports: sim.challenges(),
        bug: bug_in_force(sim.lab(), sim.params()),
        on_action: Callback::noop(),
    }
}

#[wasm_bindgen_test]
async fn a_challenge_about_another_mode_says_so_and_does_not_tick() {
    // Three-phase commit split by a partition breaks atomicity, which the challenge calls
    // impossible for two-phase commit: here it is shown as about that mode, not as achieved.
    let preset =
        failscope_labs::preset("two-phase-commit", "three-phase-partition").expect("preset");
    let mut sim = failscope_labs::build(&preset.scenario).expect("valid");
    sim.run_until(preset.duration_us);
    let host = mount_point();
    yew::Renderer::<Challenges>::with_root_and_props(host.clone(), props_of(&*sim)).render();
    yew::scheduler::flush().await;
    assert_eq!(
        attribute(&host, "[data-testid=challenge-split-outcome]", "data-state").as_deref(),
        Some("elsewhere")
    );
    assert!(
        text(&host, "[data-testid=challenge-elsewhere-split-outcome]")
            .starts_with("About two-phase commit")
    );
    assert_eq!(
        count(&host, "[data-testid=challenge-achieved-split-outcome]"),
        0
    );
}

#[wasm_bindgen_test]
async fn the_checklist_shows_every_sentence_and_why_the_impossible_is_impossible() {
    let mut sim = raft_run(false);
    sim.run_until(SECOND);
    let host = mount_point();
    yew::Renderer::<Challenges>::with_root_and_props(host.clone(), props_of(&*sim)).render();
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "li.challenge"), 2);
    for spec in sim.lab().challenges() {
        let item = format!("[data-testid=challenge-{}]", spec.id);
        assert!(text(&host, &item).contains(spec.sentence), "{}", spec.id);
    }
    assert_eq!(
        attribute(&host, "[data-testid=challenge-two-leaders]", "data-state").as_deref(),
        Some("impossible")
    );
    assert!(text(&host, "[data-testid=challenge-why-two-leaders]")
        .starts_with("Impossible by design: election safety"));
    assert!(text(&host, "[data-testid=challenge-bug-two-leaders]").contains("vote twice in a term"));
    assert_eq!(
        attribute(&host, "[data-testid=challenge-no-leader]", "data-state").as_deref(),
        Some("open")
    );
    assert_eq!(count(&host, "[data-testid^=challenge-achieved-]"), 0);
    assert!(text(&host, "[data-testid=challenges-summary]").starts_with("0 of 2 achieved"));
}

#[wasm_bindgen_test]
async fn a_challenge_ticks_when_the_run_achieves_it_and_is_announced() {
    let mut sim = raft_run(true);
    sim.run_until(100 * MS);
    let host = mount_point();
    let mut list =
        yew::Renderer::<Challenges>::with_root_and_props(host.clone(), props_of(&*sim)).render();
    let live_host = mount_point();
    let mut live = yew::Renderer::<ChallengeAnnouncer>::with_root_and_props(
        live_host.clone(),
        ChallengeAnnouncerProps {
            reports: sim.challenges(),
        },
    )
    .render();
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "[data-testid^=challenge-achieved-]"), 0);
    assert!(
        text(&host, "[data-testid=challenge-two-leaders]").contains("That bug is on in this run.")
    );
    assert_eq!(text(&live_host, "[data-testid=challenge-live]"), "");
    assert_eq!(
        attribute(&live_host, "[data-testid=challenge-live]", "aria-live").as_deref(),
        Some("polite")
    );

    // With every server voting for every candidate, two win the same term.
    sim.run_until(2 * SECOND);
    let achieved = sim.challenges()[0].achieved.clone().expect("achieved");
    list.update(props_of(&*sim));
    live.update(ChallengeAnnouncerProps {
        reports: sim.challenges(),
    });
    yew::scheduler::flush().await;
    assert_eq!(
        attribute(&host, "[data-testid=challenge-two-leaders]", "data-state").as_deref(),
        Some("achieved")
    );
    let shown = text(&host, "[data-testid=challenge-achieved-two-leaders]");
    assert!(
        shown.starts_with(&format!(
            "Achieved at {}",
            failscope_web::session::format_time(achieved.time)
        )),
        "{shown}"
    );
    assert!(shown.contains(&achieved.detail), "{shown}");
    assert!(text(&host, "[data-testid=challenges-summary]").starts_with("1 of 2 achieved"));
    assert_eq!(
        text(&live_host, "[data-testid=challenge-live]"),
        "Challenge achieved: Make two servers lead the same term."
    );

    // Rewind: the tick goes away with the run's past.
    sim.seek(achieved.time - 1);
    list.update(props_of(&*sim));
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "[data-testid^=challenge-achieved-]"), 0);
}

#[wasm_bindgen_test]
async fn the_lab_page_has_a_challenges_tab() {
    let host = mount_point();
    let props = LabPageProps {
        source: Source::Lab {
            lab: "replication".into(),
            preset: None,
            seed: None,
        },
        history: None,
        embed: false,
        embed_options: Default::default(),
        autoplay: false,
        on_home: Callback::noop(),
        on_preset: Callback::noop(),
    };
    yew::Renderer::<LabPage>::with_root_and_props(host.clone(), props).render();
    yew::scheduler::flush().await;
    assert_eq!(
        count(&host, "[data-testid=challenge-live]"),
        1,
        "always announced"
    );
    assert_eq!(count(&host, "[data-testid=challenges]"), 0);
    click(&host, "[data-testid=tab-challenges]");
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "[data-testid=challenges] li.challenge"), 2);
    assert_eq!(count(&host, "[data-testid=challenge-stale-read]"), 1);
    assert_eq!(count(&host, "[data-testid=challenge-lost-write]"), 1);
}

#[wasm_bindgen_test]
async fn a_lab_without_challenges_says_so() {
    let host = mount_point();
    yew::Renderer::<Challenges>::with_root_and_props(
        host.clone(),
        ChallengesProps {
            reports: Vec::new(),
            bug: None,
            on_action: Callback::noop(),
        },
    )
    .render();
    yew::scheduler::flush().await;
    assert_eq!(
        text(&host, "[data-testid=challenges]"),
        "This lab sets no challenges."
    );
}
