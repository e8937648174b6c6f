//! A small YAML writer for the documents slac generates: maps with plain keys, lists, and strings,
//! always written double-quoted (or as `|-` blocks of plain lines), so no value can be misread as
//! another type. Every character that YAML does not allow raw, or would read as a line break
//! (C0 and C1 controls, DEL, U+2028, U+2029, the byte-order mark, noncharacters), is written as
//! an escape, so any string read from a `.sla` file reads back the same.

#[derive(Debug, Clone)]
pub(crate) enum Yaml {
    Map(Vec<(String, Yaml)>),
    List(Vec<Yaml>),
    Str(String),
    /// A number, written plainly (`0.999`, `30`).
    Number(f64),
    Bool(bool),
}

impl Yaml {
    pub fn map(entries: Vec<(&str, Yaml)>) -> Yaml {
        Yaml::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    pub fn str(text: impl Into<String>) -> Yaml {
        Yaml::Str(text.into())
    }

    pub fn number(value: f64) -> Yaml {
        Yaml::Number(value)
    }

    /// The document, ending with a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }

    /// The lines of a multi-line string that reads the same as a block scalar (`|-`): no
    /// trailing spaces, no leading space on the first line, no control characters but newlines.
    fn block_lines(&self) -> Option<Vec<&str>> {
        let Yaml::Str(text) = self else { return None };
        let plain = text.contains('\n')
            && !text.starts_with([' ', '\t', '\n'])
            && !text.ends_with('\n')
            && text.chars().all(|c| c == '\n' || !needs_escape(c))
            && text.lines().all(|line| !line.ends_with([' ', '\t']));
        plain.then(|| text.split('\n').collect())
    }

    fn scalar(&self) -> Option<String> {
        match self {
            Yaml::Str(text) => Some(quoted(text)),
            Yaml::Number(value) => Some(crate::promql::number(*value)),
            Yaml::Bool(value) => Some(value.to_string()),
            Yaml::Map(entries) if entries.is_empty() => Some("{}".into()),
            Yaml::List(items) if items.is_empty() => Some("[]".into()),
            _ => None,
        }
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        match self {
            Yaml::Map(entries) => {
                for (key, value) in entries {
                    let key = plain_key(key);
                    if let Some(lines) = value.block_lines() {
                        out.push_str(&format!("{pad}{key}: |-\n"));
                        for line in lines {
                            if line.is_empty() {
                                out.push('\n');
                            } else {
                                out.push_str(&format!("{pad}  {line}\n"));
                            }
                        }
                        continue;
                    }
                    match value.scalar() {
                        Some(scalar) => out.push_str(&format!("{pad}{key}: {scalar}\n")),
                        None => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            let nested = if matches!(value, Yaml::List(_)) {
                                indent
                            } else {
                                indent + 2
                            };
                            value.write(out, nested);
                        }
                    }
                }
            }
            Yaml::List(items) => {
                for item in items {
                    match item.scalar() {
                        Some(scalar) => out.push_str(&format!("{pad}- {scalar}\n")),
                        None => {
                            // The first line of a map item follows the dash.
                            let mut nested = String::new();
                            item.write(&mut nested, indent + 2);
                            let trimmed = nested.get(indent + 2..).unwrap_or("");
                            out.push_str(&format!("{pad}- {trimmed}"));
                        }
                    }
                }
            }
            Yaml::Str(_) | Yaml::Number(_) | Yaml::Bool(_) => {
                if let Some(scalar) = self.scalar() {
                    out.push_str(&format!("{pad}{scalar}\n"));
                }
            }
        }
    }
}

/// A key as written: plain when it can only be read as that string, else double-quoted.
fn plain_key(key: &str) -> String {
    let plain = !key.is_empty()
        && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        key.to_string()
    } else {
        quoted(key)
    }
}

/// A character a YAML document may not hold raw, or that a YAML 1.1 reader takes for a line
/// break: outside the printable set of YAML 1.2 §5.1, or NEL, LS, PS, or the BOM.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// A YAML double-quoted scalar that reads back as `text`.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let code = c as u32;
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{code:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::Yaml;

    #[test]
    fn multi_line_strings_are_blocks() {
        let doc = Yaml::map(vec![("expr", Yaml::str("a\n/\nb"))]);
        assert_eq!(doc.render(), "expr: |-\n  a\n  /\n  b\n");
        let awkward = Yaml::map(vec![("expr", Yaml::str("a \nb"))]);
        assert_eq!(awkward.render(), "expr: \"a \\nb\"\n");
        let typed = Yaml::map(vec![
            ("target", Yaml::number(0.999)),
            ("on", Yaml::Bool(true)),
        ]);
        // `on` would read as a boolean key in YAML 1.1: it is quoted.
        assert_eq!(typed.render(), "target: 0.999\n\"on\": true\n");
        let keys = Yaml::map(vec![
            ("a b: c", Yaml::str("x")),
            ("app.kubernetes.io/name", Yaml::str("y")),
        ]);
        assert_eq!(
            keys.render(),
            "\"a b: c\": \"x\"\napp.kubernetes.io/name: \"y\"\n"
        );
    }

    #[test]
    fn characters_yaml_cannot_hold_raw_are_escaped() {
        let text = "a\u{7f}b\u{85}c\u{2028}d\u{2029}e\u{feff}f\u{1b}g\u{9b}h\"\\";
        let doc = Yaml::map(vec![("title", Yaml::str(text))]);
        assert_eq!(
            doc.render(),
            "title: \"a\\x7fb\\x85c\\u2028d\\u2029e\\ufefff\\x1bg\\x9bh\\\"\\\\\"\n"
        );
        let read: std::collections::BTreeMap<String, String> =
            serde_norway::from_str(&doc.render()).expect("valid YAML");
        assert_eq!(read["title"], text);
        // A multi-line value with such a character is quoted, not a block.
        let doc = Yaml::map(vec![("expr", Yaml::str("a\nb\u{2028}c"))]);
        assert_eq!(doc.render(), "expr: \"a\\nb\\u2028c\"\n");
    }

    #[test]
    fn nested_maps_and_lists() {
        let doc = Yaml::map(vec![(
            "groups",
            Yaml::List(vec![Yaml::map(vec![
                ("name", Yaml::str("g")),
                (
                    "rules",
                    Yaml::List(vec![Yaml::map(vec![
                        ("record", Yaml::str("a:b")),
                        ("expr", Yaml::str("x{y=\"z\"}")),
                    ])]),
                ),
            ])]),
        )]);
        assert_eq!(
            doc.render(),
            "groups:\n- name: \"g\"\n  rules:\n  - record: \"a:b\"\n    expr: \"x{y=\\\"z\\\"}\"\n"
        );
    }
}
