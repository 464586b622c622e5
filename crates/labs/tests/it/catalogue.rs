//! The static catalogue (what the picker shows before a lab's code is loaded) says exactly
//! what the labs say. `FAILSCOPE_BLESS=1 cargo test -p failscope-labs catalogue` rewrites it.

use failscope_labs::{catalogue, find, LAB_IDS};
use std::fmt::Write;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/catalogue.rs");
const BEGIN: &str = "// BEGIN GENERATED CATALOGUE\n";
const END: &str = "// END GENERATED CATALOGUE\n";

/// Events each preset runs for when collecting the kinds of picture a lab draws.
const EVENTS_PER_PRESET: u64 = 20_000;

/// The kinds of picture a lab draws: those of its default run and of every preset, at the
/// start and after a stretch of running (pictures are data, so a lab could add one later in
/// a run; the page would then fetch its code when it appears).
fn picture_kinds(lab: &'static dyn failscope_sim::lab::Lab) -> Vec<&'static str> {
    let mut scenarios = vec![lab.default_scenario(1)];
    scenarios.extend(lab.presets().into_iter().map(|p| p.scenario));
    let mut kinds = std::collections::BTreeSet::new();
    for scenario in scenarios {
        let mut sim = lab
            .build(&scenario)
            .expect("the lab builds its own scenarios");
        kinds.extend(sim.pictures().iter().map(|p| p.kind.name()));
        sim.run_events(EVENTS_PER_PRESET);
        kinds.extend(sim.pictures().iter().map(|p| p.kind.name()));
    }
    kinds.into_iter().collect()
}

fn generated() -> String {
    let mut infos =
        String::from("#[cfg(not(feature = \"no-labs\"))]\n#[rustfmt::skip]\npub static CATALOGUE: &[LabInfo] = &[\n");
    let mut cards = String::from(
        "#[cfg(not(feature = \"no-labs\"))]\n#[rustfmt::skip]\npub static CARDS: &[LabCard] = &[\n",
    );
    for id in LAB_IDS {
        let lab = find(id).unwrap_or_else(|| panic!("the registry cannot load {id}"));
        assert_eq!(
            lab.id(),
            *id,
            "the registry line for {id} loads another lab"
        );
        let presets = lab.presets();
        let ids: Vec<&str> = presets.iter().map(|p| p.id).collect();
        writeln!(infos, "    LabInfo {{").unwrap();
        writeln!(infos, "        id: {:?},", lab.id()).unwrap();
        writeln!(infos, "        aliases: &{:?},", lab.aliases()).unwrap();
        writeln!(infos, "        title: {:?},", lab.title()).unwrap();
        writeln!(infos, "        listed: {},", lab.listed()).unwrap();
        writeln!(infos, "        presets: &{ids:?},").unwrap();
        writeln!(infos, "        pictures: &{:?},", picture_kinds(lab)).unwrap();
        writeln!(infos, "    }},").unwrap();
        writeln!(cards, "    // {}", lab.id()).unwrap();
        writeln!(cards, "    LabCard {{").unwrap();
        writeln!(cards, "        summary: {:?},", lab.summary()).unwrap();
        writeln!(cards, "        presets: &[").unwrap();
        for p in &presets {
            writeln!(
                cards,
                "            PresetInfo {{ id: {:?}, title: {:?}, summary: {:?} }},",
                p.id, p.title, p.summary
            )
            .unwrap();
        }
        writeln!(cards, "        ],").unwrap();
        writeln!(cards, "    }},").unwrap();
    }
    infos.push_str("];\n");
    cards.push_str("];\n");
    infos + &cards
}

#[test]
fn catalogue_matches_the_labs() {
    let text = std::fs::read_to_string(FILE).expect("catalogue.rs");
    let (head, rest) = text.split_once(BEGIN).expect("begin marker");
    let (_, tail) = rest.split_once(END).expect("end marker");
    let want = format!("{head}{BEGIN}{}{END}{tail}", generated());
    if std::env::var_os("FAILSCOPE_BLESS").is_some() {
        std::fs::write(FILE, &want).expect("write catalogue.rs");
        return;
    }
    assert!(
        text == want,
        "crates/labs/src/catalogue.rs is out of date with the labs: run FAILSCOPE_BLESS=1 cargo test -p failscope-labs catalogue (then cargo fmt)"
    );
}

#[test]
fn every_registered_lab_is_in_the_catalogue_once() {
    for id in LAB_IDS {
        assert_eq!(
            catalogue::CATALOGUE.iter().filter(|l| l.id == *id).count(),
            1,
            "{id}"
        );
    }
    assert_eq!(catalogue::CATALOGUE.len(), LAB_IDS.len());
    assert_eq!(catalogue::CARDS.len(), LAB_IDS.len());
}

/// A renamed lab's old ids find it everywhere a lab is looked up, name no other lab, and are
/// not listed as labs of their own.
#[test]
fn aliases_find_their_lab_and_are_not_labs() {
    let mut seen: Vec<&str> = LAB_IDS.to_vec();
    for id in LAB_IDS {
        let lab = find(id).expect("registered");
        for alias in lab.aliases() {
            assert!(!seen.contains(alias), "{alias} names two labs");
            seen.push(alias);
            assert_eq!(find(alias).map(|l| l.id()), Some(*id), "find({alias})");
            assert_eq!(catalogue::info(alias).map(|i| i.id), Some(*id));
            assert!(catalogue::CATALOGUE.iter().all(|l| l.id != *alias));
            assert!(lab.answers_to(alias));
            let preset = lab.presets().into_iter().next().expect("a preset");
            let old = failscope_labs::preset(alias, preset.id).expect("preset by old id");
            assert_eq!(old.id, preset.id);
        }
    }
}

/// The bundle's per-lab chunk is named after the loader; the bench reports pages by it.
#[test]
fn each_loader_is_named_after_its_lab() {
    let want: Vec<String> = LAB_IDS.iter().map(|id| id.replace('-', "_")).collect();
    assert_eq!(failscope_labs::LOADER_NAMES, want);
}

/// A lab's page links to its related labs: each must exist, and none is the lab itself.
#[test]
fn every_related_lab_is_registered() {
    let mut links = 0;
    for id in LAB_IDS {
        let lab = find(id).expect("registered");
        for related in lab.related() {
            assert!(
                LAB_IDS.contains(&related.lab) && related.lab != *id,
                "{id} points to {}",
                related.lab
            );
            assert!(!related.why.is_empty(), "{id}: say why");
            links += 1;
        }
    }
    assert!(links >= 1, "no lab links to another");
}
