//! Go `text/template` text, as Prometheus expands alert annotations and labels and Alertmanager
//! expands its notification fields.
//!
//! Outside an action, only `{{` means something to Go's template lexer. A literal run of
//! braces is written as an action that prints a string constant (`{{ "{{" }}`), which Go
//! prints back as the braces. A lone `{` is kept, except at the very end of the text, where the
//! next piece of template text (`{{ $value }}`) could complete it into a delimiter.

/// `text` as Go-template text that expands to exactly `text`.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let run = rest[start..].len() - rest[start..].trim_start_matches('{').len();
        let after = start + run;
        if run >= 2 || after == rest.len() {
            out.push_str("{{ \"");
            out.push_str(&rest[start..after]);
            out.push_str("\" }}");
        } else {
            out.push('{');
        }
        rest = &rest[after..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::literal;

    #[test]
    fn braces_that_would_open_an_action_are_printed_by_an_action() {
        assert_eq!(literal("plain text"), "plain text");
        assert_eq!(literal("a {b} c"), "a {b} c");
        assert_eq!(
            literal("{{ query \"up\" }}"),
            "{{ \"{{\" }} query \"up\" }}"
        );
        assert_eq!(literal("x{{{y"), "x{{ \"{{{\" }}y");
        assert_eq!(literal("ends with {"), "ends with {{ \"{\" }}");
        assert_eq!(literal("}}"), "}}");
        assert_eq!(literal(""), "");
    }
}
