//! The JSON types the Kosli CLI's Go code accepts for a field, and which
//! values satisfy each.

use serde_json::Value;

/// What a field must be for the CLI's Go code to accept it.
#[derive(Clone, Copy)]
pub enum Kind {
    /// An integer literal (Go `int`/`int64`): `1.0` or `1e3` fail to decode.
    Int,
    /// An integer literal or null/absent (an `int` struct field).
    IntOrNull,
    /// An integer literal above 0.
    PositiveInt,
    /// Any number (`.(float64)` on a decoded map).
    Num,
    /// Any number or null/absent (a `float64` struct field).
    NumOrNull,
    /// A string, never null (`.(string)` on a decoded map).
    Str,
    /// A string or null/absent (a `string` struct field, or a nil-checked assertion).
    StrOrNull,
    /// A non-empty string.
    NonEmptyStr,
    /// A string of at least 7 bytes (the CLI slices `[:7]`).
    Sha,
    /// `""`, null/absent, or a string of at least 7 bytes.
    ShaOrEmpty,
    /// A bool, never null (`.(bool)`).
    Bool,
    /// A bool or null/absent.
    BoolOrNull,
    /// An array, never null (`.([]interface{})`).
    Arr,
    /// An array or null/absent.
    ArrOrNull,
    /// An array with at least one element.
    NonEmptyArr,
    /// An object, never null (`.(map[string]interface{})`).
    Obj,
    /// An object or null/absent.
    ObjOrNull,
    /// What `formattedTimestamp` takes: a number, a numeric string, or null/absent.
    Ts,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Int => "integer literal",
            Kind::IntOrNull => "integer literal or null",
            Kind::PositiveInt => "integer literal > 0",
            Kind::Num => "number",
            Kind::NumOrNull => "number or null",
            Kind::Str => "string",
            Kind::StrOrNull => "string or null",
            Kind::NonEmptyStr => "non-empty string",
            Kind::Sha => "string of 7+ characters",
            Kind::ShaOrEmpty => "\"\", null or string of 7+ characters",
            Kind::Bool => "bool",
            Kind::BoolOrNull => "bool or null",
            Kind::Arr => "array",
            Kind::ArrOrNull => "array or null",
            Kind::NonEmptyArr => "non-empty array",
            Kind::Obj => "object",
            Kind::ObjOrNull => "object or null",
            Kind::Ts => "number, numeric string or null",
        }
    }

    pub fn accepts(self, value: Option<&Value>) -> bool {
        let v = value.unwrap_or(&Value::Null);
        let null = v.is_null();
        let int = v.is_i64() || v.is_u64();
        match self {
            Kind::Int => int,
            Kind::IntOrNull => null || int,
            Kind::PositiveInt => v.as_u64().is_some_and(|n| n > 0),
            Kind::Num => v.is_number(),
            Kind::NumOrNull => null || v.is_number(),
            Kind::Str => v.is_string(),
            Kind::StrOrNull => null || v.is_string(),
            Kind::NonEmptyStr => v.as_str().is_some_and(|s| !s.is_empty()),
            Kind::Sha => v.as_str().is_some_and(|s| s.len() >= 7),
            Kind::ShaOrEmpty => null || v.as_str().is_some_and(|s| s.is_empty() || s.len() >= 7),
            Kind::Bool => v.is_boolean(),
            Kind::BoolOrNull => null || v.is_boolean(),
            Kind::Arr => v.is_array(),
            Kind::ArrOrNull => null || v.is_array(),
            Kind::NonEmptyArr => v.as_array().is_some_and(|a| !a.is_empty()),
            Kind::Obj => v.is_object(),
            Kind::ObjOrNull => null || v.is_object(),
            Kind::Ts => {
                null || v.is_number() || v.as_str().is_some_and(|s| s.parse::<f64>().is_ok())
            }
        }
    }
}
