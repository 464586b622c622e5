//! Component and model tests, run in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use failscope_sim::action::Action;
use failscope_web::app::{App, Route};
use failscope_web::lab_page::{LabPage, LabPageProps, Source};
use failscope_web::session::{Session, UiAction};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::Callback;

mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

fn lab_page(lab: &str, preset: Option<&str>) -> LabPageProps {
    LabPageProps {
        source: Source::Lab {
            lab: lab.into(),
            preset: preset.map(Into::into),
            seed: None,
        },
        history: None,
        embed: false,
        embed_options: Default::default(),
        autoplay: false,
        on_home: Callback::noop(),
        on_preset: Callback::noop(),
    }
}

#[wasm_bindgen_test]
async fn the_picker_offers_every_listed_lab() {
    let host = mount_point();
    yew::Renderer::<App>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    let listed = failscope_labs::catalogue::listed().count() as u32;
    assert!(listed >= 2);
    assert_eq!(count(&host, "[data-testid^=lab-card-]"), listed);
    assert_eq!(count(&host, "[data-testid=lab-card-failure-detection]"), 1);
}

#[wasm_bindgen_test]
async fn a_raft_page_draws_five_servers_and_selects_on_click() {
    let host = mount_point();
    yew::Renderer::<LabPage>::with_root_and_props(host.clone(), lab_page("raft", None)).render();
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "[data-testid^=node-S]"), 5);
    assert_eq!(count(&host, "svg[data-testid=canvas]"), 1);
    click(&host, "[data-testid=node-S3]");
    yew::scheduler::flush().await;
    let inspector = host
        .query_selector("[data-testid=inspector] h3")
        .unwrap()
        .unwrap();
    assert!(inspector.text_content().unwrap().starts_with("S3"));
    assert_eq!(
        count(&host, "[data-testid=crash]"),
        1,
        "the fault toolbar offers a crash"
    );
    click(&host, "[data-testid=crash]");
    yew::scheduler::flush().await;
    let node = host
        .query_selector("[data-testid=node-S3]")
        .unwrap()
        .unwrap();
    assert_eq!(node.get_attribute("data-status").as_deref(), Some("down"));
    assert_eq!(
        count(&host, "[data-testid=restart-node]"),
        1,
        "a crashed server can be restarted"
    );
}

#[wasm_bindgen_test]
async fn a_bad_lab_shows_the_error_panel_not_a_blank_page() {
    let host = mount_point();
    yew::Renderer::<LabPage>::with_root_and_props(host.clone(), lab_page("no-such-lab", None))
        .render();
    yew::scheduler::flush().await;
    let message = host
        .query_selector("[data-testid=error-message]")
        .unwrap()
        .expect("an error panel");
    assert!(message.text_content().unwrap().contains("no lab called"));
    assert_eq!(count(&host, "[data-testid=error-home]"), 1);
}

#[wasm_bindgen_test]
async fn a_guided_preset_shows_its_narration() {
    let host = mount_point();
    yew::Renderer::<LabPage>::with_root_and_props(
        host.clone(),
        lab_page("raft", Some("leader-crash")),
    )
    .render();
    yew::scheduler::flush().await;
    let text = host
        .query_selector("[data-testid=narration-text]")
        .unwrap()
        .expect("narration");
    assert!(text.text_content().unwrap().contains("leader"));
    let button = host
        .query_selector("[data-testid=next-chapter]")
        .unwrap()
        .expect("next chapter");
    button.unchecked_ref::<web_sys::HtmlElement>().click();
    yew::scheduler::flush().await;
    let text = host
        .query_selector("[data-testid=narration-text]")
        .unwrap()
        .unwrap();
    assert!(
        text.text_content().unwrap().contains("crashes"),
        "{:?}",
        text.text_content()
    );
}

/// A chapter's text appears when its event happens: before the first chapter's moment the
/// card shows the scenario's summary, and Next ▸ moves to the chapter and counts it.
#[wasm_bindgen_test]
async fn a_chapter_waits_for_its_moment_and_next_counts_it() {
    let host = mount_point();
    yew::Renderer::<LabPage>::with_root_and_props(
        host.clone(),
        lab_page("raft", Some("partition")),
    )
    .render();
    yew::scheduler::flush().await;
    let preset = failscope_labs::preset("raft", "partition").expect("preset");
    assert!(
        preset.chapters[0].at_us > 0,
        "this preset's first chapter is later than 0"
    );
    let chapters = preset.chapters.len();
    assert_eq!(text(&host, "[data-testid=narration-text]"), preset.summary);
    assert_eq!(
        text(&host, "[data-testid=chapter-count]"),
        format!("0 / {chapters}")
    );
    assert!(!text(&host, "[data-testid=narration-text]").contains("splits"));
    click(&host, "[data-testid=next-chapter]");
    yew::scheduler::flush().await;
    assert_eq!(
        text(&host, "[data-testid=narration-text]"),
        preset.chapters[0].text
    );
    assert_eq!(
        text(&host, "[data-testid=chapter-count]"),
        format!("1 / {chapters}")
    );
    click(&host, "[data-testid=next-chapter]");
    yew::scheduler::flush().await;
    assert_eq!(
        text(&host, "[data-testid=narration-text]"),
        preset.chapters[1].text
    );
    assert_eq!(
        text(&host, "[data-testid=chapter-count]"),
        format!("2 / {chapters}")
    );
}

/// Click S1, then shift-click S2: both are selected (to partition them), and shift-clicking
/// a member again takes it out.
#[wasm_bindgen_test]
fn shift_click_adds_to_the_server_clicked_first() {
    let mut s = Session::open("raft", None, Some(3)).unwrap();
    s.dispatch(UiAction::SelectNode {
        node: 0,
        extend: false,
    });
    assert!(s.selection.group.is_empty());
    s.dispatch(UiAction::SelectNode {
        node: 1,
        extend: true,
    });
    assert_eq!(
        s.selection.group.iter().copied().collect::<Vec<_>>(),
        [0, 1]
    );
    s.dispatch(UiAction::SelectNode {
        node: 2,
        extend: true,
    });
    assert_eq!(s.selection.group.len(), 3);
    s.dispatch(UiAction::SelectNode {
        node: 1,
        extend: true,
    });
    assert_eq!(
        s.selection.group.iter().copied().collect::<Vec<_>>(),
        [0, 2]
    );
    s.dispatch(UiAction::SelectNode {
        node: 4,
        extend: false,
    });
    assert!(s.selection.group.is_empty(), "a plain click starts again");
}

#[wasm_bindgen_test]
fn the_session_steps_seeks_and_forks() {
    let mut s = Session::open("raft", None, Some(3)).unwrap();
    s.dispatch(UiAction::Step);
    assert!(s.now() > 0);
    s.playing = true;
    for _ in 0..60 {
        s.tick(50.0); // three seconds of wall time at 1/20×: 150 ms simulated
    }
    let later = s.now();
    assert!(later >= 140_000);
    s.dispatch(UiAction::Seek(later / 2));
    assert_eq!(s.now(), later / 2);
    s.dispatch(UiAction::Apply(Action::Crash { node: 0 }));
    let notice = s.notice.clone().expect("acting in the past says so");
    assert!(!notice.error && notice.text.contains("changed the past"));
    assert_eq!(s.sim().scenario().actions.len(), 1);
    s.dispatch(UiAction::Apply(Action::Crash { node: 0 }));
    assert!(
        s.notice.as_ref().unwrap().error,
        "crashing a crashed server is refused with a reason"
    );
}

#[wasm_bindgen_test]
fn acting_one_step_back_puts_the_action_on_the_timeline() {
    use failscope_sim::trace::MarkerKind;
    let mut s = Session::open("raft", None, Some(3)).unwrap();
    // Step until the last instant holds a single event, so stepping back cuts just one.
    let mut steps = 0;
    loop {
        s.dispatch(UiAction::Step);
        steps += 1;
        let now = s.now();
        let at_now = s
            .sim()
            .trace()
            .events()
            .iter()
            .filter(|e| e.time == now)
            .count();
        if steps > 20 && at_now == 1 {
            break;
        }
        assert!(steps < 2_000, "no lone event found");
    }
    s.dispatch(UiAction::StepBack);
    // The crash records at least one event: the trace grows back to at least its old
    // length, and the timeline must still show the crash.
    s.dispatch(UiAction::Apply(Action::Crash { node: 1 }));
    assert!(s.notice.as_ref().is_none_or(|n| !n.error), "{:?}", s.notice);
    let now = s.now();
    assert!(
        s.markers()
            .iter()
            .any(|m| m.kind == MarkerKind::Fault && m.time == now && m.label.contains("S2")),
        "{:?}",
        s.markers()
    );
}

#[wasm_bindgen_test]
fn routes_round_trip_and_tolerate_junk() {
    let route = Route::parse("#lab=raft&preset=partition&seed=42");
    assert_eq!(route.lab.as_deref(), Some("raft"));
    assert_eq!(route.preset.as_deref(), Some("partition"));
    assert_eq!(route.seed, Some(42));
    assert_eq!(Route::parse(&route.fragment()), route);
    let junk = Route::parse("#seed=banana&&&lab=&x=%ZZ");
    assert_eq!(junk, Route::default());
    let damaged = Route::parse("#s=1.%%%");
    assert_eq!(
        damaged.shared.as_deref(),
        Some("1.%%%"),
        "a damaged link still reaches the decoder"
    );
}

#[wasm_bindgen_test]
async fn a_shared_run_opens_paused_at_its_moment() {
    let preset = failscope_labs::preset("raft", "leader-crash").unwrap();
    let mut sim = failscope_labs::build(&preset.scenario).unwrap();
    sim.run_until(2_500_000);
    let run = failscope_sim::link::SharedRun {
        scenario: sim.scenario().clone(),
        cursor_us: sim.now(),
        view: Default::default(),
    };
    let host = mount_point();
    let props = LabPageProps {
        source: Source::Shared(std::rc::Rc::new(run)),
        ..lab_page("raft", None)
    };
    yew::Renderer::<LabPage>::with_root_and_props(host.clone(), props).render();
    yew::scheduler::flush().await;
    // Catching up happens frame by frame; wait for it.
    for _ in 0..100 {
        if host
            .query_selector("[data-testid=catching-up]")
            .unwrap()
            .is_none()
        {
            break;
        }
        gloo::timers::future::TimeoutFuture::new(20).await;
        yew::scheduler::flush().await;
    }
    let clock = host
        .query_selector("[data-testid=sim-time]")
        .unwrap()
        .unwrap();
    assert_eq!(clock.get_attribute("data-us").as_deref(), Some("2500000"));
    let play = host
        .query_selector("[data-testid=play-pause]")
        .unwrap()
        .unwrap();
    assert_eq!(
        play.get_attribute("aria-pressed").as_deref(),
        Some("false"),
        "opens paused"
    );
}

/// A plain object with these fields, as a host page would post.
fn object(pairs: &[(&str, wasm_bindgen::JsValue)]) -> wasm_bindgen::JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

#[wasm_bindgen_test]
fn the_host_api_accepts_only_well_formed_commands() {
    use failscope_web::embed_api::{parse, HostCommand};
    assert_eq!(
        parse(&object(&[("failscope", "play".into())])),
        Some(HostCommand::Play)
    );
    assert_eq!(
        parse(&object(&[
            ("failscope", "seek".into()),
            ("time_us", 1500.0.into())
        ])),
        Some(HostCommand::Seek(1500))
    );
    assert_eq!(
        parse(&object(&[
            ("failscope", "seek".into()),
            ("time_us", (-1.0).into())
        ])),
        None
    );
    assert_eq!(
        parse(&object(&[
            ("failscope", "seek".into()),
            ("time_us", f64::NAN.into())
        ])),
        None
    );
    assert_eq!(parse(&object(&[("failscope", "seek".into())])), None);
    assert_eq!(parse(&object(&[("failscope", "explode".into())])), None);
    assert_eq!(parse(&object(&[("failscope", 3.into())])), None);
    assert_eq!(parse(&"play".into()), None);
    assert_eq!(parse(&wasm_bindgen::JsValue::NULL), None);
    assert_eq!(
        parse(&object(&[
            ("failscope", "load".into()),
            ("link", "1.abc".into())
        ])),
        Some(HostCommand::Load("1.abc".into()))
    );
    assert_eq!(
        parse(&object(&[
            ("failscope", "load".into()),
            ("link", "x".repeat(100_000).into())
        ])),
        None
    );
}

#[wasm_bindgen_test]
fn the_host_api_speaks_version_1_and_nothing_else() {
    use failscope_web::embed_api::{parse, HostCommand};
    let v1 = |kind: &str, extra: &[(&str, wasm_bindgen::JsValue)]| {
        let mut pairs = vec![("failscope", 1.into()), ("type", kind.into())];
        pairs.extend(extra.iter().cloned());
        object(&pairs)
    };
    assert_eq!(parse(&v1("play", &[])), Some(HostCommand::Play));
    assert_eq!(parse(&v1("pause", &[])), Some(HostCommand::Pause));
    assert_eq!(
        parse(&v1("seek", &[("time_us", 2e6.into())])),
        Some(HostCommand::Seek(2_000_000))
    );
    assert_eq!(parse(&v1("seek", &[("time_us", "2".into())])), None);
    assert_eq!(parse(&v1("seek", &[("time_us", 1e300.into())])), None);
    assert_eq!(parse(&v1("PLAY", &[])), None);
    // Another version, or none with no command, is not obeyed.
    for version in [2.0, 0.0, 1.5, f64::NAN] {
        let m = object(&[("failscope", version.into()), ("type", "play".into())]);
        assert_eq!(parse(&m), None, "version {version}");
    }
    assert_eq!(parse(&object(&[("failscope", 1.into())])), None);
    assert_eq!(parse(&object(&[("type", "play".into())])), None);
}

#[wasm_bindgen_test]
fn embed_options_come_from_the_query_and_bad_ones_are_said() {
    use failscope_web::embed_api::{ControlsMode, EmbedOptions};
    let o = EmbedOptions::parse(
        "?embed&from=1.5&to=6&loop&controls=minimal&narration=on&origin=https%3A%2F%2Fexample.org",
    );
    assert_eq!(o.from_us, 1_500_000);
    assert_eq!(o.to_us, Some(6_000_000));
    assert!(o.looped && o.narration);
    assert_eq!(o.controls, ControlsMode::Minimal);
    assert_eq!(o.origin.as_deref(), Some("https://example.org"));
    assert!(o.problems.is_empty(), "{:?}", o.problems);
    assert_eq!(o.clamp(0), 1_500_000);
    assert_eq!(o.clamp(9_000_000), 6_000_000);

    let plain = EmbedOptions::parse("?embed");
    assert_eq!(plain, EmbedOptions::default());
    assert!(!plain.has_window());
    assert_eq!(plain.controls, ControlsMode::Full);

    let bad = EmbedOptions::parse("?embed&from=soon&to=-1&controls=huge&narration=off");
    assert_eq!((bad.from_us, bad.to_us), (0, None));
    assert_eq!(bad.controls, ControlsMode::Full);
    assert!(!bad.narration);
    assert_eq!(bad.problems.len(), 3, "{:?}", bad.problems);
    assert!(bad.problems[0].contains("from=soon"));

    let backwards = EmbedOptions::parse("?embed&from=5&to=2");
    assert_eq!(backwards.to_us, None);
    assert!(backwards.problems[0].contains("to must come after from"));

    // A pinned origin that is not one: obey no one rather than anyone.
    let origin = EmbedOptions::parse("?embed&origin=javascript:alert(1)");
    assert_eq!(origin.origin.as_deref(), Some(""));
    assert_eq!(origin.problems.len(), 1);
    let big = EmbedOptions::parse("?embed&to=1e30");
    assert_eq!((big.to_us, big.problems.len()), (None, 1));
}

#[wasm_bindgen_test]
async fn the_embed_dialog_shows_a_preview_and_three_snippets() {
    use failscope_web::components::share::{EmbedPart, EmbedPartProps, EmbedSource};
    let value = |host: &web_sys::Element, id: &str| {
        element(host, &format!("[data-testid={id}]"))
            .dyn_into::<web_sys::HtmlTextAreaElement>()
            .unwrap()
            .value()
    };
    let whole = EmbedSource {
        base: "https://example.org/docs/failscope/".into(),
        payload: "1.abc".into(),
        title: "Raft \"consensus\"".into(),
        range: None,
        end: 12_000_000,
    };
    let host = mount_point();
    yew::Renderer::<EmbedPart>::with_root_and_props(
        host.clone(),
        EmbedPartProps {
            source: whole.clone(),
        },
    )
    .render();
    yew::scheduler::flush().await;
    assert_eq!(
        attribute(&host, "[data-testid=embed-preview]", "src").as_deref(),
        Some("https://example.org/docs/failscope/?embed#s=1.abc")
    );
    let iframe = value(&host, "embed-code");
    assert!(iframe.starts_with("<iframe src=\"https://example.org/docs/failscope/?embed#s=1.abc\""));
    assert!(
        iframe.contains("title=\"Failscope: Raft &quot;consensus&quot;\""),
        "{iframe}"
    );
    let tag = value(&host, "embed-tag-code");
    assert!(
        tag.contains(
            "<script type=\"module\" src=\"https://example.org/docs/failscope/embed.js\"></script>"
        ),
        "{tag}"
    );
    assert!(tag.contains("<failscope-lab link=\"https://example.org/docs/failscope/#s=1.abc\" controls=\"full\">"), "{tag}");
    let markdown = value(&host, "embed-markdown-code");
    assert!(markdown.contains(&iframe));
    assert!(markdown
        .contains("[Open this run in Failscope](https://example.org/docs/failscope/#s=1.abc)"));
    let range = text(&host, "[data-testid=embed-range]");
    assert!(
        range.contains("the whole run") && range.contains("Mark a window on the timeline"),
        "{range}"
    );

    // With a selection, the snippets carry its window.
    let window = EmbedSource {
        range: Some((1_500_000, 6_000_000)),
        ..whole
    }
    .snippets();
    assert!(
        window.src.contains("?embed&from=1.5&to=6#s=1.abc"),
        "{}",
        window.src
    );
    assert!(
        window.tag.contains(" from=\"1.5\" to=\"6\""),
        "{}",
        window.tag
    );
}
