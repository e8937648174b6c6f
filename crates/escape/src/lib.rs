//! Untrusted text (anything read from a `.sla` file, `slac.toml` or a data file) made inert for
//! each syntax slac writes it into. One module per output syntax, and every writer of that syntax
//! goes through it: a fix here is a fix everywhere (see docs/security.md).
//!
//! - [`go_template`]: text that Prometheus or Alertmanager expands as a Go template.
//! - [`markdown`]: CommonMark / GitHub-flavoured Markdown, inline text and table cells.
//! - [`terminal`]: text shown on a terminal (control characters made visible).
//! - [`grafana`]: dashboard text, which Grafana interpolates with its variables.
//! - [`html`]: HTML text and attribute values (documents, report).
//!
//! JSON is escaped by serde_json, YAML by the compile crate's writer, PromQL strings by
//! slac-promql.

pub mod go_template;
pub mod grafana;
pub mod html;
pub mod markdown;
pub mod terminal;
