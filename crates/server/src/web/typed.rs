//! JSON values as typed strings: API amounts may come as JSON strings or numbers, and the
//! manual's rules (半角数字, digits) are checked on the text, so `-1` or `1.5` are refused
//! exactly like "-1" and "1.5" typed on a screen.

/// The text a person would have typed for `v`.
pub fn typed(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
