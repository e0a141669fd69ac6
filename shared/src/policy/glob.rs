//! IAM wildcards: `*` (any run of characters, also empty) and `?` (exactly one
//! character), compiled once and matched without exponential backtracking.
//!
//! Matching works on bytes; `?` consumes one whole UTF-8 character. A literal `*` or `?`
//! (from `${*}`, `${?}` or a variable's value) is a plain byte, not a wildcard.

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
    Byte(u8),
    /// `?`: one character.
    One,
    /// `*`: any run of characters.
    Star,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    toks: Vec<Tok>,
    /// The literal bytes before the first wildcard, for indexing.
    prefix: Vec<u8>,
    /// Where the tokens after the last `*` start (when there is a `*`): a match must end
    /// with them, which rules most texts out in a few comparisons.
    tail: Option<usize>,
}

impl Glob {
    /// A pattern in which `*` and `?` are wildcards and every other byte is literal.
    pub(crate) fn new(pattern: &str) -> Glob {
        Glob::from_toks(pattern.bytes().map(|b| match b {
            b'*' => Tok::Star,
            b'?' => Tok::One,
            b => Tok::Byte(b),
        }))
    }

    /// Build from tokens, normalizing each run of wildcards to `?…?` followed by at most
    /// one `*` (same meaning; after a `*` the matcher then always meets a literal byte at
    /// a character boundary, which keeps `?` aligned on UTF-8 characters).
    pub(crate) fn from_toks(toks: impl IntoIterator<Item = Tok>) -> Glob {
        let mut out = Vec::new();
        let mut ones = 0usize;
        let mut star = false;
        let flush = |out: &mut Vec<Tok>, ones: &mut usize, star: &mut bool| {
            out.extend(std::iter::repeat_n(Tok::One, *ones));
            if *star {
                out.push(Tok::Star);
            }
            *ones = 0;
            *star = false;
        };
        for tok in toks {
            match tok {
                Tok::One => ones += 1,
                Tok::Star => star = true,
                Tok::Byte(b) => {
                    flush(&mut out, &mut ones, &mut star);
                    out.push(Tok::Byte(b));
                }
            }
        }
        flush(&mut out, &mut ones, &mut star);
        let prefix = out
            .iter()
            .map_while(|t| match t {
                Tok::Byte(b) => Some(*b),
                _ => None,
            })
            .collect();
        let tail = out.iter().rposition(|t| *t == Tok::Star).map(|i| i + 1);
        Glob {
            toks: out,
            prefix,
            tail,
        }
    }

    /// The pattern as plain text when it has no wildcard (then matching is equality).
    pub(crate) fn literal(&self) -> Option<String> {
        let bytes: Option<Vec<u8>> = self
            .toks
            .iter()
            .map(|t| match t {
                Tok::Byte(b) => Some(*b),
                _ => None,
            })
            .collect();
        bytes.and_then(|b| String::from_utf8(b).ok())
    }

    /// The literal bytes before the first wildcard (all of them when there is none).
    pub(crate) fn literal_prefix(&self) -> &[u8] {
        &self.prefix
    }

    pub(crate) fn toks(&self) -> &[Tok] {
        &self.toks
    }

    /// Whether `text` matches the whole pattern.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        if !bytes.starts_with(&self.prefix) {
            return false;
        }
        if let Some(start) = self.tail {
            let tail = &self.toks[start..];
            // Each tail token takes one byte unless a `?` meets a multi-byte character.
            let fixed = !tail.contains(&Tok::One) || text.is_ascii();
            if fixed {
                let Some(end) = bytes.len().checked_sub(tail.len()) else {
                    return false;
                };
                let ends_well = tail.iter().zip(&bytes[end..]).all(|(t, b)| match t {
                    Tok::Byte(p) => p == b,
                    _ => true,
                });
                if !ends_well {
                    return false;
                }
            }
        }
        matches_toks(&self.toks, bytes)
    }
}

/// Greedy matching with a single backtrack point (the last `*`): O(pattern × text).
pub(crate) fn matches_toks(pat: &[Tok], text: &[u8]) -> bool {
    let (mut p, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while s < text.len() {
        match pat.get(p) {
            Some(Tok::Byte(b)) if *b == text[s] => {
                p += 1;
                s += 1;
            }
            Some(Tok::One) => {
                p += 1;
                s += utf8_len(text[s]);
            }
            Some(Tok::Star) => {
                star = Some((p, s));
                p += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    // Let the `*` take more: skip to where the next literal byte occurs.
                    let mut next = ss + 1;
                    if let Some(Tok::Byte(b)) = pat.get(sp + 1) {
                        match text[next.min(text.len())..].iter().position(|t| t == b) {
                            Some(offset) => next += offset,
                            None => return false,
                        }
                    }
                    p = sp + 1;
                    s = next;
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    // `?` may have stepped over the end on a truncated character.
    if s > text.len() {
        return false;
    }
    while let Some(Tok::Star) = pat.get(p) {
        p += 1;
    }
    p == pat.len()
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("a*", "a", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "aéc", true),
            ("*?", "é", true),
            ("a*?c", "aéc", true),
            ("a*?c", "ac", false),
            (
                "*b*b*b*b*b*b*b*b*c",
                "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                false,
            ),
            ("arn:aws:iam::*:role/*", "arn:aws:iam::123:role/x", true),
            ("?", "", false),
            ("??", "é", false),
            ("*x?", "éxé", true),
            ("*x??", "éxé", false),
            ("a*é", "aé", true),
            ("ab*ab", "ab", false),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(Glob::new(pattern).matches(text), want, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn literal_star_is_not_a_wildcard() {
        let glob = Glob::from_toks([Tok::Byte(b'a'), Tok::Byte(b'*')]);
        assert!(glob.matches("a*"));
        assert!(!glob.matches("ab"));
        assert_eq!(glob.literal().as_deref(), Some("a*"));
        assert_eq!(Glob::new("a*").literal(), None);
        assert_eq!(Glob::new("ab?c*").literal_prefix(), b"ab");
        assert_eq!(Glob::new("*").literal_prefix(), b"");
    }
}
