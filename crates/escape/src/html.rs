//! HTML text and attribute values (the contract documents and the report).
//!
//! The five characters that mean something in HTML, in text and in attribute values quoted
//! either way, become references. Control characters, which HTML does not allow raw (and
//! which a browser may drop or show as boxes), and the bidirectional controls, which reorder
//! what a reader sees, are shown as their escapes (`\u{7}`, `\u{202e}`), as on a terminal: a
//! reader of a contract sees that the text holds them.

use crate::terminal;

/// `text` made inert for HTML: it reads as written, and makes no element or reference.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => terminal::push(&mut out, c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn markup_and_controls_are_inert() {
        assert_eq!(
            text("<img src=x onerror='a'> & \"b\""),
            "&lt;img src=x onerror=&#39;a&#39;&gt; &amp; &quot;b&quot;"
        );
        assert_eq!(text("bell\u{7} rlo\u{202e}"), "bell\\u{7} rlo\\u{202e}");
        assert_eq!(text("l'équipe\n« 4 h »"), "l&#39;équipe\n« 4 h »");
    }
}
