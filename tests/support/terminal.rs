//! What slac sends to a terminal, checked for control sequences that came from the input.

/// An OSC 8 hyperlink whose text is not its target, and a CSI sequence that clears the screen:
/// what tests put in titles, references and ticket ids.
pub const HOSTILE: &str = "\u{1b}]8;;http://evil\u{7}x\u{1b}]8;;\u{7} \u{1b}[2J";

/// `text` without slac's own colour codes (SGR sequences, `ESC [ … m`).
pub fn without_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("\u{1b}[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let params = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[params..].starts_with('m') {
            rest = &after[params + 1..];
        } else {
            // Not a colour: kept, for the assertion to find.
            out.push_str("\u{1b}[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Asserts that `output` (stdout or stderr of a run) holds no escape character but slac's own
/// colour codes (none at all without `colour`), no other control character that acts on a
/// terminal, and shows the input's escapes as `\u{1b}`.
pub fn assert_shown_escaped(what: &str, output: &str, colour: bool) {
    let checked = if colour {
        without_colours(output)
    } else {
        output.to_string()
    };
    let raw: Vec<char> = checked
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
        })
        .collect();
    assert!(
        raw.is_empty(),
        "{what}: raw control characters {raw:?} in:\n{output:?}"
    );
    assert!(
        output.contains("\\u{1b}]8;;") && output.contains("evil\\u{7}x\\u{1b}"),
        "{what}: the input's escapes are not shown in:\n{output}"
    );
}
