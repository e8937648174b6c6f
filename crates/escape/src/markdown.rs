//! Markdown (CommonMark and GitHub-flavoured) text that reads as written and makes no markup.
//!
//! Every writer of Markdown (the contract documents, `slac diff --format markdown`, the Markdown
//! report) puts untrusted text through one of these:
//!
//! - [`inline`]: running text on one line (a paragraph, a heading, a list item);
//! - [`cell`]: the same in a table cell, where `|` would end the cell;
//! - [`paragraphs`]: text of several lines, as paragraphs of their own (a description);
//! - [`code`]: a code span;
//! - [`inline_keeping_code`]: text that slac wrote with identifiers in backticks around
//!   untrusted values: the identifier spans stay code, the rest is [`inline`].
//!
//! Line breaks (`\n`, `\r\n`, `\r`) become spaces in one-line text (a line break would end a
//! heading, a list item or a table row), and a run of spaces and tabs at either end becomes one
//! space (four would start a code block, two at the end of a line a hard break). Control characters are shown
//! escaped, as on a terminal ([`crate::terminal`]), since a Markdown file is often printed on one.
//!
//! Markup is broken with backslash escapes of ASCII punctuation, which CommonMark turns back into
//! the character: the source stays readable and the rendering shows exactly the text. Only
//! characters that could make markup where they stand are escaped: `*`, `` ` ``, `~`, `[`, `<`,
//! `$` and `^` always (emphasis, code, strikethrough, links and images, raw HTML and autolinks,
//! math, superscript); `_` unless it is inside a word, where it cannot emphasize; `\` before
//! punctuation or at the end; `&` where it would start an entity reference (`&copy;`, `&#64;`);
//! and at the start of the text, what would start a block there (`#`, `>`, `-`, `+`, `=`,
//! `1.`).
//!
//! GitHub also finds things in the *rendered* text: `@name` mentions (which notify the person),
//! `#123` references, and (GFM "extended autolinks") `https://…`, `www.…` and e-mail addresses.
//! A backslash escape does not help there: the backslash is gone from the rendered text that
//! GitHub scans. These are broken with U+2060 WORD JOINER, which is invisible, does not allow a
//! line break, and is not a word character for GitHub's patterns, so `@⁠octocat` renders as
//! "@octocat" in plain text, notifies no one, and links nowhere: after `@` (before a name or
//! domain), after `#` before a digit, after the `:` of `://`, and after the `www` of `www.`.

use crate::terminal;

/// The character that splits what GitHub would recognise in rendered text. See the module.
pub const WORD_JOINER: char = '\u{2060}';

/// `text` as Markdown running text on one line, rendering as exactly `text` (line breaks as
/// spaces, the ends trimmed, control characters shown escaped).
pub fn inline(text: &str) -> String {
    let chars = prepare(text);
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, &chars, 0..chars.len(), true, false);
    out
}

/// `text` in a GFM table cell: [`inline`], and `|` escaped.
pub fn cell(text: &str) -> String {
    let chars = prepare(text);
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, &chars, 0..chars.len(), true, true);
    out
}

/// Text of several lines as Markdown paragraphs: each line escaped as a [`cell`] of its own (so
/// that no line can start a block or a table), one blank line between paragraphs where the
/// text had blank lines. For text that stands as paragraphs of its own, not inside a list item
/// or a table.
pub fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut blank = false;
    for line in lines(text) {
        let line = cell(line.trim_matches([' ', '\t']));
        if line.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&line);
    }
    out
}

/// `text` as a code span: fenced with one backtick more than its longest run of backticks,
/// padded with a space where it starts or ends with a backtick or a space (CommonMark strips
/// one space at each end when both are there). Line breaks become spaces, the ends are trimmed,
/// control characters are shown escaped. Inside a table cell, a `|` in `text` would still end the cell.
pub fn code(text: &str) -> String {
    let chars = prepare(text);
    let text: String = chars.iter().collect();
    let text = text.trim_matches(' ');
    if text.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' '));
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text slac wrote itself, with identifiers in backticks (`` objective `latency`: … ``), holding
/// untrusted values: backticks around an identifier (ASCII letters, digits, `_`, `-`, `.`) stay
/// a code span, which cannot hold markup; everything else is escaped as by [`inline`] (or
/// [`cell`] with `pipes`).
pub fn inline_keeping_code(text: &str, pipes: bool) -> String {
    let chars = prepare(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut from = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let len = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .count();
            if len > 0 && chars.get(i + 1 + len) == Some(&'`') {
                escape_into(&mut out, &chars, from..i, from == 0, pipes);
                out.extend(&chars[i..=i + 1 + len]);
                i += len + 2;
                from = i;
                continue;
            }
        }
        i += 1;
    }
    escape_into(&mut out, &chars, from..chars.len(), from == 0, pipes);
    out
}

/// The lines of `text`, split at `\n`, `\r\n` and `\r`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|line| line.strip_suffix('\r').unwrap_or(line).split('\r'))
}

/// `text` on one line: line breaks as spaces, control characters shown escaped, a run of
/// spaces and tabs at either end made one space.
fn prepare(text: &str) -> Vec<char> {
    let mut one_line = String::with_capacity(text.len());
    for (n, line) in lines(text).enumerate() {
        if n > 0 {
            one_line.push(' ');
        }
        one_line.push_str(line);
    }
    let text = terminal::escape(&one_line);
    // One space is kept where the text had some at either end: template text joins values
    // with their neighbours (`{{ " " ~ mark }}`), and more than one could start a code block or,
    // at the end of a line, make a hard line break.
    let trimmed = text.trim_matches([' ', '\t']);
    let mut chars = Vec::with_capacity(text.len() + 2);
    if trimmed.len() < text.len() && text.starts_with([' ', '\t']) {
        chars.push(' ');
    }
    chars.extend(trimmed.chars());
    if !trimmed.is_empty() && text.ends_with([' ', '\t']) {
        chars.push(' ');
    }
    chars
}

/// Whether GitHub would read `c` as part of a mention, an e-mail domain or a reference.
fn name_char(c: Option<&char>) -> bool {
    c.is_none_or(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Escapes `chars[range]` into `out`. `line_start`: the range starts where a line may start
/// (the start of the text). `pipes`: escape `|` (table cells). Neighbours are read from the
/// whole of `chars`, so an escape decided at the edge of the range sees the text around it.
fn escape_into(
    out: &mut String,
    chars: &[char],
    range: std::ops::Range<usize>,
    line_start: bool,
    pipes: bool,
) {
    let start = range.start;
    let at = |i: usize| chars.get(i);
    // Where a block would start: up to three spaces of indentation do not prevent one.
    let block_start = start
        + chars[range.clone()]
            .iter()
            .take_while(|c| matches!(c, ' ' | '\t'))
            .count();
    let mut i = start;
    while i < range.end {
        let c = chars[i];
        let prev = i.checked_sub(1).and_then(at);
        let next = at(i + 1);
        let first = line_start && i == block_start;
        let space_or_end = |c: Option<&char>| c.is_none_or(|c| matches!(c, ' ' | '\t'));
        match c {
            '*' | '`' | '~' | '[' | '<' | '$' | '^' => {
                out.push('\\');
                out.push(c);
            }
            '|' if pipes => out.push_str("\\|"),
            '\\' if next.is_none_or(char::is_ascii_punctuation) => out.push_str("\\\\"),
            '_' if !(prev.is_some_and(|p| p.is_alphanumeric())
                && next.is_some_and(|n| n.is_alphanumeric())) =>
            {
                out.push_str("\\_");
            }
            '&' if entity_follows(&chars[i + 1..]) => out.push_str("\\&"),
            '@' if name_char(next) => {
                out.push('@');
                out.push(WORD_JOINER);
            }
            '#' => {
                // A heading at the start; a closing sequence (dropped from a heading) at the end.
                let run = chars[i..].iter().take_while(|&&c| c == '#').count();
                let after = at(i + run);
                let opens = first && space_or_end(after);
                let closes = after.is_none() && space_or_end(prev);
                if opens || closes {
                    out.push('\\');
                }
                out.extend(&chars[i..i + run]);
                if after.is_some_and(char::is_ascii_digit) {
                    out.push(WORD_JOINER);
                }
                i += run;
                continue;
            }
            '>' if first => out.push_str("\\>"),
            '-' | '+' | '=' if first && (space_or_end(next) || next == Some(&c)) => {
                out.push('\\');
                out.push(c);
            }
            ':' if next == Some(&'/') && at(i + 2) == Some(&'/') => {
                out.push(':');
                out.push(WORD_JOINER);
            }
            'w' | 'W'
                if !prev.is_some_and(|p| p.is_alphanumeric())
                    && chars.len() >= i + 4
                    && chars[i + 1..i + 3].iter().all(|c| matches!(c, 'w' | 'W'))
                    && chars[i + 3] == '.' =>
            {
                out.extend(&chars[i..i + 3]);
                out.push(WORD_JOINER);
                i += 3;
                continue;
            }
            '0'..='9' if first => {
                // `1. ` or `1) ` would start an ordered list.
                let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                out.extend(&chars[i..i + digits]);
                i += digits;
                if digits <= 9
                    && at(i).is_some_and(|c| matches!(c, '.' | ')'))
                    && space_or_end(at(i + 1))
                {
                    out.push('\\');
                    out.push(chars[i]);
                    i += 1;
                }
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
}

/// Whether what follows an `&` would make an entity reference: `#`, or letters and digits up
/// to a `;`, or nothing (the next piece of text could supply the rest).
fn entity_follows(rest: &[char]) -> bool {
    match rest.first() {
        None | Some('#') => true,
        Some(_) => {
            let name = rest
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            name > 0 && rest.get(name) == Some(&';')
        }
    }
}

#[cfg(test)]
mod tests;
