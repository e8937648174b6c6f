//! What the fuzz targets check, as functions the thin targets of `fuzz_targets/` call.
//!
//! - [`text::check`]: any text, as the one file of a workspace, is parsed, checked, its
//!   diagnostics rendered in both forms, and built to every target when it has no errors.
//! - [`text::format_round_trip`]: any text that parses formats to a stable text with the same
//!   model, diagnostics and comments.
//! - [`calendar::Scenario`]: a calendar and queries on it, with the invariants of the engine.
//!
//! A failing input found here becomes a fixture of `tests/fixtures/fuzz/`, replayed by
//! `tests/fuzz_regressions.rs` in the ordinary test suite (see docs/fuzzing.md).

pub mod calendar;
pub mod invariants;
pub mod text;
