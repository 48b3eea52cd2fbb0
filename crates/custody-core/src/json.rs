//! JSON as Go prints a map: every object's keys in name order, at every depth.

use serde_json::Value;

/// `value` with the keys of every object in it in name order, at every depth.
pub fn sorted_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn keys_are_sorted_at_every_depth() {
        let value = sorted_keys(json!({"b": [{"z": 1, "a": 2}], "a": {"y": 1, "x": 2}}));
        assert_eq!(keys(&value), ["a", "b"]);
        assert_eq!(keys(&value["a"]), ["x", "y"]);
        assert_eq!(keys(&value["b"][0]), ["a", "z"]);
    }
}
