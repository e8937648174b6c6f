use serde::Serialize;
use slac_source::Span;

/// What a node of the tree is: a declaration, a block, a field, or text that could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum NodeKind {
    Import,
    Party,
    Service,
    Holidays,
    Calendar,
    Escalation,
    Agreement,
    Contact,
    Objective,
    Credit,
    Sli,
    Name,
    Kind,
    Email,
    Phone,
    Pager,
    Description,
    Owner,
    Price,
    Annual,
    Easter,
    Date,
    Timezone,
    Open,
    Closed,
    Level,
    Title,
    Version,
    Effective,
    Provider,
    Customer,
    Services,
    Language,
    Fee,
    Review,
    Reviewed,
    EscalationRef,
    Extends,
    Responsibility,
    Clause,
    Target,
    Window,
    CalendarRef,
    Within,
    Supports,
    Due,
    Errors,
    Good,
    Total,
    Histogram,
    Threshold,
    Scale,
    Satisfied,
    When,
    Cap,
    /// Text that is not a valid declaration or field; its diagnostic is in [`crate::Parse::errors`].
    Error,
}

impl NodeKind {
    /// Top-level declarations, which have an id unique within their kind.
    pub fn is_declaration(self) -> bool {
        matches!(
            self,
            NodeKind::Party
                | NodeKind::Service
                | NodeKind::Holidays
                | NodeKind::Calendar
                | NodeKind::Escalation
                | NodeKind::Agreement
        )
    }

    /// The keyword that starts the node, as written in the source.
    pub fn keyword(self) -> &'static str {
        match self {
            NodeKind::Import => "import",
            NodeKind::Party => "party",
            NodeKind::Service => "service",
            NodeKind::Holidays => "holidays",
            NodeKind::Calendar | NodeKind::CalendarRef => "calendar",
            NodeKind::Escalation | NodeKind::EscalationRef => "escalation",
            NodeKind::Agreement => "agreement",
            NodeKind::Contact => "contact",
            NodeKind::Objective => "objective",
            NodeKind::Credit => "credit",
            NodeKind::Sli => "sli",
            NodeKind::Name => "name",
            NodeKind::Kind => "kind",
            NodeKind::Email => "email",
            NodeKind::Phone => "phone",
            NodeKind::Pager => "pager",
            NodeKind::Description => "description",
            NodeKind::Owner => "owner",
            NodeKind::Price => "price",
            NodeKind::Annual => "annual",
            NodeKind::Easter => "easter",
            NodeKind::Date => "date",
            NodeKind::Timezone => "timezone",
            NodeKind::Open => "open",
            NodeKind::Closed => "closed",
            NodeKind::Level => "level",
            NodeKind::Title => "title",
            NodeKind::Version => "version",
            NodeKind::Effective => "effective",
            NodeKind::Provider => "provider",
            NodeKind::Customer => "customer",
            NodeKind::Services => "services",
            NodeKind::Language => "language",
            NodeKind::Fee => "fee",
            NodeKind::Review => "review",
            NodeKind::Reviewed => "reviewed",
            NodeKind::Extends => "extends",
            NodeKind::Responsibility => "responsibility",
            NodeKind::Clause => "clause",
            NodeKind::Target => "target",
            NodeKind::Window => "window",
            NodeKind::Within => "within",
            NodeKind::Supports => "supports",
            NodeKind::Due => "due",
            NodeKind::Errors => "errors",
            NodeKind::Good => "good",
            NodeKind::Total => "total",
            NodeKind::Histogram => "histogram",
            NodeKind::Threshold => "threshold",
            NodeKind::Scale => "scale",
            NodeKind::Satisfied => "satisfied",
            NodeKind::When => "when",
            NodeKind::Cap => "cap",
            NodeKind::Error => "",
        }
    }

    /// Fields that may appear several times in one body.
    pub fn repeatable(self) -> bool {
        matches!(
            self,
            NodeKind::Contact
                | NodeKind::Objective
                | NodeKind::Annual
                | NodeKind::Easter
                | NodeKind::Date
                | NodeKind::Open
                | NodeKind::Closed
                | NodeKind::Level
                | NodeKind::Responsibility
                | NodeKind::Clause
                | NodeKind::Within
                | NodeKind::Supports
                | NodeKind::When
                | NodeKind::Error
        )
    }
}

/// The lexical class of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TokenKind {
    /// A keyword inside a field (`to`, `for`, `and`, `per`, `with`, `every`, `at`, `notify`, …).
    Keyword,
    Ident,
    Reference,
    Word,
    String,
    TextBlock,
    Int,
    SignedInt,
    Percent,
    Decimal,
    Currency,
    Duration,
    Date,
    AnnualDate,
    Time,
    TimeRange,
    Version,
    WeekdaySet,
    Comma,
    Eq,
}

/// A token: its class and where it is. Its text is `&source[span]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    pub fn text(self, source: &str) -> &str {
        source.get(self.span.range()).unwrap_or("")
    }
}

/// The doc comment of a declaration or field: `///` lines just before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doc {
    pub span: Span,
    /// The lines without their `///` and one following space, joined by newlines.
    pub text: String,
}

/// A declaration, block or field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub kind: NodeKind,
    /// From the keyword to the end of the last value or the closing `}`.
    pub span: Span,
    /// The starting keyword (empty for an error node).
    pub keyword: Span,
    /// The id of a declaration, contact or objective.
    pub name: Option<Token>,
    /// The values after the keyword (and the id), in source order, sub-keywords and commas
    /// included.
    pub args: Vec<Token>,
    /// The `{ … }` part of a declaration, contact, objective, credit or structured `sli`.
    pub body: Option<Body>,
    pub doc: Option<Doc>,
}

impl Node {
    /// The id as text, if the node has one.
    pub fn name_text<'s>(&self, source: &'s str) -> Option<&'s str> {
        self.name.map(|name| name.text(source))
    }

    /// The first argument of the given class.
    pub fn arg(&self, kind: TokenKind) -> Option<Token> {
        self.args.iter().copied().find(|t| t.kind == kind)
    }

    /// The items of the body, or none.
    pub fn items(&self) -> &[Node] {
        self.body.as_ref().map_or(&[], |body| &body.items)
    }

    /// Whether its body holds text that could not be parsed or lacks its `}`: its fields are then
    /// not all known, and "missing field" would be a guess.
    pub fn has_syntax_errors(&self) -> bool {
        self.body
            .as_ref()
            .is_some_and(|b| !b.closed || b.items.iter().any(|i| i.kind == NodeKind::Error))
    }

    /// Walks this node and every node below it, depth first, in source order.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Node)) {
        visit(self);
        for item in self.items() {
            item.walk(visit);
        }
    }
}

/// `{ … }`: the items between the braces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Body {
    /// From `{` to `}` (or to where the body was cut off when the `}` is missing).
    pub span: Span,
    pub open: Span,
    pub items: Vec<Node>,
    /// False when the closing `}` is missing.
    pub closed: bool,
}

/// A `//` comment; `is_doc` when it starts with exactly three slashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub span: Span,
    pub is_doc: bool,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct SyntaxTree {
    pub items: Vec<Node>,
    /// Every comment of the file, doc comments included, in source order.
    pub comments: Vec<Comment>,
}

impl SyntaxTree {
    /// Walks every node of the file, depth first, in source order.
    pub fn walk<'a>(&'a self, mut visit: impl FnMut(&'a Node)) {
        for item in &self.items {
            item.walk(&mut visit);
        }
    }
}
