//! A lab's own verbs are announced in the page's words ("S5 joined the ring", not
//! "join 4"), from each verb's `done` sentence.

use failscope_sim::action::Action;
use failscope_sim::lab::{announce, VerbArgKind};

fn lab_action(verb: &str, args: &[i64]) -> Action {
    Action::Lab {
        verb: verb.to_string(),
        args: args.to_vec(),
    }
}

#[test]
fn the_ring_announces_its_membership_changes() {
    let ring = failscope_labs::find("hash-ring").expect("the ring lab");
    assert_eq!(
        announce(ring, &lab_action("join", &[4])),
        "S5 joined the ring"
    );
    assert_eq!(
        announce(ring, &lab_action("weight", &[0, 200])),
        "S1 now has 200 virtual nodes"
    );
    assert!(announce(ring, &lab_action("leave", &[2])).starts_with("S3 left the ring"));
    // Anything else is described as before.
    assert_eq!(
        announce(ring, &Action::Crash { node: 1 }),
        Action::Crash { node: 1 }.describe()
    );
    assert_eq!(
        announce(ring, &lab_action("no-such-verb", &[1])),
        "no-such-verb 1"
    );
}

/// Every verb of every lab fills its sentence completely: each `{name}` is one of its
/// arguments, and each server argument is named.
#[test]
fn every_verb_sentence_names_only_its_own_arguments() {
    for lab in failscope_labs::all() {
        for verb in lab.verbs() {
            let args: Vec<i64> = verb.args.iter().map(|a| a.default).collect();
            let text = verb.announce(&args);
            assert!(
                !verb.done.is_empty(),
                "{}: {} has no sentence",
                lab.id(),
                verb.verb
            );
            assert!(
                !text.contains('{') && !text.contains('}'),
                "{}: {} leaves a placeholder in “{text}”",
                lab.id(),
                verb.verb
            );
            for arg in verb.args.iter().filter(|a| a.kind == VerbArgKind::Server) {
                assert!(
                    verb.done.contains(&format!("{{{}}}", arg.name)),
                    "{}: {} does not say which server",
                    lab.id(),
                    verb.verb
                );
            }
        }
    }
}
