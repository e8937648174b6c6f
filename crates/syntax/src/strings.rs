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

#[cfg(test)]
mod tests {
    use super::*;

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
