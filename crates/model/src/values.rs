//! Reading values from tokens, with an E005 for every value that does not hold.

use chrono::NaiveDate;
use slac_calendar::{Duration, TimeOfDay, TimeRange, WeekdaySet};
use slac_diagnostics::{did_you_mean, Code, Diagnostic};
use slac_source::FileId;
use slac_syntax::{dedent_text_block, unescape, Token, TokenKind};

use crate::model::{At, ContactRef, Version};

/// Reads the tokens of one file.
pub(crate) struct Reader<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    pub fn at(&self, token: Token) -> At {
        At::new(self.file, token.span)
    }

    pub fn raw(&self, token: Token) -> &str {
        token.text(self.text)
    }

    pub fn invalid(&mut self, token: Token, message: impl Into<String>) {
        self.diagnostics.push(
            Diagnostic::new(Code::E005, self.file, token.span, message)
                .with_primary_message("invalid value"),
        );
    }

    /// The value of a string or text block.
    pub fn text_value(&self, token: Token) -> String {
        let raw = self.raw(token);
        match token.kind {
            TokenKind::TextBlock => dedent_text_block(raw),
            _ => unescape(raw).0,
        }
    }

    pub fn date(&mut self, token: Token) -> Option<NaiveDate> {
        let raw = self.raw(token);
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                let message = format!("`{raw}` is not a date of the calendar");
                self.invalid(token, message);
                None
            }
        }
    }

    /// `MM-DD` of an annual holiday; 02-29 is allowed (it closes leap years only).
    pub fn annual_date(&mut self, token: Token) -> Option<(u32, u32)> {
        let raw = self.raw(token).to_string();
        let parsed = raw
            .split_once('-')
            .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
            .filter(|&(m, d)| NaiveDate::from_ymd_opt(2024, m, d).is_some());
        if parsed.is_none() {
            self.invalid(token, format!("`{raw}` is not a month and day (`MM-DD`)"));
        }
        parsed
    }

    pub fn time(&mut self, token: Token) -> Option<TimeOfDay> {
        let raw = self.raw(token).to_string();
        TimeOfDay::parse(&raw)
            .map_err(|message| self.invalid(token, message))
            .ok()
    }

    pub fn time_range(&mut self, token: Token) -> Option<TimeRange> {
        let raw = self.raw(token).to_string();
        TimeRange::parse(&raw)
            .map_err(|message| self.invalid(token, message))
            .ok()
    }

    pub fn weekdays(&mut self, token: Token) -> Option<WeekdaySet> {
        let raw = self.raw(token).to_string();
        WeekdaySet::parse(&raw)
            .map_err(|message| self.invalid(token, message))
            .ok()
    }

    pub fn duration(&mut self, token: Token) -> Option<Duration> {
        let raw = self.raw(token).to_string();
        Duration::parse(&raw)
            .map_err(|message| self.invalid(token, message))
            .ok()
    }

    /// A positive duration (a deadline, a threshold, a window).
    pub fn positive_duration(&mut self, token: Token) -> Option<Duration> {
        let duration = self.duration(token)?;
        if duration.is_zero() {
            self.invalid(token, "a duration of zero allows no time at all");
            return None;
        }
        Some(duration)
    }

    /// A percentage in (0, 100].
    pub fn percent(&mut self, token: Token, what: &str) -> Option<f64> {
        let raw = self.raw(token).to_string();
        let value: f64 = raw.trim_end_matches('%').parse().ok()?;
        if !(value > 0.0 && value <= 100.0) {
            self.invalid(token, format!("{what} `{raw}` is outside (0%, 100%]"));
            return None;
        }
        Some(value)
    }

    pub fn uint(&mut self, token: Token) -> Option<u32> {
        let raw = self.raw(token).to_string();
        match raw.trim_start_matches('+').parse::<u32>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.invalid(token, format!("`{raw}` is too large a number"));
                None
            }
        }
    }

    pub fn signed(&mut self, token: Token) -> Option<i32> {
        let raw = self.raw(token).to_string();
        match raw.trim_start_matches('+').parse::<i32>() {
            Ok(value) if value.abs() <= 366 => Some(value),
            _ => {
                self.invalid(
                    token,
                    format!("`{raw}` is not an offset within a year of Easter"),
                );
                None
            }
        }
    }

    pub fn version(&mut self, token: Token) -> Option<Version> {
        let raw = self.raw(token).to_string();
        let mut parts = raw.split('.').map(|p| p.parse::<u64>());
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Ok(major)), Some(Ok(minor)), Some(Ok(patch))) => Some(Version {
                major,
                minor,
                patch,
            }),
            _ => {
                self.invalid(token, format!("`{raw}` has a part too large for a version"));
                None
            }
        }
    }

    /// One of a fixed set of words, with "did you mean" when close.
    pub fn choice<T: Copy>(
        &mut self,
        token: Token,
        what: &str,
        options: &[(&'static str, T)],
    ) -> Option<T> {
        let raw = self.raw(token).to_string();
        if let Some((_, value)) = options.iter().find(|(name, _)| *name == raw) {
            return Some(*value);
        }
        let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let mut diagnostic = Diagnostic::new(
            Code::E005,
            self.file,
            token.span,
            format!("`{raw}` is not a {what}: expected {}", quoted.join(", ")),
        )
        .with_primary_message("invalid value");
        if let Some(suggestion) = did_you_mean(&raw, names.iter().copied()) {
            diagnostic = diagnostic.with_suggestion(suggestion);
        }
        self.diagnostics.push(diagnostic);
        None
    }

    pub fn contact_ref(&self, token: Token) -> ContactRef {
        let raw = self.raw(token);
        match raw.split_once('.') {
            Some((party, contact)) => ContactRef {
                party: party.to_string(),
                contact: Some(contact.to_string()),
            },
            None => ContactRef {
                party: raw.to_string(),
                contact: None,
            },
        }
    }
}
