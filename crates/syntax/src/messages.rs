//! What may be written where, in words: the text of syntax errors, shared with completion.

use crate::NodeKind;

/// The field keywords allowed in the body of `context` (a declaration or block kind), in the
/// order the documentation lists them.
pub fn fields_of(context: NodeKind) -> &'static [&'static str] {
    match context {
        NodeKind::Party => &["name", "kind", "contact"],
        NodeKind::Contact => &["name", "email", "phone", "pager"],
        NodeKind::Service => &["name", "description", "owner", "price"],
        NodeKind::Holidays => &["annual", "easter", "date"],
        NodeKind::Calendar => &["timezone", "open", "closed"],
        NodeKind::Escalation => &["level"],
        NodeKind::Agreement => &[
            "title",
            "kind",
            "version",
            "effective",
            "provider",
            "customer",
            "services",
            "language",
            "fee",
            "review",
            "reviewed",
            "escalation",
            "extends",
            "description",
            "objective",
            "credit",
            "responsibility",
            "clause",
        ],
        NodeKind::Objective => &[
            "title",
            "description",
            "sli",
            "target",
            "window",
            "calendar",
            "within",
            "owner",
            "supports",
            "escalation",
            "due",
        ],
        NodeKind::Credit => &["when", "cap"],
        NodeKind::Sli => &[
            "errors",
            "good",
            "total",
            "histogram",
            "threshold",
            "scale",
            "satisfied",
        ],
        _ => &[],
    }
}

/// How a field is written, for the message of a garbled field.
pub fn field_usage(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "name" => "`name \"…\"`",
        "kind" => "`kind <word>`, e.g. `kind internal`",
        "contact" => "`contact <id> \"e-mail\"` or `contact <id> { name \"…\" email \"…\" }`",
        "email" => "`email \"…\"`",
        "phone" => "`phone \"…\"`",
        "pager" => "`pager \"…\"`",
        "description" => "`description \"…\"` or a `\"\"\"` text block",
        "owner" => "`owner <party>` or `owner <party>.<contact>`",
        "price" => "`price <amount> <currency> per <period>`, e.g. `price 1200 EUR per month`",
        "annual" => "`annual MM-DD \"name\"`, e.g. `annual 07-14 \"Fête nationale\"`",
        "easter" => "`easter ±N \"name\"`, e.g. `easter +1 \"Lundi de Pâques\"`",
        "date" => "`date YYYY-MM-DD \"name\"`, optionally followed by `from HH:MM`",
        "timezone" => "`timezone \"Area/City\"`, e.g. `timezone \"Europe/Paris\"`",
        "open" => "`open <days> HH:MM-HH:MM`, e.g. `open mon-fri 08:00-17:00`",
        "closed" => "`closed <holidays>` or `closed YYYY-MM-DD to YYYY-MM-DD \"label\"`",
        "level" => "`level <n> at <N%|breach|duration> notify <party.contact>, …`",
        "title" => "`title \"…\"`",
        "version" => "`version MAJOR.MINOR.PATCH`, e.g. `version 1.0.0`",
        "effective" => "`effective YYYY-MM-DD to YYYY-MM-DD` or `effective from YYYY-MM-DD`",
        "provider" => "`provider <party>`",
        "customer" => "`customer <party>`",
        "services" => "`services <service>, …`",
        "language" => "`language fr` or `language en`",
        "fee" => "`fee <amount> <currency> per <period>`, e.g. `fee 1200 EUR per month`",
        "review" => "`review weekly|monthly|quarterly|yearly|every <duration> with <party.contact>, …`",
        "reviewed" => "`reviewed YYYY-MM-DD` (the date of the last service review)",
        "escalation" => "`escalation <escalation policy>`",
        "extends" => "`extends <agreement>`",
        "objective" => "`objective <id> { … }`",
        "credit" => "`credit { when <objective> below <N%> refund <N%> … cap <N%> }`",
        "responsibility" => "`responsibility provider|customer \"…\"`",
        "clause" => "`clause \"heading\" \"\"\"text\"\"\"`",
        "sli" => "`sli ratio { … }`, `sli latency { … }`, `sli satisfaction { … }`, `sli response_time`, `sli resolution_time` or `sli delivery`",
        "target" => "`target <percentage>`, e.g. `target 99.9%`",
        "window" => "`window <duration>` (e.g. `30d`) or `window week|month|quarter|year`",
        "calendar" => "`calendar <calendar>`",
        "within" => "`within <duration> for <attribute> = <value> and …`, e.g. `within 4h for priority = P2`",
        "supports" => "`supports <agreement>.<objective>`",
        "due" => "`due every <days> HH:MM`, e.g. `due every mon 10:00`",
        "errors" | "good" | "total" => "a PromQL expression in a string or a `\"\"\"` text block",
        "histogram" => "a Prometheus histogram's bucket series in a string",
        "threshold" => "`threshold <duration>`, e.g. `threshold 300ms`",
        "scale" => "`scale <integer>`, e.g. `scale 5`",
        "satisfied" => "`satisfied <integer>`, e.g. `satisfied 4`",
        "when" => "`when <objective> below <N%> refund <N%>`",
        "cap" => "`cap <N%>`",
        _ => return None,
    })
}

/// Names a body for messages: "a party", "an objective".
pub(crate) fn context_name(context: NodeKind) -> &'static str {
    match context {
        NodeKind::Party => "a party",
        NodeKind::Contact => "a contact",
        NodeKind::Service => "a service",
        NodeKind::Holidays => "a holidays set",
        NodeKind::Calendar => "a calendar",
        NodeKind::Escalation => "an escalation policy",
        NodeKind::Agreement => "an agreement",
        NodeKind::Objective => "an objective",
        NodeKind::Credit => "a credit block",
        NodeKind::Sli => "an indicator block",
        _ => "this block",
    }
}

/// "`a`, `b` or `c`".
pub(crate) fn one_of(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}
