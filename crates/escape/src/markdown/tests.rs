use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{cell, code, inline, inline_keeping_code, paragraphs, WORD_JOINER};

/// Every extension pulldown-cmark has, but smart punctuation, which changes text (`'` to `’`)
/// without making markup.
fn options() -> Options {
    Options::all() - Options::ENABLE_SMART_PUNCTUATION
}

/// The text of `markdown` once rendered, or the first event that is markup. Paragraphs and
/// code spans of an identifier (with `allow_code`) are the only markup allowed.
fn rendered(markdown: &str, allow_code: bool) -> Result<String, String> {
    let mut text = String::new();
    // The text GitHub scans: text nodes, not code spans (a code span separates what is around).
    let mut scanned = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            Event::SoftBreak => {
                text.push('\n');
                scanned.push('\n');
            }
            Event::Text(t) => {
                text.push_str(&t);
                scanned.push_str(&t);
            }
            Event::Code(c) if allow_code => {
                text.push_str(&format!("`{c}`"));
                scanned.push(' ');
            }
            other => return Err(format!("{other:?} in {markdown:?}")),
        }
    }
    if let Some(found) = github_finds(&scanned) {
        return Err(format!(
            "GitHub would see {found:?} in {text:?} (from {markdown:?})"
        ));
    }
    Ok(text.replace(WORD_JOINER, ""))
}

/// What GitHub recognises in rendered text that pulldown-cmark does not: the GFM extended
/// autolinks (`www.`, `http://`, `https://`, e-mail addresses), `@mentions` and `#123`
/// references.
fn github_finds(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let rest: String = chars[i..].iter().collect();
        let word_before = prev.is_some_and(|p| p.is_alphanumeric());
        if c == 'w' && !word_before && rest.starts_with("www.") {
            return Some(rest);
        }
        if c == ':' && rest.starts_with("://") {
            let scheme: String = chars[..i].iter().rev().take(5).collect();
            if scheme.starts_with("ptth")
                || scheme.starts_with("sptth")
                || scheme.starts_with("ptf")
            {
                return Some(rest);
            }
        }
        if c == '@' && next.is_some_and(|n| n.is_alphanumeric() || n == '-' || n == '_') {
            return Some(rest);
        }
        if c == '#' && next.is_some_and(|n| n.is_ascii_digit()) {
            return Some(rest);
        }
    }
    None
}

/// What `inline` promises to render: the text on one line, trimmed, controls escaped.
/// (Markdown drops the space kept at either end.)
fn expected(text: &str) -> String {
    super::prepare(text)
        .into_iter()
        .collect::<String>()
        .trim_matches(' ')
        .replace(WORD_JOINER, "")
}

fn assert_inert(text: &str) {
    for (name, out) in [("inline", inline(text)), ("cell", cell(text))] {
        match rendered(&out, false) {
            Ok(shown) => assert_eq!(shown, expected(text), "{name}({text:?}) = {out:?}"),
            Err(e) => panic!("{name}({text:?}) = {out:?}: {e}"),
        }
    }
}

const HOSTILE: [&str; 24] = [
    "![x](http://t/p.png)",
    "[click](http://evil)",
    "<img src=x>",
    "<http://evil>",
    "@octocat",
    "~~no~~",
    "~no~",
    "_em_",
    "*em*",
    "__strong__",
    "https://evil.example",
    "www.evil.example",
    "mail me: a.b@evil.example",
    "a | b",
    "see #123",
    "&copy; &#64; &#x40;",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    "---",
    "`code` and ``more``",
    "$x$ and ^sup^",
    "[^1] [[wiki]] <!-- c -->",
];

#[test]
fn hostile_text_is_inert_and_reads_as_written() {
    for text in HOSTILE {
        assert_inert(text);
    }
    for text in [
        "line one\nline two",
        "a\r\n\r\nb",
        "    indented code",
        "\tx",
        "   # indented heading",
        "ends with \\",
        "ends with spaces  ",
    ] {
        assert_inert(text);
    }
}

#[test]
fn ordinary_text_is_left_as_it_is() {
    for text in [
        "Disponibilité du service de paie",
        "l’offre « Premium » : 99,9 % du temps, 1er mai inclus",
        "Lundi de Pâques",
        "Support 24/7, P1 and P2",
        "payment_api owner",
        "R&D — 5 + 3 = 8",
        "C# and F#",
        "100% (twice!)",
        "it's (a) [sic",
    ] {
        let escaped = inline(text);
        let unchanged = !text.contains('[');
        if unchanged {
            assert_eq!(escaped, text);
        }
        assert_inert(text);
    }
    assert_eq!(inline("it's [sic"), "it's \\[sic");
}

#[test]
fn escapes_are_backslashes_and_word_joiners() {
    assert_eq!(
        inline("![x](http://t/p.png)"),
        "!\\[x](http:\u{2060}//t/p.png)"
    );
    assert_eq!(inline("<img src=x>"), "\\<img src=x>");
    assert_eq!(inline("@octocat"), "@\u{2060}octocat");
    assert_eq!(inline("a@b.example"), "a@\u{2060}b.example");
    assert_eq!(inline("#12"), "#\u{2060}12");
    assert_eq!(inline("_em_ a_b"), "\\_em\\_ a_b");
    assert_eq!(inline("~~no~~"), "\\~\\~no\\~\\~");
    assert_eq!(inline("&copy; R&D"), "\\&copy; R&D");
    assert_eq!(inline("# title #"), "\\# title \\#");
    assert_eq!(inline("2026. An odd year"), "2026\\. An odd year");
    assert_eq!(inline("a | b"), "a | b");
    assert_eq!(cell("a | b\nc"), "a \\| b c");
    assert_eq!(inline("\u{1b}[2J"), "\\u{1b}\\[2J");
    assert_eq!(inline("   # x  "), " \\# x ");
    assert_eq!(inline(": not a definition"), ": not a definition");
}

#[test]
fn a_cell_stays_one_cell() {
    for text in HOSTILE
        .iter()
        .copied()
        .chain(["a | b", "a\nb | c\n\n|---|", "\\|"])
    {
        let table = format!("| h | i |\n|---|---|\n| {} | x |\n", cell(text));
        let mut cells = 0;
        let mut in_body = false;
        for event in Parser::new_ext(&table, options()) {
            match event {
                Event::Start(Tag::TableRow) => in_body = true,
                Event::Start(Tag::TableCell) if in_body => cells += 1,
                Event::Start(
                    Tag::Link { .. } | Tag::Image { .. } | Tag::Emphasis | Tag::Strong,
                )
                | Event::Html(_)
                | Event::InlineHtml(_) => panic!("markup from {text:?} in {table:?}"),
                _ => {}
            }
        }
        assert_eq!(cells, 2, "{table:?}");
    }
}

#[test]
fn paragraphs_keep_their_breaks_and_no_line_starts_a_block() {
    let text =
        "First line\nsecond # line\n\n\n# not a heading\n- not an item\n| a | b |\n|---|---|";
    let out = paragraphs(text);
    assert_eq!(
        out,
        "First line\nsecond # line\n\n\\# not a heading\n\\- not an item\n\\| a \\| b \\|\n\\|---\\|---\\|"
    );
    let events: Vec<_> = Parser::new_ext(&out, options()).collect();
    let starts: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(tag) => Some(tag.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(starts, vec![Tag::Paragraph, Tag::Paragraph]);
}

#[test]
fn code_spans_hold_any_text() {
    assert_eq!(code("payment_api"), "`payment_api`");
    assert_eq!(code("a`b"), "``a`b``");
    assert_eq!(code("`x``"), "``` `x`` ```");
    assert_eq!(code(""), "");
    for text in [
        "a`b",
        "``",
        " x ",
        "` a",
        "a  b",
        "<img src=x>",
        "a\nb",
        "`",
    ] {
        let span = code(text);
        let events: Vec<_> = Parser::new_ext(&span, options()).collect();
        let inner: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Code(c) => Some(c.to_string()),
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => None,
                other => panic!("{other:?} from {text:?}"),
            })
            .collect();
        assert_eq!(
            inner,
            vec![text.replace('\n', " ").trim().to_string()],
            "{text:?}"
        );
    }
}

#[test]
fn identifiers_in_backticks_stay_code_and_nothing_else_is_markup() {
    assert_eq!(
        inline_keeping_code("objective `latency`: holiday added: _x_ `<b>`", false),
        "objective `latency`: holiday added: \\_x\\_ \\`\\<b>\\`"
    );
    for text in HOSTILE {
        let wrapped = format!("calendar `office`: {text} `a.b` ``c`");
        for pipes in [false, true] {
            let out = inline_keeping_code(&wrapped, pipes);
            let shown = rendered(&out, true).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(shown, expected(&wrapped), "{out:?}");
        }
    }
}

mod properties {
    use proptest::prelude::*;

    use super::{assert_inert, expected, inline_keeping_code, rendered};

    /// Text made of the pieces markup is made of, and anything else.
    fn markupish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("www.".to_string()),
            Just("http://".to_string()),
            Just("https://".to_string()),
            Just("&amp;".to_string()),
            Just("&#35;".to_string()),
            Just("<a href=x>".to_string()),
            Just("](u)".to_string()),
            Just("@me".to_string()),
            Just("1. ".to_string()),
            Just("- ".to_string()),
            Just("`ok`".to_string()),
            "[ a-z0-9*_`~\\[\\]()<>!&#;@:/.|$^{}=+\\-\n\r\t\\\\'\"]{1,4}",
            "\\PC{1,3}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_text_renders_as_itself_and_nothing_else(text in markupish()) {
            assert_inert(&text);
        }

        #[test]
        fn any_string_renders_as_itself_and_nothing_else(text in any::<String>()) {
            assert_inert(&text);
        }

        #[test]
        fn text_keeping_code_makes_only_identifier_code(text in markupish()) {
            for pipes in [false, true] {
                let out = inline_keeping_code(&text, pipes);
                let shown = rendered(&out, true).map_err(TestCaseError::fail)?;
                prop_assert_eq!(shown, expected(&text));
            }
        }
    }
}
