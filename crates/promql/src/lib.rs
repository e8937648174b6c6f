//! The PromQL that `.sla` files hold, parsed rather than pattern-matched.
//!
//! Every query of a `ratio` indicator (`errors`, `good`, `total`) and every `histogram` selector
//! of a `latency` indicator goes through here twice: at check time ([`check_vector_query`],
//! [`Histogram::parse`]) to refuse, with a byte range inside the query, what Prometheus could
//! not load or would read differently from the author; and at build time ([`compile_query`],
//! [`Histogram::bucket`]) to produce the text that the rules splice into their own expressions.
//!
//! Validity is decided by [promql-parser] (the maintained Rust port of Prometheus's parser; it
//! follows Prometheus 3's grammar). Its errors carry no position, so a scan of our own ([`scan`])
//! locates the common mistakes first (brackets, strings), and other errors are placed at the
//! first token past the longest prefix that parses. Regex matchers are checked with
//! regex-syntax, and the parser is given them as plain matchers: compiling a regex per query
//! would cost a quarter of a millisecond each, and the pattern's meaning is not needed here.
//!
//! Comments (`# …` to the end of the line) are allowed and stripped from the compiled text, so
//! a comment can never swallow the parenthesis or the operator that the rules put after it.
//!
//! [promql-parser]: https://crates.io/crates/promql-parser

mod scan;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Mutex, OnceLock};

use promql_parser::parser::value::ValueType;
use promql_parser::parser::{self, Expr};

/// What is wrong with a query, at a byte range of its text (as written, `$window` included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub range: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    fn new(range: Range<usize>, message: impl Into<String>) -> Problem {
        Problem {
            range,
            message: message.into(),
            help: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

/// The placeholder `$window` is parsed as: a duration of the same length, so that byte
/// offsets in the parsed text are offsets in the text as written.
const WINDOW_PLACEHOLDER: &str = "100000s";
const _: () = assert!(WINDOW_PLACEHOLDER.len() == "$window".len());

/// The most tokens for which a parse error is located by re-parsing prefixes; past that, the
/// whole query is pointed at (each parse costs tens of microseconds).
const LOCATE_TOKENS: usize = 256;

/// The text the parser reads: `$window` replaced and regex operators made plain (same length).
fn parser_text(text: &str, scan: &scan::Scan) -> String {
    let mut bytes = text.replace("$window", WINDOW_PLACEHOLDER).into_bytes();
    for &at in &scan.regex_ops {
        // `=~` → `= `, `!~` → `!=`: the same matcher, without a regex to compile.
        bytes[at] = if bytes[at - 1] == b'!' { b'=' } else { b' ' };
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(bytes).unwrap_or_default()
}

/// A parsed query, or where and why it does not parse.
fn parse(text: &str) -> Result<(Expr, scan::Scan), Problem> {
    if text.trim().is_empty() {
        return Err(Problem::new(0..text.len(), "the query is empty"));
    }
    let scan = scan::scan(text).map_err(|e| Problem::new(e.range, e.message))?;
    if scan.tokens.is_empty() {
        return Err(Problem::new(
            0..text.len(),
            "the query holds only a comment",
        ));
    }
    for literal in &scan.regex_literals {
        check_regex(&text[literal.clone()]).map_err(|message| {
            Problem::new(literal.clone(), message)
                .with_help("Prometheus matches label values with RE2 regular expressions")
        })?;
    }
    let plain = parser_text(text, &scan);
    match parser::parse(&plain) {
        Ok(expr) => Ok((expr, scan)),
        Err(message) => Err(locate(&plain, &scan, message)),
    }
}

/// A regex matcher's pattern, checked as Prometheus anchors it.
fn check_regex(literal: &str) -> Result<(), String> {
    let pattern = promql_parser::util::unquote_string(literal)
        .map_err(|e| format!("this string is not a valid PromQL string: {e}"))?;
    regex_syntax::Parser::new()
        .parse(&format!("^(?:{pattern})$"))
        .map(|_| ())
        .map_err(|e| match e {
            regex_syntax::Error::Parse(e) => format!("invalid regular expression: {}", e.kind()),
            regex_syntax::Error::Translate(e) => {
                format!("invalid regular expression: {}", e.kind())
            }
            other => format!("invalid regular expression: {other}"),
        })
}

/// Places a parser error. Lexical errors are at the first token whose prefix fails with the
/// same message; grammar errors at the first token past the longest prefix that parses once its
/// brackets are closed; errors of meaning (types, arguments) cover the whole query.
fn locate(text: &str, scan: &scan::Scan, message: String) -> Problem {
    let whole = 0..text.trim_end().len();
    let tokens = &scan.tokens;
    let generic = message == "invalid promql query";
    let lexical = parser::lexer(text).is_err();
    if tokens.len() > LOCATE_TOKENS || !(generic || lexical) {
        return Problem::new(whole, format!("invalid PromQL: {message}"));
    }
    if lexical {
        for token in tokens {
            if parser::lexer(&text[..token.end]).err().as_ref() == Some(&message) {
                return Problem::new(token.clone(), format!("invalid PromQL: {message}"));
            }
        }
        return Problem::new(whole, format!("invalid PromQL: {message}"));
    }
    for k in (1..tokens.len()).rev() {
        let prefix = &text[..tokens[k - 1].end];
        let Ok(closed) = close_brackets(prefix) else {
            continue;
        };
        if parser::parse(&closed).is_ok() {
            let token = &tokens[k];
            let word = &text[token.clone()];
            return Problem::new(
                token.clone(),
                format!("invalid PromQL: `{word}` cannot follow what comes before it"),
            );
        }
    }
    Problem::new(
        tokens[0].clone(),
        "invalid PromQL: the query does not parse from its start",
    )
}

/// `prefix` with its open brackets closed, if it scans.
fn close_brackets(prefix: &str) -> Result<String, ()> {
    let mut stack = Vec::new();
    let mut in_string = None;
    let mut escaped = false;
    for b in prefix.bytes() {
        if let Some(quote) = in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' && quote != b'`' {
                escaped = true;
            } else if b == quote {
                in_string = None;
            }
            continue;
        }
        match b {
            b'"' | b'\'' | b'`' => in_string = Some(b),
            b'(' => stack.push(b')'),
            b'[' => stack.push(b']'),
            b'{' => stack.push(b'}'),
            b')' | b']' | b'}' if stack.pop() != Some(b) => return Err(()),
            _ => {}
        }
    }
    if in_string.is_some() {
        return Err(());
    }
    let mut out = prefix.to_string();
    out.extend(stack.iter().rev().map(|&b| b as char));
    Ok(out)
}

fn kind_words(kind: ValueType) -> &'static str {
    match kind {
        ValueType::Vector => "an instant vector",
        ValueType::Scalar => "a scalar",
        ValueType::Matrix => "a range vector",
        ValueType::String => "a string",
    }
}

/// The answers already given, by query: parsing costs tens of microseconds a query, and the
/// language server checks the whole workspace again on every edit, where nearly every query is
/// the same as before. Parsing is a pure function of the text, so an answer can be kept; the
/// memo is emptied when it holds [`MEMO_ENTRIES`] of them.
struct Memo<T> {
    answers: OnceLock<Mutex<HashMap<String, T>>>,
}

const MEMO_ENTRIES: usize = 16_384;

impl<T: Clone> Memo<T> {
    const fn new() -> Memo<T> {
        Memo {
            answers: OnceLock::new(),
        }
    }

    fn get_or(&self, text: &str, compute: impl FnOnce(&str) -> T) -> T {
        let answers = self.answers.get_or_init(Default::default);
        if let Some(found) = answers.lock().ok().and_then(|a| a.get(text).cloned()) {
            return found;
        }
        let answer = compute(text);
        if let Ok(mut answers) = answers.lock() {
            if answers.len() >= MEMO_ENTRIES {
                answers.clear();
            }
            answers.insert(text.to_string(), answer.clone());
        }
        answer
    }
}

static VECTOR_QUERIES: Memo<Result<(), Problem>> = Memo::new();
static HISTOGRAMS: Memo<Result<Histogram, Problem>> = Memo::new();

/// Checks a query that must give an instant vector (the `errors`, `good` and `total` of a ratio
/// indicator). `$window` stands for each window the rules evaluate it over.
pub fn check_vector_query(text: &str) -> Result<(), Problem> {
    VECTOR_QUERIES.get_or(text, check_vector_query_now)
}

fn check_vector_query_now(text: &str) -> Result<(), Problem> {
    let (expr, scan) = parse(text)?;
    let kind = expr.value_type();
    if kind != ValueType::Vector {
        let help = match kind {
            ValueType::Matrix => "a range vector is a series over time: take its rate, e.g. `sum(rate(requests_total[$window]))`",
            ValueType::Scalar => "a number is not a series: the rules need a series per label set, e.g. `vector(0)`",
            _ => "the rules divide and compare series: write a query that selects them",
        };
        return Err(Problem::new(
            0..text.trim_end().len(),
            format!(
                "this query gives {}, where the indicator needs an instant vector",
                kind_words(kind)
            ),
        )
        .with_help(help));
    }
    if !scan.comments.is_empty() {
        // The stripped text must mean the same: it is what the rules will hold.
        let stripped = strip_comments(text, &scan);
        let same = parser::parse(&parser_text(
            &stripped,
            &scan::scan(&stripped).map_err(|e| Problem::new(e.range, e.message))?,
        ))
        .is_ok_and(|e| e == expr);
        if !same {
            return Err(Problem::new(
                scan.comments[0].clone(),
                "this comment cannot be removed without changing the query",
            )
            .with_help("move the comment to the `.sla` file, outside the string"));
        }
    }
    Ok(())
}

fn strip_comments(text: &str, scan: &scan::Scan) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for comment in &scan.comments {
        out.push_str(&text[from..comment.start]);
        from = comment.end;
    }
    out.push_str(&text[from..]);
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_string()
}

/// The text a checked query contributes to a rule over `window`: comments stripped, trailing
/// spaces dropped, every `$window` replaced. For a query that does not scan (not possible
/// after a successful check), the text as written.
pub fn compile_query(text: &str, window: &str) -> String {
    without_comments(text).replace("$window", window)
}

/// A checked query without its comments and trailing spaces, `$window` kept.
pub fn without_comments(text: &str) -> String {
    match scan::scan(text) {
        Ok(scan) => strip_comments(text, &scan),
        Err(_) => text.trim().to_string(),
    }
}

/// How a label matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl MatchOp {
    fn symbol(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// One label matcher, printed with its value quoted and escaped for PromQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
}

impl LabelMatcher {
    pub fn new(name: &str, op: MatchOp, value: &str) -> LabelMatcher {
        LabelMatcher {
            name: name.to_string(),
            op,
            value: value.to_string(),
        }
    }
}

impl fmt::Display for LabelMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.name, self.op.symbol(), quote(&self.value))
    }
}

/// A PromQL double-quoted string: `\` and `"` escaped, control characters as escapes.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
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

/// The histogram of a latency indicator: the series of its buckets, as a parsed selector
/// (`http_request_duration_seconds_bucket{job="api"}`), from which the rules select one bucket
/// and the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    /// The metric name without `_bucket` (`http_request_duration_seconds`).
    pub base: String,
    /// The matchers, without the metric name.
    pub matchers: Vec<LabelMatcher>,
}

impl Histogram {
    /// Parses the `histogram` of a latency indicator: one series selector, named (by its name or
    /// an `__name__="…"` matcher), with no `le` matcher, offset or `@`.
    pub fn parse(text: &str) -> Result<Histogram, Problem> {
        HISTOGRAMS.get_or(text, Histogram::parse_now)
    }

    fn parse_now(text: &str) -> Result<Histogram, Problem> {
        let (expr, scan) = parse(text)?;
        let whole = 0..text.trim_end().len();
        let help = "write the bucket series as a selector, e.g. `http_request_duration_seconds_bucket{job=\"api\"}`: slac selects the bucket of the threshold and the `_count` series itself";
        let Expr::VectorSelector(selector) = expr else {
            return Err(
                Problem::new(whole, "a histogram is a series selector, not an expression")
                    .with_help(help),
            );
        };
        if selector.offset.is_some() || selector.at.is_some() {
            return Err(
                Problem::new(whole, "a histogram selector takes no `offset` or `@`")
                    .with_help(help),
            );
        }
        if !selector.matchers.or_matchers.is_empty() {
            return Err(
                Problem::new(whole, "a histogram selector takes no `or` between matchers")
                    .with_help(help),
            );
        }
        // The parser was given regex matchers as plain ones, in the order they are written.
        let mut regex_ops = scan.regex_ops.iter().map(|&at| text.as_bytes()[at - 1]);
        let written_regex = regex_order(text, &scan);
        let mut name = selector.name.clone();
        let mut matchers = Vec::new();
        for (index, matcher) in selector.matchers.matchers.iter().enumerate() {
            let mut op = match matcher.op {
                promql_parser::label::MatchOp::Equal => MatchOp::Equal,
                promql_parser::label::MatchOp::NotEqual => MatchOp::NotEqual,
                promql_parser::label::MatchOp::Re(_) => MatchOp::Regex,
                promql_parser::label::MatchOp::NotRe(_) => MatchOp::NotRegex,
            };
            if written_regex.contains(&index) {
                op = match regex_ops.next() {
                    Some(b'!') => MatchOp::NotRegex,
                    _ => MatchOp::Regex,
                };
            }
            if !is_label_name(&matcher.name) {
                return Err(Problem::new(
                    whole,
                    format!(
                        "`{}` is not a label name Prometheus 2 can read",
                        matcher.name
                    ),
                )
                .with_help("label names are letters, digits and `_`, not starting with a digit"));
            }
            match (matcher.name.as_str(), op) {
                ("__name__", MatchOp::Equal) if name.is_none() => {
                    name = Some(matcher.value.clone());
                }
                ("__name__", _) => {
                    return Err(Problem::new(
                        whole,
                        "a histogram selector names one metric: `__name__` may only be matched with `=`, once",
                    )
                    .with_help(help));
                }
                ("le", _) => {
                    return Err(Problem::new(
                        whole,
                        "a histogram selector takes no `le` matcher: slac selects the bucket from the threshold",
                    )
                    .with_help(help));
                }
                _ => matchers.push(LabelMatcher {
                    name: matcher.name.clone(),
                    op,
                    value: matcher.value.clone(),
                }),
            }
        }
        let Some(name) = name else {
            return Err(
                Problem::new(whole, "this histogram selector names no metric").with_help(help),
            );
        };
        if !is_metric_name(&name) {
            return Err(Problem::new(
                whole,
                format!("`{name}` is not a metric name Prometheus 2 can read"),
            )
            .with_help(
                "metric names are letters, digits, `_` and `:`, not starting with a digit",
            ));
        }
        let base = name.strip_suffix("_bucket").unwrap_or(&name).to_string();
        Ok(Histogram { base, matchers })
    }

    fn selector(&self, suffix: &str, extra: Option<&LabelMatcher>) -> String {
        let matchers: Vec<String> = self
            .matchers
            .iter()
            .chain(extra)
            .map(ToString::to_string)
            .collect();
        format!("{}{suffix}{{{}}}", self.base, matchers.join(","))
    }

    /// The bucket series of one bound: the histogram's matchers and `le`.
    pub fn bucket(&self, le: &LabelMatcher) -> String {
        self.selector("_bucket", Some(le))
    }

    /// The `_count` series with the histogram's matchers.
    pub fn count(&self) -> String {
        self.selector("_count", None)
    }
}

/// The indexes, among a selector's matchers, of those written with `=~` or `!~`: matchers come
/// out of the parser in the order they are written, after the metric name.
fn regex_order(text: &str, scan: &scan::Scan) -> Vec<usize> {
    // Count the matchers (`,`-separated at brace depth one) before each regex operator.
    let mut result = Vec::new();
    let bytes = text.as_bytes();
    for &at in &scan.regex_ops {
        let Some(open) = text[..at].rfind('{') else {
            continue;
        };
        let mut index = 0;
        let mut in_string = None;
        let mut escaped = false;
        for &b in &bytes[open + 1..at] {
            if let Some(quote) = in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' && quote != b'`' {
                    escaped = true;
                } else if b == quote {
                    in_string = None;
                }
                continue;
            }
            match b {
                b'"' | b'\'' | b'`' => in_string = Some(b),
                b',' => index += 1,
                _ => {}
            }
        }
        result.push(index);
    }
    result
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> (String, String) {
        let p = check_vector_query(text).expect_err(text);
        (text[p.range.clone()].to_string(), p.message)
    }

    #[test]
    fn valid_queries_pass_with_or_without_window_and_comments() {
        for q in [
            "sum(rate(http_requests_total{job=\"api\",code=~\"5..\"}[$window]))",
            "sum by (job) (rate(x[$window])) # errors per job\n",
            "# leading comment\nsum(rate(x{a!~\"b|c\"}[5m]))",
            "vector(0)",
            "sum(rate(x[$window:1m]))",
        ] {
            assert_eq!(check_vector_query(q), Ok(()), "{q}");
        }
    }

    #[test]
    fn structural_mistakes_point_inside_the_query() {
        assert_eq!(problem("sum(rate(x[5m])").0, "(");
        assert_eq!(problem("sum(rate(x[5m])))").0, ")");
        assert_eq!(problem("x{a=\"b}").0, "\"b}");
        let (at, message) = problem("sum(rate(x{code=~\"5(..\"}[5m]))");
        assert_eq!(at, "\"5(..\"");
        assert!(message.contains("regular expression"), "{message}");
    }

    #[test]
    fn grammar_errors_point_at_the_first_token_that_does_not_fit() {
        assert_eq!(problem("sum(rate(x[5m])) foo").0, "foo");
        assert_eq!(problem("rate(x[5m]) +").0, "+");
        let (at, message) = problem("x $foo");
        assert_eq!(at, "$", "{message}");
    }

    #[test]
    fn the_value_type_must_be_an_instant_vector() {
        let (_, message) = problem("x[$window]");
        assert!(message.contains("range vector"), "{message}");
        let (_, message) = problem("1");
        assert!(message.contains("scalar"), "{message}");
        assert!(problem("").1.contains("empty"));
        assert!(problem("# nothing").1.contains("only a comment"));
    }

    #[test]
    fn comments_are_stripped_from_the_compiled_text() {
        let q = "sum(rate(x[$window])) # the errors\n  or vector(0) # none\n";
        assert_eq!(check_vector_query(q), Ok(()));
        assert_eq!(compile_query(q, "5m"), "sum(rate(x[5m]))\n  or vector(0)");
        // A `#` inside a string is no comment.
        assert_eq!(compile_query("x{path=\"/a#b\"}", "5m"), "x{path=\"/a#b\"}");
    }

    #[test]
    fn histograms_are_selectors_and_the_bound_is_added_to_the_parsed_form() {
        let h = Histogram::parse("h_bucket{job=\"x\",}").expect("trailing comma");
        let le = LabelMatcher::new("le", MatchOp::Equal, "0.3");
        assert_eq!(h.bucket(&le), "h_bucket{job=\"x\",le=\"0.3\"}");
        assert_eq!(h.count(), "h_count{job=\"x\"}");
        let h = Histogram::parse("{__name__=\"h_bucket\", route=~\"/a|/b\"}").expect("by name");
        assert_eq!(h.count(), "h_count{route=~\"/a|/b\"}");
        let h = Histogram::parse("h{a!~\"x\", b=\"y\", c=~'z'}").expect("regexes kept");
        assert_eq!(h.count(), "h_count{a!~\"x\",b=\"y\",c=~\"z\"}");
        let h = Histogram::parse("h_bucket").expect("bare name");
        assert_eq!(h.bucket(&le), "h_bucket{le=\"0.3\"}");
        for bad in [
            "h_bucket{job=\"x\"} or vector(1)",
            "sum(h_bucket)",
            "{job=\"x\"}",
            "h_bucket{le=\"1\"}",
            "h_bucket offset 5m",
            "{__name__=~\"h.*\"}",
            "h_bucket{job=\"x\"",
        ] {
            assert!(Histogram::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quoted_values_escape_what_promql_strings_cannot_hold() {
        assert_eq!(quote("a\"b\\c\nd\u{1b}"), "\"a\\\"b\\\\c\\nd\\x1b\"");
        let h = Histogram {
            base: "h".into(),
            matchers: vec![LabelMatcher::new(
                "job",
                MatchOp::Equal,
                "x\"}) or vector(1) #",
            )],
        };
        let text = h.count();
        let parsed = parser::parse(&text).expect("a selector");
        assert!(matches!(parsed, Expr::VectorSelector(_)), "{text}");
    }
}
