//! String literals and text blocks: escapes and common indentation.

/// A problem in a string literal: `offset` is the byte offset of its backslash after the opening
/// quote, `len` the length of the escape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapeError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    /// True for an escape whose form is fine but whose value is not (`\u{110000}`).
    pub invalid_value: bool,
}

/// The value of a string literal `"…"` (quotes included in `raw`). Invalid escapes are reported;
/// the value keeps them as written so that no text is lost.
pub fn unescape(raw: &str) -> (String, Vec<EscapeError>) {
    let inner = raw
        .strip_prefix('"')
        .map(|s| s.strip_suffix('"').unwrap_or(s))
        .unwrap_or(raw);
    let mut value = String::with_capacity(inner.len());
    let mut errors = Vec::new();
    let mut chars = inner.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if ch != '\\' {
            value.push(ch);
            continue;
        }
        let offset = i;
        match chars.next() {
            Some((_, '"')) => value.push('"'),
            Some((_, '\\')) => value.push('\\'),
            Some((_, 'n')) => value.push('\n'),
            Some((_, 't')) => value.push('\t'),
            Some((_, 'u')) => {
                let rest = &inner[i + 2..];
                let Some(body) = rest.strip_prefix('{').and_then(|r| r.split_once('}')) else {
                    errors.push(EscapeError {
                        offset,
                        len: 2,
                        message: "a Unicode escape is written `\\u{…}` with 1 to 6 hex digits"
                            .into(),
                        invalid_value: false,
                    });
                    value.push_str("\\u");
                    continue;
                };
                let hex = body.0;
                let len = 2 + hex.len() + 2;
                let code = (!hex.is_empty()
                    && hex.len() <= 6
                    && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(hex, 16).ok())
                .flatten();
                match code.map(char::from_u32) {
                    Some(Some(c)) => value.push(c),
                    Some(None) => {
                        errors.push(EscapeError {
                            offset,
                            len,
                            message: format!("`\\u{{{hex}}}` is not a Unicode character"),
                            invalid_value: true,
                        });
                        value.push_str(&inner[i..i + len]);
                    }
                    None => {
                        errors.push(EscapeError {
                            offset,
                            len,
                            message: format!(
                                "`\\u{{{hex}}}` is not a Unicode escape: use 1 to 6 hex digits"
                            ),
                            invalid_value: false,
                        });
                        value.push_str(&inner[i..i + len]);
                    }
                }
                while chars.next_if(|&(j, _)| j < i + len).is_some() {}
            }
            Some((_, other)) => {
                errors.push(EscapeError {
                    offset,
                    len: 1 + other.len_utf8(),
                    message: format!("unknown escape `\\{other}`"),
                    invalid_value: false,
                });
                value.push('\\');
                value.push(other);
            }
            None => value.push('\\'),
        }
    }
    (value, errors)
}

/// The value of a text block `"""…"""` (quotes included in `raw`): no escapes; a first line that
/// is empty and a last line of only spaces are dropped, and the indentation common to the
/// non-blank lines is removed.
pub fn dedent_text_block(raw: &str) -> String {
    let inner = raw
        .strip_prefix("\"\"\"")
        .map(|s| s.strip_suffix("\"\"\"").unwrap_or(s))
        .unwrap_or(raw);
    if !inner.contains('\n') {
        return inner.to_string();
    }
    let mut lines: Vec<&str> = inner
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    if lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    if lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The byte offset, from the start of the literal as written (`raw`, quotes included), of the
/// character at byte `offset` of its value: how a diagnostic about a part of a string's value
/// (a PromQL query, say) points at the right column of the source.
pub fn source_offset(raw: &str, text_block: bool, offset: usize) -> usize {
    if text_block {
        return text_block_offset(raw, offset);
    }
    let inner = raw
        .strip_prefix('"')
        .map(|s| s.strip_suffix('"').unwrap_or(s))
        .unwrap_or(raw);
    let mut value_len = 0;
    let mut i = 0;
    while i < inner.len() && value_len < offset {
        let rest = &inner[i..];
        let (raw_len, len) = match rest.strip_prefix('\\') {
            Some(after) => match after.chars().next() {
                Some('"' | '\\' | 'n' | 't') => (2, 1),
                Some('u') => {
                    let (value, _) = unescape(&format!("\"{}\"", escape_prefix(rest)));
                    (escape_prefix(rest).len(), value.len())
                }
                Some(other) => (1 + other.len_utf8(), 1 + other.len_utf8()),
                None => (1, 1),
            },
            None => {
                let len = rest.chars().next().map_or(1, char::len_utf8);
                (len, len)
            }
        };
        i += raw_len;
        value_len += len;
    }
    (1 + i).min(raw.len())
}

/// The `\u{…}` escape at the start of `rest` as written (up to its `}`), or `\u` alone.
fn escape_prefix(rest: &str) -> &str {
    match rest[2..].strip_prefix('{').and_then(|r| r.find('}')) {
        Some(close) => &rest[..2 + 1 + close + 1],
        None => &rest[..2],
    }
}

fn text_block_offset(raw: &str, offset: usize) -> usize {
    let inner = raw.strip_prefix("\"\"\"").unwrap_or(raw);
    let start = raw.len() - inner.len();
    let inner = inner.strip_suffix("\"\"\"").unwrap_or(inner);
    let value = dedent_text_block(raw);
    if !inner.contains('\n') {
        return start + offset.min(inner.len());
    }
    // The value's line and column of `offset`.
    let before = &value[..offset.min(value.len())];
    let line = before.matches('\n').count();
    let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1);
    let lines: Vec<&str> = inner.split('\n').collect();
    let skipped = usize::from(lines.first().is_some_and(|l| l.trim().is_empty()));
    let indent = lines
        .iter()
        .skip(skipped)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let target = line + skipped;
    let line_start: usize = lines.iter().take(target).map(|l| l.len() + 1).sum();
    let line_len = lines.get(target).map_or(0, |l| l.len());
    start + line_start + (indent + column).min(line_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_offsets_map_back_to_the_source() {
        let raw = r#""a\"b\u{e9}c\td""#;
        let (value, _) = unescape(raw);
        for (offset, ch) in value.char_indices() {
            let at = source_offset(raw, false, offset);
            let shown = &raw[at..];
            let expected = match ch {
                '"' => "\\\"",
                '\u{e9}' => "\\u{e9}",
                '\t' => "\\t",
                _ => &value[offset..offset + ch.len_utf8()],
            };
            assert!(shown.starts_with(expected), "{offset}: {shown}");
        }
        let block = "\"\"\"\n    sum(rate(x[5m]))\n      / 2\n    \"\"\"";
        let value = dedent_text_block(block);
        let slash = value.find('/').expect("a slash");
        assert_eq!(&block[source_offset(block, true, slash)..][..1], "/");
        assert_eq!(&block[source_offset(block, true, 0)..][..3], "sum");
    }

    #[test]
    fn escapes_are_decoded() {
        let (value, errors) = unescape(r#""a\"b\\c\nd\te\u{1F600}""#);
        assert_eq!(value, "a\"b\\c\nd\te😀");
        assert!(errors.is_empty());
    }

    #[test]
    fn bad_escapes_are_reported_and_kept() {
        let (value, errors) = unescape(r#""x\u{110000}y\q""#);
        assert_eq!(value, r"x\u{110000}y\q");
        assert_eq!(errors.len(), 2);
        assert!(errors[0].invalid_value);
        assert!(!errors[1].invalid_value);
        assert_eq!(errors[1].message, "unknown escape `\\q`");
    }

    #[test]
    fn text_blocks_lose_common_indentation() {
        let raw = "\"\"\"\n    Either party\n      may end.\n  \"\"\"";
        assert_eq!(dedent_text_block(raw), "Either party\n  may end.");
        assert_eq!(dedent_text_block("\"\"\"sum(x)\"\"\""), "sum(x)");
    }
}
