//! Writing JSON: each type turns itself into a [`Json`] tree ([`ToJson`], implemented by hand
//! beside its [`FromJson`](super::FromJson)), which [`to_string`] prints compactly.
//!
//! Share links are written in every browser tab, so this sits in the main module: serde's
//! derived serializers and serde_json's writer cost every page several KB there. The output is
//! exactly what serde_json printed for the same values (a test compares them over every
//! preset), so links written before and after this writer are the same text.

use super::Json;
use std::collections::BTreeMap;

/// A value that can be written as JSON.
pub trait ToJson {
    fn to_json(&self) -> Json;
}

/// The compact JSON text of a value.
pub fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    write(&value.to_json(), &mut out);
    out
}

/// A struct's fields in declaration order (serde's order), skipping those `None` marks as
/// left out (serde's `skip_serializing_if`).
pub fn object<const N: usize>(fields: [(&str, Option<Json>); N]) -> Json {
    Json::Object(
        fields
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_string(), value?)))
            .collect(),
    )
}

/// An enum variant with fields, externally tagged: `{"crash": {"node": 2}}`.
pub fn tagged<const N: usize>(name: &str, fields: [(&str, Option<Json>); N]) -> Json {
    Json::Object(vec![(name.to_string(), object(fields))])
}

/// A field that is always written.
pub fn field<T: ToJson + ?Sized>(value: &T) -> Option<Json> {
    Some(value.to_json())
}

/// A list field left out when empty.
pub fn unless_empty<T: ToJson>(list: &[T]) -> Option<Json> {
    (!list.is_empty()).then(|| list.to_json())
}

fn write(value: &Json, out: &mut String) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => write_str(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Json::Object(fields) => {
            out.push('{');
            for (i, (name, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(name, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

/// A string literal, escaped as serde_json escapes it.
pub(crate) fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Json {
                Json::Number(self.to_string())
            }
        }
    )*};
}
integers!(u8, u16, u32, u64, i32, i64);

impl ToJson for str {
    fn to_json(&self) -> Json {
        Json::String(self.to_string())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Json {
        Json::String(self.clone())
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Json {
        Json::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Json {
        self.as_ref().map_or(Json::Null, ToJson::to_json)
    }
}

impl<V: ToJson> ToJson for BTreeMap<String, V> {
    fn to_json(&self) -> Json {
        Json::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}
