//! A bound on how deeply a JSON document nests, checked before parsing.
//!
//! serde_json refuses documents nested deeper than 128 levels, but only as a generic
//! syntax error; scanning first lets us give the caller a specific, stable error code
//! and keeps the limit ours rather than a library default.

/// Deepest nesting of arrays and objects a message may have.
pub const MAX_DEPTH: usize = 32;

/// The deepest array/object nesting in `text`, ignoring brackets inside strings.
///
/// The scan is linear and allocation-free; it does not validate the JSON.
pub fn max_depth(text: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::max_depth;

    #[test]
    fn counts_nesting_outside_strings() {
        assert_eq!(max_depth(b"1"), 0);
        assert_eq!(max_depth(b"{}"), 1);
        assert_eq!(max_depth(br#"{"a":[1,{"b":[]}]}"#), 4);
        assert_eq!(max_depth(br#"{"a":"[[[[{{{{"}"#), 1);
        assert_eq!(max_depth(br#"{"a":"\"[[["}"#), 1);
        assert_eq!(max_depth(br#"["\\",[]]"#), 2);
        assert_eq!(max_depth("[".repeat(10_000).as_bytes()), 10_000);
    }
}
