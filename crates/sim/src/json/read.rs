//! Reading typed values out of a [`Json`] tree: the [`FromJson`] trait, its impls for the
//! standard types, and the two helpers every hand-written impl uses, [`Fields`] (a struct)
//! and [`variant`] (an externally tagged enum).
//!
//! Errors are built where a value is wrong, without its place; each enclosing object and
//! list adds its step on the way out, so the message names the whole path.

use super::{clip, Json, JsonError};
use std::collections::BTreeMap;

/// A type that can be read from a JSON value.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Result<Self, JsonError>;
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
    /// The fields of `value`, which must be an object.
    pub fn of(value: &'v Json) -> Result<Fields<'v>, JsonError> {
        match value {
            Json::Object(entries) => Ok(Fields {
                entries,
                variant: None,
            }),
            other => Err(expected("an object", other)),
        }
    }

    /// A field that must be present.
    pub fn req<T: FromJson>(&self, name: &str) -> Result<T, JsonError> {
        let read = match self.get(name) {
            Some(value) => T::from_json(value),
            None => Err(problem("is missing".into())),
        };
        read.map_err(|e| self.locate(e, name))
    }

    /// A field that takes `T`'s default when absent (what `#[serde(default)]` did).
    pub fn or_default<T: FromJson + Default>(&self, name: &str) -> Result<T, JsonError> {
        match self.get(name) {
            Some(value) => T::from_json(value).map_err(|e| self.locate(e, name)),
            None => Ok(T::default()),
        }
    }

    fn get(&self, name: &str) -> Option<&'v Json> {
        self.entries
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    fn locate(&self, error: JsonError, name: &str) -> JsonError {
        let error = error.in_field(name);
        match self.variant {
            Some(variant) => error.in_field(variant),
            None => error,
        }
    }
}

/// An externally tagged enum value: its variant's name and fields. A variant without
/// fields is written `"heal"` (also accepted: `{"heal": null}`), one with fields
/// `{"crash": {"node": 2}}`. The caller matches the name and ends with
/// [`unknown_variant`].
pub fn variant(value: &Json) -> Result<(&str, Fields<'_>), JsonError> {
    let (name, entries): (&str, &[(String, Json)]) = match value {
        Json::String(name) => (name, &[]),
        Json::Object(tagged) if tagged.len() == 1 => {
            let (name, body) = &tagged[0];
            match body {
                Json::Null => (name, &[]),
                Json::Object(entries) => (name, entries),
                other => return Err(expected("an object", other).in_field(name)),
            }
        }
        other => {
            return Err(expected(
                "a name, or an object with one field named after its kind",
                other,
            ))
        }
    };
    let fields = Fields {
        entries,
        variant: Some(name),
    };
    Ok((name, fields))
}

/// The error for a variant name that is none of `known` (a `noun` such as "action").
pub fn unknown_variant(noun: &str, name: &str, known: &[&str]) -> JsonError {
    problem(format!(
        "names an unknown {noun} “{}” (expected one of: {})",
        clip(name),
        known.join(", ")
    ))
}

fn problem(problem: String) -> JsonError {
    JsonError::Value {
        path: String::new(),
        problem,
    }
}

/// "should be `what`, not <what `value` is>".
fn expected(what: &str, value: &Json) -> JsonError {
    let found = match value {
        Json::Null => "null".to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Number(text) => clip(text),
        Json::String(_) => "text".to_string(),
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "an object".to_string(),
    };
    problem(format!("should be {what}, not {found}"))
}

/// A whole number in `min..=max`, read from its decimal text without rounding.
fn whole_number(value: &Json, min: i128, max: i128) -> Result<i128, JsonError> {
    let parsed = match value {
        Json::Number(text) => {
            let (negative, digits) = match text.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, text.as_str()),
            };
            // A fraction or an exponent (`1.0`, `1e3`) is no whole number, as for serde.
            digits
                .bytes()
                .try_fold(0i128, |n, b| {
                    let digit = char::from(b).to_digit(10)?;
                    n.checked_mul(10)?.checked_add(i128::from(digit))
                })
                .map(|n| if negative { -n } else { n })
        }
        _ => None,
    };
    match parsed {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(expected(
            &format!("a whole number from {min} to {max}"),
            value,
        )),
    }
}

macro_rules! integers {
    ($($t:ty)*) => {$(
        impl FromJson for $t {
            fn from_json(value: &Json) -> Result<$t, JsonError> {
                // In range, so the conversion is exact.
                whole_number(value, <$t>::MIN.into(), <$t>::MAX.into()).map(|n| n as $t)
            }
        }
    )*};
}

integers!(u8 u16 u32 u64 i32 i64);

impl FromJson for bool {
    fn from_json(value: &Json) -> Result<bool, JsonError> {
        match value {
            Json::Bool(b) => Ok(*b),
            other => Err(expected("true or false", other)),
        }
    }
}

impl FromJson for String {
    fn from_json(value: &Json) -> Result<String, JsonError> {
        match value {
            Json::String(text) => Ok(text.clone()),
            other => Err(expected("text", other)),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json) -> Result<Vec<T>, JsonError> {
        let Json::Array(items) = value else {
            return Err(expected("a list", value));
        };
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            out.push(T::from_json(item).map_err(|e| e.at_index(index))?);
        }
        Ok(out)
    }
}

/// `null` is `None`. (An absent field is `None` too, through [`Fields::or_default`].)
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Json) -> Result<Option<T>, JsonError> {
        match value {
            Json::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
}

/// An object whose every field is a `V`. A repeated key keeps its last value, as serde's did.
impl<V: FromJson> FromJson for BTreeMap<String, V> {
    fn from_json(value: &Json) -> Result<BTreeMap<String, V>, JsonError> {
        let Json::Object(entries) = value else {
            return Err(expected("an object", value));
        };
        let mut map = BTreeMap::new();
        for (key, item) in entries {
            map.insert(
                key.clone(),
                V::from_json(item).map_err(|e| e.in_field(key))?,
            );
        }
        Ok(map)
    }
}
