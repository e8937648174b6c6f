//! From pest pairs to the owned [`SyntaxTree`], with a diagnostic for every error node.

use pest::iterators::Pair;
use pest::Parser;
use slac_diagnostics::{did_you_mean, Code, Diagnostic, Label};
use slac_source::{FileId, Span};

use crate::messages::{context_name, field_usage, fields_of, one_of};
use crate::parser::{Rule, SlaParser};
use crate::strings::unescape;
use crate::tree::{Body, Comment, Doc, Node, NodeKind, SyntaxTree, Token, TokenKind};
use crate::Parse;

/// Deeper `{` nesting than this is refused (E014): only error recovery recurses on braces, and a
/// pathological file must not exhaust the stack.
pub const MAX_BRACE_DEPTH: usize = 128;

/// Larger files are refused (E014) rather than parsed: agreements are a few kilobytes, spans are
/// 32-bit offsets, and a runaway generated file should fail in a second, not after minutes of
/// checking and a flood of diagnostics.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

const DECLARATION_KEYWORDS: [&str; 7] = [
    "party",
    "service",
    "holidays",
    "calendar",
    "escalation",
    "agreement",
    "import",
];

pub(crate) fn build(file: FileId, text: &str) -> Parse {
    let mut builder = Builder {
        file,
        text,
        errors: Vec::new(),
        comments: Vec::new(),
    };
    if text.len() > MAX_FILE_BYTES {
        // The first character past the limit, whole, so that the span is valid text.
        let mut at = MAX_FILE_BYTES;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        builder.errors.push(
            Diagnostic::new(
                Code::E014,
                file,
                Span::new(at as u32, end as u32),
                format!(
                    "the file is {} bytes long: slac reads files of at most {} MiB",
                    text.len(),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
            .with_primary_message("the limit is reached here")
            .with_help("split the agreements over several files, or import them"),
        );
        return builder.finish(Vec::new());
    }
    if let Some(at) = too_deep(text) {
        builder.errors.push(
            Diagnostic::new(
                Code::E014,
                file,
                Span::new(at as u32, at as u32 + 1),
                format!("`{{` nested more than {MAX_BRACE_DEPTH} levels deep"),
            )
            .with_primary_message("too deep")
            .with_help("declarations nest at most a few levels: check for unbalanced braces"),
        );
        return builder.finish(Vec::new());
    }
    let items = match SlaParser::parse(Rule::file, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(file_pair) => builder.items(file_pair),
            None => Vec::new(),
        },
        // The grammar accepts every input; this arm is a safety net, not a path.
        Err(error) => {
            let at = match error.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((p, _)) => p,
            } as u32;
            builder.errors.push(Diagnostic::new(
                Code::E001,
                file,
                Span::empty(at),
                "this file could not be parsed",
            ));
            Vec::new()
        }
    };
    builder.finish(items)
}

fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' => {
                depth += 1;
                if depth > MAX_BRACE_DEPTH {
                    return Some(i);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

struct Builder<'t> {
    file: FileId,
    text: &'t str,
    errors: Vec<Diagnostic>,
    comments: Vec<Comment>,
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    Span::new(span.start() as u32, span.end() as u32)
}

fn node_kind(rule: Rule) -> Option<NodeKind> {
    Some(match rule {
        Rule::d_import => NodeKind::Import,
        Rule::d_party => NodeKind::Party,
        Rule::d_service => NodeKind::Service,
        Rule::d_holidays => NodeKind::Holidays,
        Rule::d_calendar => NodeKind::Calendar,
        Rule::d_escalation => NodeKind::Escalation,
        Rule::d_agreement => NodeKind::Agreement,
        Rule::f_contact => NodeKind::Contact,
        Rule::f_objective => NodeKind::Objective,
        Rule::f_credit => NodeKind::Credit,
        Rule::f_sli => NodeKind::Sli,
        Rule::f_name => NodeKind::Name,
        Rule::f_kind => NodeKind::Kind,
        Rule::f_email => NodeKind::Email,
        Rule::f_phone => NodeKind::Phone,
        Rule::f_pager => NodeKind::Pager,
        Rule::f_description => NodeKind::Description,
        Rule::f_owner => NodeKind::Owner,
        Rule::f_price => NodeKind::Price,
        Rule::f_annual => NodeKind::Annual,
        Rule::f_easter => NodeKind::Easter,
        Rule::f_date => NodeKind::Date,
        Rule::f_timezone => NodeKind::Timezone,
        Rule::f_open => NodeKind::Open,
        Rule::f_closed => NodeKind::Closed,
        Rule::f_level => NodeKind::Level,
        Rule::f_title => NodeKind::Title,
        Rule::f_version => NodeKind::Version,
        Rule::f_effective => NodeKind::Effective,
        Rule::f_provider => NodeKind::Provider,
        Rule::f_customer => NodeKind::Customer,
        Rule::f_services => NodeKind::Services,
        Rule::f_language => NodeKind::Language,
        Rule::f_fee => NodeKind::Fee,
        Rule::f_review => NodeKind::Review,
        Rule::f_reviewed => NodeKind::Reviewed,
        Rule::f_escalation => NodeKind::EscalationRef,
        Rule::f_extends => NodeKind::Extends,
        Rule::f_responsibility => NodeKind::Responsibility,
        Rule::f_clause => NodeKind::Clause,
        Rule::f_target => NodeKind::Target,
        Rule::f_window => NodeKind::Window,
        Rule::f_calendar => NodeKind::CalendarRef,
        Rule::f_within => NodeKind::Within,
        Rule::f_supports => NodeKind::Supports,
        Rule::f_due => NodeKind::Due,
        Rule::f_errors => NodeKind::Errors,
        Rule::f_good => NodeKind::Good,
        Rule::f_total => NodeKind::Total,
        Rule::f_histogram => NodeKind::Histogram,
        Rule::f_threshold => NodeKind::Threshold,
        Rule::f_scale => NodeKind::Scale,
        Rule::f_satisfied => NodeKind::Satisfied,
        Rule::f_when => NodeKind::When,
        Rule::f_cap => NodeKind::Cap,
        _ => return None,
    })
}

fn token_kind(rule: Rule) -> Option<TokenKind> {
    Some(match rule {
        Rule::ident => TokenKind::Ident,
        Rule::reference => TokenKind::Reference,
        Rule::word => TokenKind::Word,
        Rule::string => TokenKind::String,
        Rule::text_block => TokenKind::TextBlock,
        Rule::int => TokenKind::Int,
        Rule::signed_int => TokenKind::SignedInt,
        Rule::percent => TokenKind::Percent,
        Rule::decimal => TokenKind::Decimal,
        Rule::currency => TokenKind::Currency,
        Rule::duration => TokenKind::Duration,
        Rule::date => TokenKind::Date,
        Rule::annual_date => TokenKind::AnnualDate,
        Rule::time => TokenKind::Time,
        Rule::time_range => TokenKind::TimeRange,
        Rule::version => TokenKind::Version,
        Rule::weekday_set => TokenKind::WeekdaySet,
        Rule::comma => TokenKind::Comma,
        Rule::eq => TokenKind::Eq,
        _ => return None,
    })
}

fn is_keyword_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_import
            | Rule::kw_party
            | Rule::kw_service
            | Rule::kw_holidays
            | Rule::kw_calendar
            | Rule::kw_escalation
            | Rule::kw_agreement
            | Rule::kw_objective
            | Rule::kw_credit
            | Rule::kw_contact
            | Rule::kw_name
            | Rule::kw_kind
            | Rule::kw_email
            | Rule::kw_phone
            | Rule::kw_pager
            | Rule::kw_description
            | Rule::kw_owner
            | Rule::kw_price
            | Rule::kw_per
            | Rule::kw_annual
            | Rule::kw_easter
            | Rule::kw_date
            | Rule::kw_from
            | Rule::kw_to
            | Rule::kw_timezone
            | Rule::kw_open
            | Rule::kw_closed
            | Rule::kw_level
            | Rule::kw_at
            | Rule::kw_breach
            | Rule::kw_notify
            | Rule::kw_title
            | Rule::kw_version
            | Rule::kw_effective
            | Rule::kw_provider
            | Rule::kw_customer
            | Rule::kw_services
            | Rule::kw_language
            | Rule::kw_fee
            | Rule::kw_review
            | Rule::kw_reviewed
            | Rule::kw_every
            | Rule::kw_with
            | Rule::kw_extends
            | Rule::kw_responsibility
            | Rule::kw_clause
            | Rule::kw_sli
            | Rule::kw_target
            | Rule::kw_window
            | Rule::kw_within
            | Rule::kw_for
            | Rule::kw_and
            | Rule::kw_supports
            | Rule::kw_due
            | Rule::kw_errors
            | Rule::kw_good
            | Rule::kw_total
            | Rule::kw_histogram
            | Rule::kw_threshold
            | Rule::kw_scale
            | Rule::kw_satisfied
            | Rule::kw_when
            | Rule::kw_below
            | Rule::kw_refund
            | Rule::kw_cap
    )
}

fn is_body_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::party_body
            | Rule::contact_body
            | Rule::service_body
            | Rule::holidays_body
            | Rule::calendar_body
            | Rule::escalation_body
            | Rule::agreement_body
            | Rule::objective_body
            | Rule::credit_body
            | Rule::sli_body
    )
}

/// The first word of a stretch of text: letters, digits, `_`.
fn first_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

impl<'t> Builder<'t> {
    fn finish(mut self, mut items: Vec<Node>) -> Parse {
        self.comments.sort_by_key(|c| c.span.start);
        let docs = DocAttacher {
            text: self.text,
            comments: &self.comments,
        };
        for item in &mut items {
            docs.attach(item);
        }
        Parse {
            tree: SyntaxTree {
                items,
                comments: self.comments,
            },
            errors: self.errors,
        }
    }

    fn comment(&mut self, pair: &Pair<'_, Rule>) {
        let span = span_of(pair);
        let text = pair.as_str();
        let is_doc = text.starts_with("///") && !text.starts_with("////");
        self.comments.push(Comment { span, is_doc });
    }

    /// The top level of the file.
    fn items(&mut self, file_pair: Pair<'t, Rule>) -> Vec<Node> {
        let mut items: Vec<Node> = Vec::new();
        for pair in file_pair.into_inner() {
            match pair.as_rule() {
                Rule::COMMENT => self.comment(&pair),
                Rule::EOI => {}
                Rule::top_error => {
                    let span = span_of(&pair);
                    if let Some(previous) = items.last_mut() {
                        if previous.kind == NodeKind::Error
                            && self.only_blank_between(previous.span, span)
                        {
                            previous.span = previous.span.cover(span);
                            if let Some(error) = self.errors.last_mut() {
                                error.primary.span = error.primary.span.cover(span);
                            }
                            continue;
                        }
                    }
                    self.top_error(span);
                    items.push(error_node(span));
                }
                _ => {
                    if let Some(node) = self.node(pair) {
                        items.push(node);
                    }
                }
            }
        }
        items
    }

    fn only_blank_between(&self, before: Span, after: Span) -> bool {
        self.text
            .get(before.end as usize..after.start as usize)
            .is_some_and(|gap| gap.trim().is_empty())
    }

    fn top_error(&mut self, span: Span) {
        let text = &self.text[span.range()];
        let word = first_word(text);
        let found = text.split_whitespace().next().unwrap_or(text);
        let mut diagnostic = if DECLARATION_KEYWORDS.contains(&word) && word.len() == found.len() {
            let id = text[word.len()..].split_whitespace().next().unwrap_or("");
            let diagnostic = Diagnostic::new(
                Code::E001,
                self.file,
                span,
                format!("expected `{word} <id> {{ … }}`"),
            );
            if !id.is_empty() && id.chars().any(|c| c.is_ascii_uppercase() || c == '-') {
                diagnostic.with_help(format!(
                    "ids are lowercase letters, digits and `_`: write `{}`",
                    id.to_ascii_lowercase().replace('-', "_")
                ))
            } else {
                diagnostic
                    .with_help("a declaration is a keyword, a lowercase id and a `{ … }` body")
            }
        } else {
            let mut diagnostic = Diagnostic::new(
                Code::E001,
                self.file,
                span,
                format!(
                    "unexpected `{}`: expected a declaration ({})",
                    short(found),
                    one_of(&DECLARATION_KEYWORDS)
                ),
            );
            if let Some(keyword) = did_you_mean(word, DECLARATION_KEYWORDS) {
                diagnostic = diagnostic.with_help(format!("did you mean `{keyword}`?"));
            }
            diagnostic
        };
        diagnostic = diagnostic.with_primary_message("not a declaration");
        self.errors.push(diagnostic);
    }

    /// A declaration, block or field.
    fn node(&mut self, pair: Pair<'t, Rule>) -> Option<Node> {
        let kind = node_kind(pair.as_rule())?;
        let span = span_of(&pair);
        let mut node = Node {
            kind,
            span,
            keyword: Span::empty(span.start),
            name: None,
            args: Vec::new(),
            body: None,
            doc: None,
        };
        let named =
            kind.is_declaration() || matches!(kind, NodeKind::Contact | NodeKind::Objective);
        for child in pair.into_inner() {
            let rule = child.as_rule();
            match rule {
                Rule::COMMENT => self.comment(&child),
                _ if is_keyword_rule(rule) && node.keyword.is_empty() => {
                    node.keyword = span_of(&child);
                }
                Rule::ident if named && node.name.is_none() => {
                    node.name = Some(Token {
                        kind: TokenKind::Ident,
                        span: span_of(&child),
                    });
                }
                _ if is_body_rule(rule) => {
                    let context = kind;
                    node.body = Some(self.body(child, context, &node));
                }
                _ => self.args(child, &mut node.args),
            }
        }
        // pest counts the whitespace and comments skipped before an optional part that did not
        // match as part of the rule; a node ends with its last token or its body.
        let last = [
            Some(node.keyword.end),
            node.name.map(|n| n.span.end),
            node.args.last().map(|t| t.span.end),
            node.body.as_ref().map(|b| b.span.end),
        ];
        node.span.end = last.into_iter().flatten().max().unwrap_or(node.span.end);
        Some(node)
    }

    /// Values of a field, flattening the groups (`money`, `condition`) into tokens.
    fn args(&mut self, pair: Pair<'t, Rule>, args: &mut Vec<Token>) {
        let rule = pair.as_rule();
        if rule == Rule::COMMENT {
            self.comment(&pair);
            return;
        }
        if is_keyword_rule(rule) {
            args.push(Token {
                kind: TokenKind::Keyword,
                span: span_of(&pair),
            });
            return;
        }
        if let Some(kind) = token_kind(rule) {
            let token = Token {
                kind,
                span: span_of(&pair),
            };
            if kind == TokenKind::String {
                self.check_escapes(token);
            }
            args.push(token);
            return;
        }
        for child in pair.into_inner() {
            self.args(child, args);
        }
    }

    fn check_escapes(&mut self, token: Token) {
        let raw = &self.text[token.span.range()];
        if !raw.contains('\\') {
            return;
        }
        for error in unescape(raw).1 {
            let start = token.span.start + 1 + error.offset as u32;
            let code = if error.invalid_value {
                Code::E005
            } else {
                Code::E001
            };
            let mut diagnostic = Diagnostic::new(
                code,
                self.file,
                Span::new(start, start + error.len as u32),
                error.message,
            );
            if !error.invalid_value {
                diagnostic = diagnostic.with_help(
                    "escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}`; a text block `\"\"\"…\"\"\"` takes text as written",
                );
            }
            self.errors.push(diagnostic);
        }
    }

    fn body(&mut self, pair: Pair<'t, Rule>, context: NodeKind, owner: &Node) -> Body {
        let span = span_of(&pair);
        let open = Span::new(span.start, span.start + 1);
        let mut items: Vec<Node> = Vec::new();
        let mut closed = true;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::COMMENT => self.comment(&child),
                Rule::missing_close | Rule::missing_close_inner | Rule::missing_close_sli => {
                    closed = false;
                    let at = span_of(&child);
                    let what = match owner.name_text(self.text) {
                        Some(name) => {
                            let noun = context_name(context);
                            let noun = noun.split_once(' ').map_or(noun, |(_, n)| n);
                            format!("{noun} `{name}`")
                        }
                        None => context_name(context).to_string(),
                    };
                    self.errors.push(
                        Diagnostic::new(
                            Code::E001,
                            self.file,
                            open,
                            format!("unclosed `{{`: {what} has no closing `}}`"),
                        )
                        .with_primary_message("this `{` is never closed")
                        .with_label(Label::new(self.file, at, "expected `}` before this point"))
                        .with_help("add the missing `}`"),
                    );
                }
                Rule::bad_item | Rule::bad_item_obj | Rule::bad_item_sli => {
                    let item_span = span_of(&child);
                    if self.merge_bad_item(&mut items, item_span, context) {
                        continue;
                    }
                    self.bad_item(item_span, context);
                    items.push(error_node(item_span));
                }
                _ => {
                    if let Some(node) = self.node(child) {
                        items.push(node);
                    }
                }
            }
        }
        Body {
            span,
            open,
            items,
            closed,
        }
    }

    /// Extends the previous error node with this stretch of bad text when nothing but blank space
    /// separates them and the new one does not start like a field of its own.
    fn merge_bad_item(&mut self, items: &mut [Node], span: Span, context: NodeKind) -> bool {
        let Some(previous) = items.last_mut() else {
            return false;
        };
        if previous.kind != NodeKind::Error || !self.only_blank_between(previous.span, span) {
            return false;
        }
        let word = first_word(&self.text[span.range()]);
        if fields_of(context).contains(&word) || field_usage(word).is_some() {
            return false;
        }
        previous.span = previous.span.cover(span);
        true
    }

    fn bad_item(&mut self, span: Span, context: NodeKind) {
        let text = &self.text[span.range()];
        let word = first_word(text);
        let found = text.split_whitespace().next().unwrap_or(text);
        let word_span = Span::new(span.start, span.start + word.len() as u32);
        let allowed = fields_of(context);
        let diagnostic = if allowed.contains(&word) && word.len() == found.len() {
            let usage = field_usage(word).unwrap_or("a value");
            Diagnostic::new(
                Code::E001,
                self.file,
                span,
                format!("invalid `{word}` field: expected {usage}"),
            )
            .with_primary_message("cannot be read")
        } else if field_usage(word).is_some() && word.len() == found.len() {
            Diagnostic::new(
                Code::E001,
                self.file,
                span,
                format!("`{word}` is not a field of {}", context_name(context)),
            )
            .with_primary_message("not expected here")
            .with_help(format!(
                "{} takes {}",
                context_name(context),
                one_of(allowed)
            ))
        } else {
            let diagnostic = Diagnostic::new(
                Code::E001,
                self.file,
                span,
                format!(
                    "unexpected `{}`: expected a field of {} ({})",
                    short(found),
                    context_name(context),
                    one_of(allowed)
                ),
            )
            .with_primary_message("not a field");
            match did_you_mean(word, allowed.iter().copied()) {
                Some(suggestion) if !word.is_empty() => {
                    let mut diagnostic = diagnostic.with_suggestion(suggestion);
                    if let Some(fix) = diagnostic.fix.as_mut() {
                        fix.span = word_span;
                    }
                    diagnostic
                }
                _ => diagnostic,
            }
        };
        self.errors.push(diagnostic);
    }
}

/// Unexpected text as quoted in a message: at most 40 characters, control characters escaped.
fn short(text: &str) -> String {
    const MAX: usize = 40;
    let mut quoted = String::new();
    for ch in text.chars().take(MAX) {
        if ch.is_control() {
            quoted.extend(ch.escape_default());
        } else {
            quoted.push(ch);
        }
    }
    if text.chars().nth(MAX).is_some() {
        quoted.push('…');
    }
    quoted
}

fn error_node(span: Span) -> Node {
    Node {
        kind: NodeKind::Error,
        span,
        keyword: Span::empty(span.start),
        name: None,
        args: Vec::new(),
        body: None,
        doc: None,
    }
}

/// Attaches to each node the `///` lines that stand right before it.
struct DocAttacher<'a> {
    text: &'a str,
    comments: &'a [Comment],
}

impl DocAttacher<'_> {
    fn attach(&self, node: &mut Node) {
        if node.kind != NodeKind::Error {
            node.doc = self.doc_before(node.span.start);
        }
        if let Some(body) = node.body.as_mut() {
            for item in &mut body.items {
                self.attach(item);
            }
        }
    }

    fn doc_before(&self, start: u32) -> Option<Doc> {
        let mut index = self.comments.partition_point(|c| c.span.end <= start);
        let mut first = None;
        let mut boundary = start;
        while index > 0 {
            let comment = self.comments[index - 1];
            let gap = self
                .text
                .get(comment.span.end as usize..boundary as usize)?;
            if !comment.is_doc || !gap.trim().is_empty() || gap.matches('\n').count() > 1 {
                break;
            }
            first = Some(index - 1);
            boundary = comment.span.start;
            index -= 1;
        }
        let first = first?;
        let last = self.comments[first..]
            .iter()
            .take_while(|c| c.span.end <= start)
            .count()
            + first;
        let lines: Vec<&str> = self.comments[first..last]
            .iter()
            .map(|c| {
                let line = &self.text[c.span.range()][3..];
                line.strip_prefix(' ').unwrap_or(line).trim_end()
            })
            .collect();
        Some(Doc {
            span: self.comments[first]
                .span
                .cover(self.comments[last - 1].span),
            text: lines.join("\n"),
        })
    }
}
