//! Markdown output read the way GitHub and a Markdown viewer read it (pulldown-cmark, every
//! extension), for the tests that check that text from the input makes no markup.

use pulldown_cmark::{Event, Options, Parser, Tag};

/// What tests put in every string they can (titles, names, contacts, holidays, ticket ids):
/// each piece would be markup if it were written raw into Markdown.
pub const HOSTILE: &str = "![x](http://t/p.png) [click](http://evil) <img src=x> @octocat \
                           ~~no~~ _em_ https://evil.example a | b";

/// A string in the same places that makes no markup, to compare against.
pub const HARMLESS: &str = "plain words only";

/// The invisible word joiner slac puts where GitHub would otherwise see a mention or a link.
pub const WORD_JOINER: char = '\u{2060}';

/// What a Markdown document is made of besides text: the count of each kind of node that the
/// input could smuggle in (links, images, HTML, emphasis, strikethrough, code, table cells,
/// headings, list items), and the rendered text.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Markup {
    pub nodes: std::collections::BTreeMap<&'static str, usize>,
    /// The text, one line per block, word joiners removed.
    pub text: String,
    /// What GitHub would turn into a link or a mention in the rendered text.
    pub github: Vec<String>,
}

pub fn markup(markdown: &str) -> Markup {
    let options = Options::all() - Options::ENABLE_SMART_PUNCTUATION;
    let mut markup = Markup::default();
    let mut raw_text = String::new();
    for event in Parser::new_ext(markdown, options) {
        let kind = match &event {
            Event::Start(Tag::Link { .. }) => "link",
            Event::Start(Tag::Image { .. }) => "image",
            Event::Html(_) | Event::InlineHtml(_) => "html",
            Event::Start(Tag::Emphasis) => "emphasis",
            Event::Start(Tag::Strong) => "strong",
            Event::Start(Tag::Strikethrough) => "strikethrough",
            Event::Start(Tag::Superscript | Tag::Subscript) => "script",
            Event::Code(_) => "code",
            Event::InlineMath(_) | Event::DisplayMath(_) => "math",
            Event::Start(Tag::TableCell) => "cell",
            Event::Start(Tag::Heading { .. }) => "heading",
            Event::Start(Tag::Item) => "item",
            Event::Start(Tag::BlockQuote(_)) => "quote",
            Event::Start(Tag::CodeBlock(_)) => "code block",
            Event::FootnoteReference(_) => "footnote",
            Event::Text(text) => {
                raw_text.push_str(text);
                continue;
            }
            Event::End(_) | Event::SoftBreak | Event::HardBreak => {
                raw_text.push('\n');
                continue;
            }
            _ => continue,
        };
        *markup.nodes.entry(kind).or_default() += 1;
    }
    markup.github = github_finds(&raw_text);
    markup.text = raw_text.replace(WORD_JOINER, "");
    markup
}

/// The GFM extended autolinks (`www.`, `http://`, `https://`, e-mail addresses), `@mentions`
/// and `#123` references in rendered text: what GitHub links although no Markdown asked it to.
pub fn github_finds(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut found = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let rest: String = chars[i..].iter().take(24).collect();
        let word_before = i > 0 && chars[i - 1].is_alphanumeric();
        let next = chars.get(i + 1).copied();
        let hit = (c == 'w' && !word_before && rest.starts_with("www."))
            || (c == 'h'
                && !word_before
                && (rest.starts_with("http://") || rest.starts_with("https://")))
            || (c == '@' && next.is_some_and(|n| n.is_alphanumeric() || n == '-' || n == '_'))
            || (c == '#' && next.is_some_and(|n| n.is_ascii_digit()));
        if hit {
            found.push(rest);
        }
    }
    found
}

/// Asserts that `hostile` (a document built with [`HOSTILE`] strings) has exactly the markup of
/// `harmless` (the same document with [`HARMLESS`] ones), links nothing GitHub would link, and
/// shows the hostile text as written.
pub fn assert_same_markup(hostile: &str, harmless: &str) {
    let (h, p) = (markup(hostile), markup(harmless));
    assert_eq!(
        h.nodes, p.nodes,
        "the input made markup:\n--- with hostile text:\n{hostile}\n--- with plain text:\n{harmless}"
    );
    assert!(
        h.github.is_empty(),
        "GitHub would link {:?} in:\n{hostile}",
        h.github
    );
    assert!(
        h.text.contains(HOSTILE),
        "the hostile text does not read as written in:\n{}\n(from:\n{hostile})",
        h.text
    );
}

/// A workspace in one file whose every free string (the agreement's and the objective's
/// titles, the parties' names, a contact's name and phone, holiday names) is `text`; with
/// `second_holiday`, its calendar closes on one more day, named `text` too.
pub fn contract(text: &str, second_holiday: bool) -> String {
    // A phone number is one line without control characters (E005): the terminal's hostile
    // text keeps its printable part there.
    let phone: String = text.chars().filter(|c| !c.is_control()).collect();
    let phone = match phone.trim() {
        "" => "+33 1 00 00 00 00",
        trimmed => trimmed,
    };
    let second = if second_holiday {
        format!("  annual 07-14 \"{text}\"\n")
    } else {
        String::new()
    };
    format!(
        r#"holidays days {{
  annual 05-01 "{text}"
{second}}}

calendar office {{
  timezone "Europe/Paris"
  open mon-fri 09:00-17:00
  closed days
}}

party prov {{
  name "{text}"
  kind internal
  contact desk {{
    name "{text}"
    phone "{phone}"
  }}
}}

party cust {{
  name "{text}"
  kind external
}}

agreement hostile {{
  title "{text}"
  kind customer
  version 1.0.0
  effective 2026-01-01 to 2026-12-31
  provider prov
  customer cust
  review quarterly with prov.desk

  objective response {{
    title "{text}"
    sli response_time
    calendar office
    target 95%
    window month
    within 4h
    owner prov.desk
  }}
}}
"#
    )
}
