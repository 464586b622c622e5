//! Narration tells the truth: in every guided preset, as shipped, each safety check that
//! fires is told by a chapter cued on it (so the story never hides a violation), and each
//! cued chapter's check does fire, at or after the chapter's earliest moment (so the text
//! never appears before its event).

use failscope_sim::invariant::Modality;

#[test]
fn every_violation_in_a_preset_is_narrated_when_it_happens() {
    let mut problems = Vec::new();
    for lab in failscope_labs::all() {
        for preset in lab.presets() {
            let name = format!("{}/{}", lab.id(), preset.id);
            let mut sim = failscope_labs::build(&preset.scenario).expect("valid preset");
            sim.run_until(preset.duration_us);
            let reports = sim.invariants();
            let fired = |check: &str| {
                reports
                    .iter()
                    .find(|r| r.spec.name == check)
                    .and_then(|r| r.fired_at())
            };
            for chapter in &preset.chapters {
                let Some(cue) = chapter.cue else { continue };
                assert!(
                    reports.iter().any(|r| r.spec.name == cue),
                    "{name}: a chapter is cued on “{cue}”, which the lab does not check"
                );
                match fired(cue) {
                    None => problems.push(format!("{name}: “{cue}” never fires, so its chapter never shows")),
                    Some(t) if t < chapter.at_us => problems.push(format!(
                        "{name}: “{cue}” fires at {t} µs, before its chapter's earliest moment {} µs",
                        chapter.at_us
                    )),
                    Some(_) => {}
                }
            }
            for report in reports
                .iter()
                .filter(|r| r.spec.modality == Modality::Always)
            {
                if let Some(v) = &report.status.first_violation {
                    if !preset
                        .chapters
                        .iter()
                        .any(|c| c.cue == Some(report.spec.name))
                    {
                        problems.push(format!(
                            "{name}: “{}” is violated at {} µs ({}) and no chapter tells of it",
                            report.spec.name, v.time, v.detail
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_cued_chapter_waits_for_its_check() {
    let chapter = failscope_sim::lab::Chapter::at(1_000, "told").on_check("X");
    assert_eq!(
        chapter.shows_at(|_| None),
        None,
        "not before the check fires"
    );
    assert_eq!(
        chapter.shows_at(|_| Some(1_500)),
        Some(1_500),
        "at the firing"
    );
    assert_eq!(
        chapter.shows_at(|_| Some(500)),
        Some(1_000),
        "never before its moment"
    );
    assert_eq!(
        failscope_sim::lab::Chapter::at(7, "plain").shows_at(|_| None),
        Some(7)
    );
}
