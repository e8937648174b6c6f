//! Text of a Grafana dashboard (titles, descriptions, legends, text panels): Grafana replaces
//! `$name`, `${name…}` and `[[name]]` with the value of a dashboard or built-in variable
//! (`${__user.email}` is the viewer's address) before it shows the text.
//!
//! Grafana has no escape for these, so a word joiner (U+2060, invisible and of zero width) is put
//! after a `$` that a name or a brace follows, and between the brackets of `[[`: the text reads
//! the same, and no longer matches a variable.

const WORD_JOINER: char = '\u{2060}';

/// `text` as Grafana shows it, never interpolated.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        match (c, chars.peek()) {
            ('$', Some(&next)) if next == '{' || next == '_' || next.is_alphanumeric() => {
                out.push(WORD_JOINER);
            }
            ('[', Some('[')) => out.push(WORD_JOINER),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn variables_are_broken_and_the_rest_kept() {
        assert_eq!(text("Costs $5 and 10 $"), "Costs $\u{2060}5 and 10 $");
        assert_eq!(text("${__user.email}"), "$\u{2060}{__user.email}");
        assert_eq!(text("$__interval"), "$\u{2060}__interval");
        assert_eq!(text("[[var]] [x]"), "[\u{2060}[var]] [x]");
        assert_eq!(text("plain"), "plain");
    }
}
