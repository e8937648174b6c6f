//! Untrusted text (anything read from a `.sla` file, `slac.toml` or a data file) made inert for
//! each syntax slac writes it into. One module per output syntax, and every writer of that syntax
//! goes through it: a fix here is a fix everywhere (see docs/security.md).
//!
//! - [`go_template`]: text that Prometheus or Alertmanager expands as a Go template.
//! - [`markdown`]: CommonMark / GitHub-flavoured Markdown, inline text and table cells.
//! - [`terminal`]: text shown on a terminal (control characters made visible).
//! - [`grafana`]: dashboard text, which Grafana interpolates with its variables.
//!
//! HTML is escaped by minijinja's HTML auto-escape in the documents and by the report's own
//! writer; JSON by serde_json; YAML by the compile crate's writer.

pub mod go_template;
pub mod grafana;
pub mod markdown;
pub mod terminal;
