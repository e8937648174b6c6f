//! The one way formatting fails: the file does not parse.

use slac_diagnostics::Diagnostic;

/// The file has syntax errors, so it was left as it is; `diagnostics` says where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the file has syntax errors and was not formatted ({} error(s))", .diagnostics.len())]
pub struct FormatError {
    pub diagnostics: Vec<Diagnostic>,
}
