//! Reading the data of a review, line by line: `.jsonl` events and `.csv` ticket rows.
//!
//! A reader never holds more than one line. Each line gives either its events (a `.csv` row gives
//! up to three: `opened`, `responded`, `resolved`) or a [`BadLine`] saying why it cannot be read;
//! checks that need the model (unknown agreement or objective) and the order of a ticket's
//! events are made by the caller, which reports them as bad lines the same way.

use std::borrow::Cow;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A line of input that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    pub file: PathBuf,
    /// 1-based; 0 for a problem with the whole file.
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Opened,
    Responded,
    Resolved,
    Paused,
    Resumed,
    Reopened,
    Delivered,
    Survey,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Opened,
        EventKind::Responded,
        EventKind::Resolved,
        EventKind::Paused,
        EventKind::Resumed,
        EventKind::Reopened,
        EventKind::Delivered,
        EventKind::Survey,
    ];

    pub const NAMES: [&'static str; 8] = [
        "opened",
        "responded",
        "resolved",
        "paused",
        "resumed",
        "reopened",
        "delivered",
        "survey",
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "opened" => EventKind::Opened,
            "responded" => EventKind::Responded,
            "resolved" => EventKind::Resolved,
            "paused" => EventKind::Paused,
            "resumed" => EventKind::Resumed,
            "reopened" => EventKind::Reopened,
            "delivered" => EventKind::Delivered,
            "survey" => EventKind::Survey,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Responded => "responded",
            EventKind::Resolved => "resolved",
            EventKind::Paused => "paused",
            EventKind::Resumed => "resumed",
            EventKind::Reopened => "reopened",
            EventKind::Delivered => "delivered",
            EventKind::Survey => "survey",
        }
    }

    /// Events of a ticket's life (all but `delivered` and `survey`).
    pub fn is_ticket(self) -> bool {
        !matches!(self, EventKind::Delivered | EventKind::Survey)
    }
}

/// One event, as read. Its strings borrow from the line where they can (a JSON string without
/// escapes), so that reading an event allocates only for the attributes of an `opened` event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    /// The ticket id; empty for `delivered` and `survey`.
    pub ticket: Cow<'a, str>,
    /// The attributes of an `opened` event, in the order of their names (the last value of a
    /// name given twice).
    pub attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub agreement: Option<Cow<'a, str>>,
    pub objective: Option<Cow<'a, str>>,
    /// The score of a `survey` answer.
    pub score: Option<i64>,
}

impl Event<'_> {
    /// The same event, owning its strings.
    pub fn into_owned(self) -> Event<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        Event {
            kind: self.kind,
            at: self.at,
            ticket: own(self.ticket),
            attrs: self
                .attrs
                .into_iter()
                .map(|(k, v)| (own(k), own(v)))
                .collect(),
            agreement: self.agreement.map(own),
            objective: self.objective.map(own),
            score: self.score,
        }
    }
}

/// The events of one line: one for `.jsonl`, kept inline; up to three for a `.csv` row.
pub type Events<'a> = smallvec::SmallVec<[Event<'a>; 1]>;

/// The kind of an input file, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// The events of one line, or why the line cannot be used.
pub type LineResult<'a> = Result<Events<'a>, String>;

/// A streaming reader: each call to [`Reader::next_line`] reads one more non-blank line into
/// the reader's one buffer; the events it gives borrow from that buffer.
pub struct Reader<R> {
    input: R,
    format: Format,
    line: u64,
    buffer: String,
    /// For `.csv`: the attribute columns (index, name) and the `agreement` column, once the
    /// header is read; `Err` with the reason when the header is unusable.
    header: Option<Result<CsvHeader, String>>,
    failed: bool,
}

#[derive(Debug, Clone)]
struct CsvHeader {
    attributes: Vec<(usize, String)>,
    agreement: Option<usize>,
    columns: usize,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R, format: Format) -> Self {
        Reader {
            input,
            format,
            line: 0,
            buffer: String::new(),
            header: None,
            failed: false,
        }
    }
}

impl<R: BufRead> Reader<R> {
    /// The next non-blank line: its number and what it says; `None` at the end of the input
    /// (or after an error that ends the file, itself given as a bad line).
    pub fn next_line(&mut self) -> Option<(u64, LineResult<'_>)> {
        loop {
            if self.failed {
                return None;
            }
            self.buffer.clear();
            self.line += 1;
            match self.input.read_line(&mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(error) => {
                    // Invalid UTF-8 is one bad line; other errors end the file.
                    if error.kind() != std::io::ErrorKind::InvalidData {
                        self.failed = true;
                    }
                    return Some((self.line, Err(format!("cannot read the line: {error}"))));
                }
            }
            let text = self.buffer.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            if self.format == Format::Csv && self.header.is_none() {
                let header = parse_header(text);
                let bad = header.as_ref().err().cloned();
                self.header = Some(header);
                match bad {
                    Some(reason) => return Some((self.line, Err(reason))),
                    None => continue,
                }
            }
            break;
        }
        let text = self.buffer.trim_end_matches(['\n', '\r']);
        let result = match (self.format, &self.header) {
            (Format::Jsonl, _) => parse_json(text),
            (Format::Csv, Some(Ok(header))) => parse_row(header, text),
            (Format::Csv, _) => Err("the file's header (its first line) is not usable".into()),
        };
        Some((self.line, result))
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    /// The line number and its events, owned: for callers that keep them.
    type Item = (u64, Result<Vec<Event<'static>>, String>);

    fn next(&mut self) -> Option<Self::Item> {
        let (line, result) = self.next_line()?;
        Some((
            line,
            result.map(|events| events.into_iter().map(Event::into_owned).collect()),
        ))
    }
}

#[derive(Deserialize)]
struct RawEvent<'a> {
    #[serde(borrow)]
    ticket: Option<Text<'a>>,
    #[serde(borrow)]
    at: Option<Text<'a>>,
    #[serde(borrow)]
    event: Option<Text<'a>>,
    #[serde(borrow)]
    attrs: Option<Attributes<'a>>,
    #[serde(borrow)]
    agreement: Option<Text<'a>>,
    #[serde(borrow)]
    objective: Option<Text<'a>>,
    score: Option<serde_json::Value>,
}

/// A JSON string, borrowed from the line unless it holds escapes. (serde's own `Cow<str>`
/// borrows only as a direct field, not inside an `Option`.)
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visit(std::marker::PhantomData))
    }
}

/// The `attrs` object of an event, read without building a JSON value: string values borrow
/// from the line, numbers and booleans are written as text, `null` values are left out, and an
/// object or array value is remembered as invalid (by name) to be reported.
struct Attributes<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    invalid: Option<Cow<'a, str>>,
}

enum AttrValue<'a> {
    Text(Cow<'a, str>),
    Null,
    Invalid,
}

impl<'de: 'a, 'a> Deserialize<'de> for Attributes<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Attributes<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of attributes")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut pairs = Vec::new();
                let mut invalid = None;
                while let Some(Text(key)) = map.next_key::<Text<'a>>()? {
                    match map.next_value::<AttrValue<'a>>()? {
                        AttrValue::Text(value) => pairs.push((key, value)),
                        AttrValue::Null => {}
                        AttrValue::Invalid => {
                            invalid.get_or_insert(key);
                        }
                    }
                }
                // In the order of their names; of a name given twice, the last value.
                pairs.sort_by(|a: &(Cow<str>, Cow<str>), b| a.0.cmp(&b.0));
                let mut kept: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(pairs.len());
                for pair in pairs {
                    match kept.last_mut() {
                        Some(last) if last.0 == pair.0 => *last = pair,
                        _ => kept.push(pair),
                    }
                }
                Ok(Attributes {
                    pairs: kept,
                    invalid,
                })
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for AttrValue<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = AttrValue<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, a number or a boolean")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(AttrValue::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(AttrValue::Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(AttrValue::Text(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(AttrValue::Text(Cow::Borrowed(if v {
                    "true"
                } else {
                    "false"
                })))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(AttrValue::Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(AttrValue::Text(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                // Written as JSON writes it (`1e20`, `2.5`).
                Ok(match serde_json::Number::from_f64(v) {
                    Some(n) => AttrValue::Text(Cow::Owned(n.to_string())),
                    None => AttrValue::Invalid,
                })
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(AttrValue::Null)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(AttrValue::Null)
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(AttrValue::Invalid)
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                mut seq: S,
            ) -> Result<Self::Value, S::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(AttrValue::Invalid)
            }
        }
        deserializer.deserialize_any(Visit(std::marker::PhantomData))
    }
}

fn parse_json(text: &str) -> LineResult<'_> {
    let raw: RawEvent =
        serde_json::from_str(text).map_err(|error| format!("not a JSON event: {error}"))?;
    let name = raw
        .event
        .as_ref()
        .map(|t| &*t.0)
        .ok_or("missing field `event`")?;
    let kind = EventKind::from_name(name).ok_or_else(|| {
        format!(
            "unknown event `{name}`: use one of {}",
            EventKind::NAMES.join(", ")
        )
    })?;
    let at = instant(raw.at.as_ref().map(|t| &*t.0).ok_or("missing field `at`")?)?;
    let ticket = match (kind.is_ticket(), raw.ticket) {
        (true, Some(Text(t))) if !t.trim().is_empty() => t,
        (true, _) => return Err(format!("missing field `ticket` in a `{name}` event")),
        (false, _) => Cow::Borrowed(""),
    };
    let attrs = match raw.attrs {
        Some(Attributes {
            invalid: Some(key), ..
        }) => {
            return Err(format!(
                "attribute `{key}` is not a string, a number or a boolean"
            ))
        }
        Some(attributes) => attributes.pairs,
        None => Vec::new(),
    };
    let objective = raw.objective.map(|t| t.0);
    if kind == EventKind::Delivered && objective.is_none() {
        return Err("missing field `objective` in a `delivered` event".into());
    }
    let score = match (kind, raw.score) {
        (EventKind::Survey, None) => return Err("missing field `score` in a `survey` event".into()),
        (EventKind::Survey, Some(value)) => Some(
            value
                .as_i64()
                .ok_or_else(|| format!("score `{value}` is not a whole number"))?,
        ),
        _ => None,
    };
    Ok(smallvec::smallvec![Event {
        kind,
        at,
        ticket,
        attrs,
        agreement: raw.agreement.map(|t| t.0),
        objective,
        score,
    }])
}

/// An RFC 3339 instant with its offset (`2026-03-02T09:14:00+01:00` or `…Z`).
pub fn instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!("`{text}` is not an instant: write RFC 3339 with an offset, e.g. `2026-03-02T09:14:00+01:00`")
        })
}

const CSV_COLUMNS: [&str; 4] = ["ticket", "opened", "responded", "resolved"];

fn parse_header(text: &str) -> Result<CsvHeader, String> {
    let names = split_csv(text)?;
    let names: Vec<String> = names.into_iter().map(|n| n.trim().to_string()).collect();
    if names.len() < 4 || names.iter().zip(CSV_COLUMNS).any(|(n, c)| n != c) {
        return Err(format!(
            "the header must start with `{}` then name the attribute columns; found `{text}`",
            CSV_COLUMNS.join(",")
        ));
    }
    let mut attributes = Vec::new();
    let mut agreement = None;
    for (index, name) in names.iter().enumerate().skip(4) {
        if name.is_empty() {
            return Err(format!("column {} of the header has no name", index + 1));
        }
        if name == "agreement" {
            agreement = Some(index);
        } else {
            attributes.push((index, name.clone()));
        }
    }
    Ok(CsvHeader {
        attributes,
        agreement,
        columns: names.len(),
    })
}

fn parse_row<'a>(header: &CsvHeader, text: &str) -> LineResult<'a> {
    let cells = split_csv(text)?;
    if cells.len() != header.columns {
        return Err(format!(
            "{} columns where the header has {}",
            cells.len(),
            header.columns
        ));
    }
    let ticket = cells[0].trim();
    if ticket.is_empty() {
        return Err("missing ticket id".into());
    }
    let opened = cells[1].trim();
    if opened.is_empty() {
        return Err("missing `opened` instant".into());
    }
    let opened = instant(opened)?;
    let optional = |cell: &str| -> Result<Option<DateTime<Utc>>, String> {
        let cell = cell.trim();
        if cell.is_empty() {
            Ok(None)
        } else {
            instant(cell).map(Some)
        }
    };
    let responded = optional(&cells[2])?;
    let resolved = optional(&cells[3])?;
    for (name, at) in [("responded", responded), ("resolved", resolved)] {
        if at.is_some_and(|at| at < opened) {
            return Err(format!("out of order: `{name}` comes before `opened`"));
        }
    }
    let mut attrs: Vec<(Cow<'a, str>, Cow<'a, str>)> = header
        .attributes
        .iter()
        .filter(|(i, _)| !cells[*i].trim().is_empty())
        .map(|(i, name)| {
            (
                Cow::Owned(name.clone()),
                Cow::Owned(cells[*i].trim().to_string()),
            )
        })
        .collect();
    attrs.sort();
    let agreement = header
        .agreement
        .map(|i| cells[i].trim().to_string())
        .filter(|a| !a.is_empty());
    let event = |kind, at, attrs| Event {
        kind,
        at,
        ticket: Cow::Owned(ticket.to_string()),
        attrs,
        agreement: agreement.clone().map(Cow::Owned),
        objective: None,
        score: None,
    };
    let mut events: Events<'a> = smallvec::smallvec![event(EventKind::Opened, opened, attrs)];
    let mut later: Events<'a> = [
        (EventKind::Responded, responded),
        (EventKind::Resolved, resolved),
    ]
    .into_iter()
    .filter_map(|(kind, at)| at.map(|at| event(kind, at, Vec::new())))
    .collect();
    later.sort_by_key(|e| e.at);
    events.extend(later);
    Ok(events)
}

/// One CSV line: fields separated by commas, a field in double quotes may hold commas and
/// doubled quotes.
fn split_csv(text: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cell.push(c);
            }
        } else if c == ',' {
            cells.push(std::mem::take(&mut cell));
            was_quoted = false;
        } else if c == '"' && cell.trim().is_empty() && !was_quoted {
            cell.clear();
            quoted = true;
            was_quoted = true;
        } else {
            cell.push(c);
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    cells.push(cell);
    Ok(cells)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(format: Format, text: &str) -> Vec<(u64, Result<Vec<Event<'static>>, String>)> {
        Reader::new(text.as_bytes(), format).collect()
    }

    #[test]
    fn json_events_and_their_faults() {
        let lines = read(
            Format::Jsonl,
            r#"{"ticket":"T-1","at":"2026-03-02T09:14:00+01:00","event":"opened","attrs":{"priority":"P1","n":3}}

{"ticket":"T-1","at":"2026-03-02T09:14:00","event":"responded"}
{"ticket":"T-1","at":"2026-03-02T09:14:00Z","event":"answered"}
{"at":"2026-03-02T09:14:00Z","event":"resolved"}
not json
{"at":"2026-03-02T09:14:00Z","event":"survey","score":"high"}
{"at":"2026-03-02T09:14:00Z","event":"delivered"}
"#,
        );
        assert_eq!(lines.len(), 7);
        let first = lines[0].1.as_ref().unwrap();
        assert_eq!(first[0].at.to_rfc3339(), "2026-03-02T08:14:00+00:00");
        assert_eq!(
            first[0].attrs,
            vec![("n".into(), "3".into()), ("priority".into(), "P1".into())]
        );
        // Blank lines are skipped but counted.
        assert_eq!(lines[1].0, 3);
        assert!(lines[1].1.as_ref().unwrap_err().contains("not an instant"));
        assert!(lines[2]
            .1
            .as_ref()
            .unwrap_err()
            .contains("unknown event `answered`"));
        assert!(lines[3].1.as_ref().unwrap_err().contains("`ticket`"));
        assert!(lines[4]
            .1
            .as_ref()
            .unwrap_err()
            .contains("not a JSON event"));
        assert!(lines[5].1.as_ref().unwrap_err().contains("whole number"));
        assert!(lines[6].1.as_ref().unwrap_err().contains("`objective`"));
    }

    #[test]
    fn csv_rows_give_up_to_three_events() {
        let lines = read(
            Format::Csv,
            "ticket,opened,responded,resolved,priority,region\n\
             T-1,2026-03-02T09:00:00+01:00,2026-03-02T09:30:00+01:00,,P2,\"rural, north\"\n\
             T-2,2026-03-02T09:00:00+01:00,,,P1,\n\
             T-3,2026-03-02T09:00:00+01:00,,\n",
        );
        let t1 = lines[0].1.as_ref().unwrap();
        assert_eq!(lines[0].0, 2);
        assert_eq!(t1.len(), 2);
        assert_eq!(
            t1[0].attrs,
            vec![
                ("priority".into(), "P2".into()),
                ("region".into(), "rural, north".into())
            ]
        );
        assert_eq!(t1[1].kind, EventKind::Responded);
        assert_eq!(lines[1].1.as_ref().unwrap().len(), 1);
        assert!(lines[2].1.as_ref().unwrap_err().contains("columns"));
        let bad = read(Format::Csv, "id,opened\nT-1,2026-03-02T09:00:00Z\n");
        assert_eq!(bad.len(), 2);
        assert!(bad.iter().all(|(_, r)| r.is_err()));
    }
}
