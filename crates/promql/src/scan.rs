//! The lexical structure of a query, read before the parser: string literals, comments,
//! brackets and regex matchers, each with its byte range. promql-parser says *whether* a query
//! is valid; this scan says *where* the common mistakes are (an unclosed parenthesis, a string
//! that runs to the end of the line), finds the comments to strip, and the regex matchers whose
//! patterns are checked on their own.

use std::ops::Range;

/// One problem found by the scan, at a byte range of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScanError {
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// `# …` up to (not including) the end of the line.
    pub comments: Vec<Range<usize>>,
    /// Byte offsets of the `~` of each `=~` / `!~` inside braces.
    pub regex_ops: Vec<usize>,
    /// The string literal following each regex operator, quotes included.
    pub regex_literals: Vec<Range<usize>>,
    /// Rough token ranges (words, numbers, strings, punctuation), for locating parse errors.
    pub tokens: Vec<Range<usize>>,
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.')
}

/// Scans `text`; the first structural error stops the scan.
pub(crate) fn scan(text: &str) -> Result<Scan, ScanError> {
    let bytes = text.as_bytes();
    let mut out = Scan::default();
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut after_regex_op = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.comments.push(i..end);
                i = end;
            }
            b'"' | b'\'' | b'`' => {
                let end = string_end(text, i)?;
                if after_regex_op {
                    out.regex_literals.push(i..end);
                }
                out.tokens.push(i..end);
                i = end;
                after_regex_op = false;
                continue;
            }
            b'(' | b'[' | b'{' => {
                stack.push((b, i));
                out.tokens.push(i..i + 1);
                i += 1;
            }
            b')' | b']' | b'}' => {
                match stack.pop() {
                    Some((open, _)) if closer(open) == b => {}
                    Some((open, at)) => {
                        return Err(ScanError {
                            range: i..i + 1,
                            message: format!(
                                "`{}` closes the `{}` opened at column {}, which needs `{}`",
                                b as char,
                                open as char,
                                text[..at].chars().count() + 1,
                                closer(open) as char
                            ),
                        })
                    }
                    None => {
                        return Err(ScanError {
                            range: i..i + 1,
                            message: format!("`{}` closes nothing", b as char),
                        })
                    }
                }
                out.tokens.push(i..i + 1);
                i += 1;
            }
            b'=' | b'!' if bytes.get(i + 1) == Some(&b'~') => {
                if stack.last().is_some_and(|&(open, _)| open == b'{') {
                    out.regex_ops.push(i + 1);
                    after_regex_op = true;
                }
                out.tokens.push(i..i + 2);
                i += 2;
                continue;
            }
            _ if is_word(b) => {
                let start = i;
                while i < bytes.len() && is_word(bytes[i]) {
                    i += 1;
                }
                out.tokens.push(start..i);
            }
            _ => {
                // Operators and anything else: one character (a whole UTF-8 sequence).
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                out.tokens.push(i..i + len);
                i += len;
            }
        }
        after_regex_op = false;
    }
    if let Some(&(open, at)) = stack.last() {
        return Err(ScanError {
            range: at..at + 1,
            message: format!("this `{}` is never closed", open as char),
        });
    }
    Ok(out)
}

/// The end (exclusive) of the string literal starting at `start`. A `"…"` or `'…'` string ends
/// on its line, as in Prometheus; a raw `` `…` `` string may span lines and has no escapes.
fn string_end(text: &str, start: usize) -> Result<usize, ScanError> {
    let bytes = text.as_bytes();
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b if b == quote => return Ok(i + 1),
            b'\\' if quote != b'`' => i += 2,
            b'\n' if quote != b'`' => break,
            _ => i += 1,
        }
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    Err(ScanError {
        range: start..line_end.max(start + 1),
        message: format!(
            "this string has no closing `{}`{}",
            quote as char,
            if quote == b'`' { "" } else { " on its line" }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_strings_and_regex_matchers_are_found() {
        let text = "sum(rate(x{code=~\"5.#.\", a!~'b'}[5m])) # the errors\n+ 0";
        let scan = scan(text).expect("scans");
        assert_eq!(scan.comments.len(), 1);
        assert_eq!(&text[scan.comments[0].clone()], "# the errors");
        assert_eq!(scan.regex_ops.len(), 2);
        assert!(scan.regex_ops.iter().all(|&at| &text[at..at + 1] == "~"));
        let literals: Vec<&str> = scan
            .regex_literals
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(literals, ["\"5.#.\"", "'b'"]);
    }

    #[test]
    fn brackets_and_strings_are_located() {
        let e = scan("sum(rate(x[5m])").unwrap_err();
        assert_eq!(e.range, 3..4);
        let e = scan("sum(rate(x[5m])))").unwrap_err();
        assert_eq!(e.range, 16..17);
        let e = scan("rate(x[5m)]").unwrap_err();
        assert_eq!(e.range, 9..10);
        assert!(e.message.contains("column 7"), "{}", e.message);
        let e = scan("x{a=\"b}\n").unwrap_err();
        assert_eq!(e.range, 4..7);
        // `!~` outside braces is no regex matcher (and is left to the parser).
        assert!(scan("x !~ y").expect("scans").regex_ops.is_empty());
    }
}
