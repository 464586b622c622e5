use super::*;
use crate::link::SharedRun;
use crate::Scenario;

/// The reader's tree as serde_json's, to compare the two parsers.
fn as_serde(value: &Json) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(text) => serde_json::from_str(text).unwrap(),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(as_serde).collect()),
        Json::Object(fields) => {
            let mut map = serde_json::Map::new();
            for (key, value) in fields {
                map.insert(key.clone(), as_serde(value));
            }
            Value::Object(map)
        }
    }
}

/// Both parsers accept `text` and read the same tree, or both refuse it.
fn check_parse_like_serde(text: &[u8]) {
    let ours = parse_document(text);
    let theirs = serde_json::from_slice::<serde_json::Value>(text);
    match (&ours, &theirs) {
        (Ok(ours), Ok(theirs)) => assert_eq!(&as_serde(ours), theirs, "{:?}", text),
        (Err(_), Err(_)) => {}
        // serde_json refuses a number beyond a float's range even where nothing reads it;
        // the reader keeps it as written, and refuses it when a field reads it.
        (Ok(_), Err(e)) if e.to_string().starts_with("number out of range") => {}
        _ => panic!(
            "{:?}: ours {:?}, serde_json {:?}",
            String::from_utf8_lossy(text),
            ours,
            theirs
        ),
    }
}

#[test]
fn parses_what_serde_json_parses() {
    for text in [
        "null",
        " true ",
        "false",
        "0",
        "-0",
        "12",
        "-12",
        "1.5",
        "-0.25e-3",
        "6E+2",
        "18446744073709551615",
        "-9223372036854775808",
        "\"\"",
        r#""a \"quoted\" \\ \/ \b\f\n\r\t word""#,
        r#""\u00e9\u4E2D\ud83d\ude00 é 中 😀""#,
        "[]",
        "[1, [2, [3]], {}]",
        r#"{"a": 1, "b": {"c": [true, null]}, "": "empty key"}"#,
        "\n\t{ \"spaced\" : [ 1 , 2 ] }\r\n",
    ] {
        check_parse_like_serde(text.as_bytes());
        assert!(parse_document(text.as_bytes()).is_ok(), "{text}");
    }
    for text in [
        "",
        " ",
        "nul",
        "True",
        "01",
        "1.",
        ".5",
        "1e",
        "-",
        "+1",
        "0x10",
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\": 1,}",
        "{a: 1}",
        "'a'",
        "\"open",
        "\"\\q\"",
        "\"\\u12\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"tab\there\"",
        "[] []",
        "{}}",
        "/* comment */ 1",
        "NaN",
        "Infinity",
    ] {
        check_parse_like_serde(text.as_bytes());
        assert!(parse_document(text.as_bytes()).is_err(), "{text}");
    }
}

#[test]
fn integers_are_read_exactly() {
    let read = |text: &str| from_slice::<u64>(text.as_bytes());
    assert_eq!(read("18446744073709551615"), Ok(u64::MAX));
    // 2^53 + 1: the first integer a float would round.
    assert_eq!(read("9007199254740993"), Ok(9_007_199_254_740_993));
    assert_eq!(from_slice::<i64>(b"-9223372036854775808"), Ok(i64::MIN));
    assert_eq!(from_slice::<i64>(b"-0"), Ok(0));
    assert_eq!(from_slice::<u8>(b"255"), Ok(255));
    assert!(from_slice::<u8>(b"256").is_err());
    assert!(from_slice::<i32>(b"2147483648").is_err());
    assert!(read("100000000000000000000000000000000000000000000").is_err());
}

/// Reading `text` as a `T` fails with exactly `expected`.
fn check_error<T: FromJson + std::fmt::Debug>(text: &str, expected: &str) {
    match from_slice::<T>(text.as_bytes()) {
        Ok(value) => panic!("{text:.80} was read as {value:?}"),
        Err(e) => assert_eq!(e.to_string(), expected, "{text:.80}"),
    }
}

/// A scenario with `rest` after its required fields.
fn scenario(rest: &str) -> String {
    format!(r#"{{"version": 1, "lab": "demo", "seed": 7, "n_nodes": 3{rest}}}"#)
}

/// A scenario with one scheduled fault doing `action`.
fn fault(action: &str) -> String {
    scenario(&format!(
        r#", "faults": [{{"at_us": 1, "action": "heal"}}, {{"at_us": 2, "action": {action}}}]"#
    ))
}

const U64: &str = "a whole number from 0 to 18446744073709551615";

#[test]
fn bad_documents_say_what_is_wrong_in_words() {
    let s = check_error::<Scenario>;
    // Not JSON at all.
    s(
        "{\n  \"version\": 1,\n    }",
        "not JSON: unexpected “}” at line 3, column 5",
    );
    s("", "not JSON: the text ends too soon at line 1, column 1");
    s(
        r#"{"version": 1, "lab": "ra"#,
        "not JSON: the text ends too soon at line 1, column 26",
    );
    s(
        &(scenario("") + " x"),
        "not JSON: unexpected “x” at line 1, column 56",
    );
    s(
        "{\"lab\": \"a\u{1}b\"}",
        "not JSON: unexpected control character at line 1, column 11",
    );
    s(
        r#"{"lab": "\ud800"}"#,
        "not JSON: half of a surrogate pair in a “\\u” escape at line 1, column 16",
    );
    s(
        r#"{"lab": "S1 → é\q"}"#,
        "not JSON: unexpected “q” at line 1, column 17",
    );
    // JSON, but not a scenario.
    s("[]", "the document should be an object, not a list");
    s(r#"{"not": "a scenario"}"#, "the field “version” is missing");
    s(
        r#"{"version": 1, "lab": null}"#,
        "the field “lab” should be text, not null",
    );
    s(
        r#"{"version": 1, "lab": "demo", "seed": "12"}"#,
        &format!("the field “seed” should be {U64}, not text"),
    );
    s(
        r#"{"version": 1, "lab": "demo", "seed": -1}"#,
        &format!("the field “seed” should be {U64}, not -1"),
    );
    s(
        r#"{"version": 1, "lab": "demo", "seed": 1.5}"#,
        &format!("the field “seed” should be {U64}, not 1.5"),
    );
    s(
        r#"{"version": 1, "lab": "demo", "seed": 1e3}"#,
        &format!("the field “seed” should be {U64}, not 1e3"),
    );
    s(
        r#"{"version": 1, "lab": "demo", "seed": 18446744073709551616}"#,
        &format!("the field “seed” should be {U64}, not 18446744073709551616"),
    );
    s(
        r#"{"version": 1, "lab": "demo", "seed": 1, "n_nodes": 70000}"#,
        "the field “n_nodes” should be a whole number from 0 to 65535, not 70000",
    );
    s(
        r#"{"version": 4294967296}"#,
        "the field “version” should be a whole number from 0 to 4294967295, not 4294967296",
    );
    s(
        &scenario(r#", "params": {"election_ms": "150"}"#),
        "the field “params.election_ms” should be a whole number from -9223372036854775808 to 9223372036854775807, not text",
    );
    s(
        &scenario(
            r#", "network": {"link": {"latency": {"constant": {"us": 1}}, "loss_ppm": true}}"#,
        ),
        "the field “network.link.loss_ppm” should be a whole number from 0 to 4294967295, not true",
    );
    s(
        &scenario(r#", "network": {"mode": "sometimes"}"#),
        "the field “network.mode” names an unknown network mode “sometimes” (expected one of: realistic, synchronous, partially_synchronous, asynchronous)",
    );
    s(
        &scenario(r#", "clients": {"n_clients": 1}"#),
        "the field “clients.think_min_us” is missing",
    );
    // Enums: unknown names, missing or mistyped fields, the wrong shape.
    s(
        &fault(r#"{"crsh": {"node": 1}}"#),
        "the field “faults[1].action” names an unknown action “crsh” (expected one of: crash, restart, pause, clock_jump, clock_drift, partition, cut, clog, unclog, heal, drop_message, duplicate_message, client_request, set_param, lab)",
    );
    s(
        &fault(r#"{"crash": {}}"#),
        "the field “faults[1].action.crash.node” is missing",
    );
    s(
        &fault(r#""crash""#),
        "the field “faults[1].action.crash.node” is missing",
    );
    s(
        &fault(r#"{"crash": 2}"#),
        "the field “faults[1].action.crash” should be an object, not 2",
    );
    s(
        &fault(r#"{"crash": {"node": 1}, "heal": null}"#),
        "the field “faults[1].action” should be a name, or an object with one field named after its kind, not an object",
    );
    s(
        &fault("7"),
        "the field “faults[1].action” should be a name, or an object with one field named after its kind, not 7",
    );
    s(
        &fault(r#"{"partition": {"groups": [[0, 1], [2, -3]]}}"#),
        "the field “faults[1].action.partition.groups[1][1]” should be a whole number from 0 to 65535, not -3",
    );
    s(
        &fault(r#"{"client_request": {"node": 0, "op": {"cas": {"key": 0, "from": 1}}}}"#),
        "the field “faults[1].action.client_request.op.cas.to” is missing",
    );
    s(
        &fault(r#"{"drop_message": {"msg": "m3"}}"#),
        &format!("the field “faults[1].action.drop_message.msg” should be {U64}, not text"),
    );
    s(
        &scenario(r#", "actions": [{"at_event": 1, "action": "heal"}]"#),
        "the field “actions[0].at_us” is missing",
    );
    s(
        &fault(&format!(r#"{{"{}": null}}"#, "x".repeat(100))),
        &format!("the field “faults[1].action” names an unknown action “{}…” (expected one of: crash, restart, pause, clock_jump, clock_drift, partition, cut, clog, unclog, heal, drop_message, duplicate_message, client_request, set_param, lab)", "x".repeat(40)),
    );
    // Share links.
    let r = check_error::<SharedRun>;
    r(r#"{"cursor_us": 5}"#, "the field “scenario” is missing");
    r(
        &format!(
            r#"{{"scenario": {}, "view": {{"speed": 300}}}}"#,
            scenario("")
        ),
        "the field “view.speed” should be a whole number from 0 to 255, not 300",
    );
    r(
        &format!(r#"{{"scenario": {}, "view": {{"tab": 3}}}}"#, scenario("")),
        "the field “view.tab” should be text, not 3",
    );
}

#[test]
fn limits_are_errors_not_crashes() {
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    assert!(parse_document(deep(MAX_DEPTH).as_bytes()).is_ok());
    check_error::<Scenario>(
        &deep(MAX_DEPTH + 1),
        "not JSON: more than 64 levels of nesting at line 1, column 65",
    );
    // Far past any stack: refused at the limit, not by overflowing.
    check_error::<Scenario>(
        &"{\"a\":[".repeat(100_000),
        "not JSON: more than 64 levels of nesting at line 1, column 193",
    );
    let mut huge = scenario("").into_bytes();
    huge.resize(MAX_DOCUMENT_BYTES + 1, b' ');
    assert_eq!(
        from_slice::<Scenario>(&huge).unwrap_err().to_string(),
        "the document is 1025 KB, more than the 1024 KB a scenario can be"
    );
    assert_eq!(
        from_slice::<Scenario>(b"{\"lab\": \"\xff\"}")
            .unwrap_err()
            .to_string(),
        "not JSON: bytes that are not UTF-8 text at line 1, column 10"
    );
}

/// A document with every kind of value, to mutate (one key written with an escape, as JSON
/// allows: the reader must decode keys as it decodes strings).
const SAMPLE: &str = r#"{"scenario":{"version":1,"lab":"demo","seed":18446744073709551615,"n_nodes":5,
"params":{"election_min_ms":150,"heartbeat_ms":-50},"network":{"mode":{"partially_synchronous":
{"gst_us":1,"bound_us":2,"pre_gst_extra_us":3}},"link":{"latency":{"long_tail":{"min_us":1,
"median_us":2,"max_us":3}},"loss_ppm":10},"overrides":[{"from":0,"to":1,"link":{"latency":
{"constant":{"us":5}}}}]},"clients":{"n_clients":2,"think_min_us":1,"think_max_us":2,
"timeout_us":3,"n_keys":4,"read_ppm":5,"cas_ppm":6,"latency":{"uniform":{"min_us":1,
"max_us":2}},"target":"sticky","max_redirects":7,"stop_at_us":9},"cl\u006fcks":[{"node":1,
"offset_us":-5,"drift_ppm":100}],"faults":[{"at_us":1,"action":{"partition":{"groups":[[0,1],
[2]]}}},{"at_us":2,"action":"heal"}],"actions":[{"at_event":3,"at_us":4,"action":
{"client_request":{"node":1,"op":{"cas":{"key":0,"from":1,"to":2}}}}},{"at_event":5,"at_us":6,
"action":{"lab":{"verb":"join \"S6\" \u00e9","args":[1,-2]}}}]},"cursor_us":77,"view":
{"preset":"election","speed":3,"tab":"History"}}"#;

#[test]
fn the_sample_document_reads() {
    let run: SharedRun = from_slice(SAMPLE.as_bytes()).unwrap();
    assert_eq!(run.scenario.seed, u64::MAX);
    assert_eq!(run.scenario.params["heartbeat_ms"], -50);
    assert_eq!(
        run.scenario.clocks.len(),
        1,
        "the key written with an escape is read"
    );
    assert_eq!(run.cursor_us, 77);
    let written = serde_json::to_string(&run).unwrap();
    assert_eq!(from_slice::<SharedRun>(written.as_bytes()), Ok(run));
}

// Property tests run natively only (proptest is not built for wasm32).
#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = from_slice::<SharedRun>(&bytes);
            check_parse_like_serde(&bytes);
        }

        /// Replace, insert or delete a few bytes of a valid document, or cut it short: the
        /// reader never panics, and parses exactly when serde_json does.
        #[test]
        fn mutated_documents_never_panic(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..4),
            cut in any::<usize>(),
        ) {
            let mut bytes = SAMPLE.as_bytes().to_vec();
            for (position, byte, how) in edits {
                let i = position % bytes.len();
                match how {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => { bytes.remove(i); }
                }
            }
            let _ = from_slice::<SharedRun>(&bytes);
            check_parse_like_serde(&bytes);
            bytes.truncate(cut % (bytes.len() + 1));
            let _ = from_slice::<SharedRun>(&bytes);
            check_parse_like_serde(&bytes);
        }
    }
}
