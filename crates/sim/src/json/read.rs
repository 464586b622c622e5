//! Reading typed values out of a [`Json`] tree: the [`FromJson`] trait, its impls for the
//! standard types, and the two helpers every hand-written impl uses, [`Fields`] (a struct)
//! and [`variant`] (an externally tagged enum).
//!
//! A wrong value does not end the reading: it is reported to the [`Reader`], which keeps the
//! first report with the path where it happened, and a stand-in is returned in its place (the
//! whole result is then discarded). So an impl is a plain struct literal of field reads, with
//! no early return per field: that, more than anything, keeps the code small in the browser.

use super::{clip, push_clipped, Json, JsonError};
use std::collections::BTreeMap;

/// A type that can be read from a JSON value.
pub trait FromJson: Sized {
    /// Read `value`. If it is wrong, report why to `r` and return any value of the type.
    fn from_json(r: &mut Reader, value: &Json) -> Self;
}

/// Where the reading is and the first thing found wrong.
#[derive(Debug, Default)]
pub struct Reader {
    /// The path from the root, as the message will show it: `faults[2].action`.
    path: String,
    error: Option<JsonError>,
}

impl Reader {
    /// Read a `T` from a whole document's tree.
    pub fn read<T: FromJson>(tree: &Json) -> Result<T, JsonError> {
        let mut r = Reader::default();
        let value = T::from_json(&mut r, tree);
        r.error.map_or(Ok(value), Err)
    }

    /// Report that the value here `problem` ("is missing", "should be text, not 5"); only
    /// the first report counts.
    pub fn fail(&mut self, problem: String) {
        if self.error.is_none() {
            let path = self.path.clone();
            self.error = Some(JsonError::Value { path, problem });
        }
    }

    /// Extend the path by field `name`; returns the length to cut it back to.
    fn enter_field(&mut self, name: &str) -> usize {
        let depth = self.path.len();
        if depth > 0 {
            self.path.push('.');
        }
        push_clipped(&mut self.path, name);
        depth
    }

    /// Read `item` as a `T`, at `index` of the list the path points at.
    fn item<T: FromJson>(&mut self, index: usize, item: &Json) -> T {
        let depth = self.path.len();
        self.path.push('[');
        self.path.push_str(&index.to_string());
        self.path.push(']');
        let read = T::from_json(self, item);
        self.path.truncate(depth);
        read
    }
}

/// The fields of one object (or of one enum variant), read by name. Unknown fields are
/// ignored; a repeated field counts once, the first time.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'v> {
    entries: &'v [(String, Json)],
    /// The variant these fields belong to, named in the path of any error.
    variant: Option<&'v str>,
}

impl<'v> Fields<'v> {
    /// The fields of `value`, which should be an object (if not: reported, and no fields).
    pub fn of(r: &mut Reader, value: &'v Json) -> Fields<'v> {
        let entries = match value {
            Json::Object(entries) => entries,
            other => {
                r.fail(expected("an object", other));
                &[][..]
            }
        };
        Fields {
            entries,
            variant: None,
        }
    }

    /// A field that must be present.
    pub fn req<T: FromJson>(&self, r: &mut Reader, name: &str) -> T {
        self.read(r, name, self.get(name))
    }

    /// A field that takes `T`'s default when absent (as `#[serde(default)]` did).
    pub fn or_default<T: FromJson + Default>(&self, r: &mut Reader, name: &str) -> T {
        match self.get(name) {
            Some(value) => self.read(r, name, Some(value)),
            None => T::default(),
        }
    }

    fn get(&self, name: &str) -> Option<&'v Json> {
        self.entries
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// Read field `name` (its `value`, if present) with the path pointing at it.
    fn read<T: FromJson>(&self, r: &mut Reader, name: &str, value: Option<&'v Json>) -> T {
        let (depth, value) = self.enter(r, name, value);
        let read = T::from_json(r, value);
        r.path.truncate(depth);
        read
    }

    /// Point the path at field `name` (reporting it if it is missing): the part of
    /// [`Fields::read`] that does not depend on `T`, so that it is not repeated for each.
    fn enter(&self, r: &mut Reader, name: &str, value: Option<&'v Json>) -> (usize, &'v Json) {
        let depth = r.path.len();
        if let Some(variant) = self.variant {
            r.enter_field(variant);
        }
        r.enter_field(name);
        let value = value.unwrap_or_else(|| {
            r.fail("is missing".into());
            &NULL
        });
        (depth, value)
    }
}

/// What an absent required field is read as, once reported.
static NULL: Json = Json::Null;

/// An externally tagged enum value: its variant's name and fields. A variant without
/// fields is written `"heal"` (also accepted: `{"heal": null}`), one with fields
/// `{"crash": {"node": 2}}`. The caller matches the name and, for any other, calls
/// [`unknown_variant`] (also what happens after a wrong value was reported here: the name
/// is then empty).
pub fn variant<'v>(r: &mut Reader, value: &'v Json) -> (&'v str, Fields<'v>) {
    let (name, entries): (&str, &[(String, Json)]) = match value {
        Json::String(name) => (name, &[]),
        Json::Object(tagged) if tagged.len() == 1 => {
            let (name, body) = &tagged[0];
            match body {
                Json::Null => (name, &[]),
                Json::Object(entries) => (name, entries),
                other => {
                    let depth = r.enter_field(name);
                    r.fail(expected("an object", other));
                    r.path.truncate(depth);
                    ("", &[])
                }
            }
        }
        other => {
            r.fail(expected(
                "a name, or an object with one field named after its kind",
                other,
            ));
            ("", &[])
        }
    };
    let fields = Fields {
        entries,
        variant: Some(name),
    };
    (name, fields)
}

/// Report a variant name that is none of `known` (a `noun` such as "action").
pub fn unknown_variant(r: &mut Reader, noun: &str, name: &str, known: &[&str]) {
    r.fail(format!(
        "names an unknown {noun} “{}” (expected one of: {})",
        clip(name),
        known.join(", ")
    ));
}

/// "should be `what`, not <what `value` is>".
fn expected(what: &str, value: &Json) -> String {
    let found = match value {
        Json::Null => "null".to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Number(text) => clip(text),
        Json::String(_) => "text".to_string(),
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "an object".to_string(),
    };
    format!("should be {what}, not {found}")
}

/// A whole number in `min..=max`, read exactly from its decimal text, as the bits of a
/// two's-complement `u64` (so each integer type takes it with `as`). Reports anything else.
fn whole_number(r: &mut Reader, value: &Json, min: i64, max: u64) -> u64 {
    if let Json::Number(text) = value {
        let (negative, digits) = match text.as_bytes() {
            [b'-', digits @ ..] => (true, digits),
            digits => (false, digits),
        };
        // A fraction or an exponent (`1.0`, `1e3`) is no whole number, as for serde.
        let magnitude = digits.iter().try_fold(0u64, |n, &b| {
            let digit = u64::from(char::from(b).to_digit(10)?);
            (n <= (u64::MAX - digit) / 10).then(|| n * 10 + digit)
        });
        let limit = if negative { min.unsigned_abs() } else { max };
        match magnitude {
            Some(n) if n <= limit => return if negative { n.wrapping_neg() } else { n },
            _ => {}
        }
    }
    r.fail(expected(
        &format!("a whole number from {min} to {max}"),
        value,
    ));
    0
}

macro_rules! integers {
    ($($t:ty)*) => {$(
        impl FromJson for $t {
            fn from_json(r: &mut Reader, value: &Json) -> $t {
                // Every bound fits both casts; a number in range converts exactly.
                whole_number(r, value, <$t>::MIN as i64, <$t>::MAX as u64) as $t
            }
        }
    )*};
}

integers!(u8 u16 u32 u64 i32 i64);

impl FromJson for bool {
    fn from_json(r: &mut Reader, value: &Json) -> bool {
        match value {
            Json::Bool(b) => *b,
            other => {
                r.fail(expected("true or false", other));
                false
            }
        }
    }
}

impl FromJson for String {
    fn from_json(r: &mut Reader, value: &Json) -> String {
        match value {
            Json::String(text) => text.clone(),
            other => {
                r.fail(expected("text", other));
                String::new()
            }
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(r: &mut Reader, value: &Json) -> Vec<T> {
        let Json::Array(items) = value else {
            r.fail(expected("a list", value));
            return Vec::new();
        };
        // Collected from a slice: the vector is allocated once, with no growing code for T.
        let read = |(index, item)| r.item(index, item);
        items.iter().enumerate().map(read).collect()
    }
}

/// `null` is `None`. (An absent field is `None` too, through [`Fields::or_default`].)
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(r: &mut Reader, value: &Json) -> Option<T> {
        match value {
            Json::Null => None,
            other => Some(T::from_json(r, other)),
        }
    }
}

/// An object whose every field is a `V`. A repeated key keeps its last value, as serde's did.
impl<V: FromJson> FromJson for BTreeMap<String, V> {
    fn from_json(r: &mut Reader, value: &Json) -> BTreeMap<String, V> {
        let mut map = BTreeMap::new();
        let Json::Object(entries) = value else {
            r.fail(expected("an object", value));
            return map;
        };
        for (key, item) in entries {
            let depth = r.enter_field(key);
            map.insert(key.clone(), V::from_json(r, item));
            r.path.truncate(depth);
        }
        map
    }
}
