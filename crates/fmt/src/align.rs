//! Lines up columns across consecutive lines.
//!
//! Two alignments, both limited to runs of consecutive one-line fields of one body (a blank line,
//! an own-line comment or any other line ends a run):
//! - in a run of `within` (or `easter`) fields, the value after the first one starts at one
//!   column: `within 1h  for …` / `within 2bd for …`;
//! - in a run of fields that all end with a comment, the comments start at one column, one space
//!   after the longest line of the run.

use crate::line::{Line, Role};

/// Pads the first value of `within` and `easter` fields so that what follows lines up.
pub(crate) fn align_value_columns(lines: &mut [Line<'_>]) {
    for run in runs(lines, |first, line| match (first.role, line.role) {
        (Role::Field(Some(a)), Role::Field(Some(b))) => a.kind == b.kind,
        _ => false,
    }) {
        let head_width = |line: &Line<'_>| match line.role {
            Role::Field(Some(column)) => column
                .at
                .and_then(|at| line.text.get(..at))
                .map(|head| head.chars().count()),
            _ => None,
        };
        let Some(width) = run.iter().filter_map(head_width).max() else {
            continue;
        };
        for line in run.iter_mut() {
            let (Some(own), Role::Field(Some(column))) = (head_width(line), line.role) else {
                continue;
            };
            if let Some(at) = column.at {
                line.text.insert_str(at, &" ".repeat(width - own));
            }
        }
    }
}

/// Sets the comment column of runs of one-line fields that all carry a trailing comment.
pub(crate) fn align_trailing_comments(lines: &mut [Line<'_>]) {
    let commented_field =
        |line: &Line<'_>| matches!(line.role, Role::Field(_)) && line.comment.is_some();
    for run in runs(lines, |first, line| {
        commented_field(first) && commented_field(line)
    }) {
        let column = run.iter().map(Line::code_width).max().unwrap_or(0) + 1;
        for line in run.iter_mut() {
            line.comment_column = Some(column);
        }
    }
}

/// Splits `lines` into maximal runs of consecutive lines at one depth for which
/// `belongs(first, line)` holds, `first` being the run's first line; lines that do not even
/// belong with themselves are left out.
fn runs<'l, 's>(
    lines: &'l mut [Line<'s>],
    belongs: impl Fn(&Line<'s>, &Line<'s>) -> bool,
) -> Vec<&'l mut [Line<'s>]> {
    let mut runs = Vec::new();
    let mut rest = lines;
    while let Some(first) = rest.first() {
        let length = rest
            .iter()
            .take_while(|line| line.depth == first.depth && belongs(first, line))
            .count();
        let (run, tail) = rest.split_at_mut(length.max(1));
        if length > 0 {
            runs.push(run);
        }
        rest = tail;
    }
    runs
}
