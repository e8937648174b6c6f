//! One test per layout rule, with the expected text written out: the canonical layout as a
//! reader of the code can check it.

mod common;

use common::check_format;

/// Formats `source`, checks the formatter's properties on it, and compares with `expected`.
fn assert_formats(source: &str, expected: &str) {
    let formatted = check_format("case", source);
    assert_eq!(
        formatted, expected,
        "\n--- got:\n{formatted}--- expected:\n{expected}"
    );
}

#[test]
fn a_declaration_on_one_line_gets_one_field_per_line() {
    assert_formats(
        "party p { name \"P\" kind internal contact oncall { email \"o@p.example\" pager \"p1\" } }",
        "party p {\n  name \"P\"\n  kind internal\n  contact oncall {\n    email \"o@p.example\"\n    pager \"p1\"\n  }\n}\n",
    );
}

#[test]
fn tokens_are_separated_by_one_space_and_commas_hug_their_left() {
    assert_formats(
        "escalation e {\n\tlevel  3 at\tbreach notify a.b ,c , d.e\n}\nagreement a { objective o { within 1h for priority=P1 and region  =  \"Île\" } }\n",
        "escalation e {\n  level 3 at breach notify a.b, c, d.e\n}\n\nagreement a {\n  objective o {\n    within 1h for priority = P1 and region = \"Île\"\n  }\n}\n",
    );
}

#[test]
fn values_keep_their_source_text() {
    assert_formats(
        "service s { name \"A \\\"quoted\\\" \\u{1F600} name\" price 1200.50 EUR per month }",
        "service s {\n  name \"A \\\"quoted\\\" \\u{1F600} name\"\n  price 1200.50 EUR per month\n}\n",
    );
}

#[test]
fn top_level_declarations_are_separated_by_exactly_one_blank_line() {
    assert_formats(
        "party a {}\n\n\n\nparty b {} party c {}\n",
        "party a {}\n\nparty b {}\n\nparty c {}\n",
    );
}

#[test]
fn imports_keep_their_own_grouping() {
    assert_formats(
        "import \"a.sla\" import \"b.sla\"\n\n\nimport \"c.sla\"\nparty p {}\n",
        "import \"a.sla\"\nimport \"b.sla\"\n\nimport \"c.sla\"\n\nparty p {}\n",
    );
}

#[test]
fn blank_lines_inside_a_body_are_kept_once_but_not_after_the_brace_or_before_the_closing_one() {
    assert_formats(
        "calendar c {\n\n\n  timezone \"UTC\"\n\n\n\n  open mon-fri 08:00-17:00\n  open sat 09:00-12:00\n\n}\n",
        "calendar c {\n  timezone \"UTC\"\n\n  open mon-fri 08:00-17:00\n  open sat 09:00-12:00\n}\n",
    );
}

#[test]
fn consecutive_within_fields_line_up_their_conditions() {
    assert_formats(
        "agreement a { objective o {\n within 1h for p = P1\n within 2bd for p = P2\n within 3bd\n within 30m for p = P3\n\n within 1h for p = P4\n within 10h for p = P5\n} }",
        "agreement a {\n  objective o {\n    within 1h  for p = P1\n    within 2bd for p = P2\n    within 3bd\n    within 30m for p = P3\n\n    within 1h  for p = P4\n    within 10h for p = P5\n  }\n}\n",
    );
}

#[test]
fn consecutive_easter_fields_line_up_their_names() {
    assert_formats(
        "holidays h { easter +1 \"Monday\" easter +39 \"Ascension\" easter -2 \"Friday\" annual 01-01 \"New year\" }",
        "holidays h {\n  easter +1  \"Monday\"\n  easter +39 \"Ascension\"\n  easter -2  \"Friday\"\n  annual 01-01 \"New year\"\n}\n",
    );
}

#[test]
fn trailing_comments_of_consecutive_fields_share_a_column() {
    assert_formats(
        "calendar c {\n  timezone \"UTC\" // zone\n  open mon-fri 08:00-17:00    // week\n  open sat 09:00-12:00\n  closed france // holidays\n}\n",
        "calendar c {\n  timezone \"UTC\"           // zone\n  open mon-fri 08:00-17:00 // week\n  open sat 09:00-12:00\n  closed france // holidays\n}\n",
    );
}

#[test]
fn a_multi_line_text_block_is_reindented_below_its_field() {
    assert_formats(
        "service s {\ndescription \"\"\"\n          First.\n            Indented.\n\n          Last.\n     \"\"\"\n}\n",
        "service s {\n  description \"\"\"\n    First.\n      Indented.\n\n    Last.\n  \"\"\"\n}\n",
    );
}

#[test]
fn a_one_line_text_block_stays_as_written() {
    assert_formats(
        "service s { description \"\"\"  Spaces kept.  \"\"\" }",
        "service s {\n  description \"\"\"  Spaces kept.  \"\"\"\n}\n",
    );
}

#[test]
fn own_line_and_trailing_comments_stay_where_they_are() {
    assert_formats(
        "// Before.\nparty p { // After the brace.\n      // Before the name.\n  name \"P\" // After the name.\n// Before the closing brace.\n} // After the closing brace.\n// At the end.\n",
        "// Before.\nparty p { // After the brace.\n  // Before the name.\n  name \"P\" // After the name.\n  // Before the closing brace.\n} // After the closing brace.\n\n// At the end.\n",
    );
}

#[test]
fn comments_between_the_tokens_of_a_field_follow_the_field() {
    assert_formats(
        "agreement a {\n  effective // one\n    2026-01-01 // two\n    to 2026-12-31 // three\n  kind customer\n}\n",
        "agreement a {\n  effective 2026-01-01 to 2026-12-31 // one\n  // two\n  // three\n  kind customer\n}\n",
    );
}

#[test]
fn comments_in_a_block_header_follow_its_brace() {
    assert_formats(
        // (The id must follow its keyword on the same line: language.md §2.1.)
        "agreement a // one\n // two\n { kind customer }\n",
        "agreement a { // one\n  // two\n  kind customer\n}\n",
    );
}

#[test]
fn a_doc_comment_goes_on_its_own_line_before_what_it_documents() {
    assert_formats(
        "party p { name \"P\" /// The kind.\n kind internal }\n",
        "party p {\n  name \"P\"\n  /// The kind.\n  kind internal\n}\n",
    );
}

#[test]
fn a_moved_doc_comment_does_not_start_documenting() {
    assert_formats(
        "party p { name /// Not the kind's.\n \"P\"\n kind internal }\n",
        "party p {\n  name \"P\" /// Not the kind's.\n\n  kind internal\n}\n",
    );
    assert_formats(
        "party p /// Not the name's.\n { name \"P\" }\n",
        "party p {\n  /// Not the name's.\n\n  name \"P\"\n}\n",
    );
}

#[test]
fn files_without_declarations_keep_their_comments() {
    assert_formats("", "");
    assert_formats("\n\n  \n", "");
    assert_formats("  // One.  \n\n\n\n// Two.", "// One.\n\n// Two.\n");
}
