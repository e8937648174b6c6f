//! Text for a terminal: control characters shown escaped, never sent raw.
//!
//! A terminal acts on what it is sent: `ESC ]8;;…` makes a hyperlink whose text need not be its
//! target, `ESC [2J` clears the screen, `\r` goes back to overwrite the line, `\x07` rings, and
//! the bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and the like) reorder what is shown
//! so that it reads otherwise than it is. Untrusted text written for people shows each of these
//! as its Rust escape (`\u{1b}`, `\u{d}`, `\u{202e}`), which says exactly which character it was.
//! Line feeds and tabs are layout and stay as they are.

use std::borrow::Cow;

/// Whether `c` is shown escaped: C0 and C1 control characters (except line feed and tab), DEL,
/// the bidirectional formatting characters, and the line and paragraph separators.
pub fn is_escaped(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // Arabic letter mark, left-to-right and right-to-left marks, embeddings and overrides,
        // isolates.
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            true
        }
        '\u{2028}' | '\u{2029}' => true,
        _ => false,
    }
}

/// Writes `c` as shown on a terminal: escaped as `\u{1b}` if [`is_escaped`], else as itself.
pub fn push(out: &mut String, c: char) {
    if is_escaped(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// `text` with every character of [`is_escaped`] written as its escape (`\u{1b}`). Borrowed when
/// nothing needed escaping, which is nearly always.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn control_characters_are_shown_as_rust_escapes() {
        assert_eq!(
            escape("\u{1b}]8;;http://evil\u{7}x\u{1b}]8;;\u{7}"),
            "\\u{1b}]8;;http://evil\\u{7}x\\u{1b}]8;;\\u{7}"
        );
        assert_eq!(escape("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(
            escape("a\rb\u{0}\u{7f}\u{9b}"),
            "a\\u{d}b\\u{0}\\u{7f}\\u{9b}"
        );
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn ordinary_text_is_kept_as_it_is() {
        for text in [
            "plain",
            "deux lignes\n\tindentée",
            "1er mai, 99,9 %",
            "l’été — « ok »",
            "",
        ] {
            assert!(matches!(escape(text), std::borrow::Cow::Borrowed(t) if t == text));
        }
    }
}
