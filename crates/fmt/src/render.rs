//! Turns the laid-out lines into text: two spaces per depth, no trailing whitespace, one newline
//! at the end of a file that is not empty.

use crate::line::{Line, Role};

const INDENT: &str = "  ";

pub(crate) fn render(lines: &[Line<'_>]) -> String {
    let mut out = String::new();
    for line in lines {
        let indent = INDENT.repeat(line.depth);
        match line.role {
            Role::Blank => {}
            Role::Comment => {
                if let Some(comment) = line.comment {
                    out.push_str(&indent);
                    out.push_str(comment.text);
                }
            }
            Role::Verbatim => {
                if !line.text.is_empty() {
                    out.push_str(&indent);
                    out.push_str(&line.text);
                }
            }
            Role::Field(_) | Role::Open | Role::Close | Role::Code => {
                out.push_str(&indent);
                out.push_str(&line.text);
                if let Some(comment) = line.comment {
                    let width = line.code_width();
                    let column = line.comment_column.unwrap_or(width + 1).max(width + 1);
                    out.push_str(&" ".repeat(column - width));
                    out.push_str(comment.text);
                }
            }
        }
        out.push('\n');
    }
    out
}
