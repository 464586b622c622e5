//! The static catalogue (what the picker shows before a lab's code is loaded) says exactly
//! what the labs say. `FAILSCOPE_BLESS=1 cargo test -p failscope-labs catalogue` rewrites it.

use failscope_labs::{catalogue, find, LAB_IDS};
use std::fmt::Write;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/catalogue.rs");
const BEGIN: &str = "// BEGIN GENERATED CATALOGUE\n";
const END: &str = "// END GENERATED CATALOGUE\n";

fn generated() -> String {
    let mut out =
        String::from("#[cfg(not(feature = \"no-labs\"))]\npub static CATALOGUE: &[LabInfo] = &[\n");
    for id in LAB_IDS {
        let lab = find(id).unwrap_or_else(|| panic!("the registry cannot load {id}"));
        assert_eq!(
            lab.id(),
            *id,
            "the registry line for {id} loads another lab"
        );
        writeln!(out, "    LabInfo {{").unwrap();
        writeln!(out, "        id: {:?},", lab.id()).unwrap();
        writeln!(out, "        title: {:?},", lab.title()).unwrap();
        writeln!(out, "        summary: {:?},", lab.summary()).unwrap();
        writeln!(out, "        listed: {},", lab.listed()).unwrap();
        writeln!(out, "        presets: &[").unwrap();
        for p in lab.presets() {
            writeln!(
                out,
                "            PresetInfo {{ id: {:?}, title: {:?}, summary: {:?} }},",
                p.id, p.title, p.summary
            )
            .unwrap();
        }
        writeln!(out, "        ],\n    }},").unwrap();
    }
    out.push_str("];\n");
    out
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
}

/// The bundle's per-lab chunk is named after the loader; the bench reports pages by it.
#[test]
fn each_loader_is_named_after_its_lab() {
    let want: Vec<String> = LAB_IDS.iter().map(|id| id.replace('-', "_")).collect();
    assert_eq!(failscope_labs::LOADER_NAMES, want);
}
