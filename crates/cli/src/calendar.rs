//! `slac calendar due` and `slac calendar elapsed`: deadlines and open time on a calendar of the
//! workspace (or the built-in `always`), for one instant on the command line or for a CSV file of
//! them (`--batch`).
//!
//! The batch path is built for volume: the input is read in large blocks, each block is cut at
//! line ends into pieces that are computed in parallel (rayon), and the pieces are written back in
//! input order. Memory stays flat whatever the input size; a line costs no allocation unless it
//! is malformed.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use slac_calendar::{BusinessCalendar, Duration};
use slac_model::model::ALWAYS;
use slac_model::Workspace;

use crate::args::{DueArgs, ElapsedArgs, Format};
use crate::{check, render, Outcome};

/// Loads the workspace of `path` (the current folder by default). A workspace with errors is
/// reported (its diagnostics, in `format`) and ends the command with exit status 1.
pub fn load_workspace(path: Option<&Path>, format: Format) -> Result<Workspace, Outcome> {
    let paths: Vec<PathBuf> = path.map(Path::to_path_buf).into_iter().collect();
    let mut workspaces = check::load_all(&paths).map_err(Outcome::Environment)?;
    if workspaces.is_empty() {
        return Err(Outcome::Environment("no workspace found".into()));
    }
    let workspace = workspaces.swap_remove(0);
    if workspace.has_errors() {
        match format {
            Format::Human => render::human(&workspace.diagnostics, &workspace.sources),
            Format::Json => render::json(&workspace.diagnostics, &workspace.sources),
        }
        let errors = workspace.error_count();
        crate::ui::tell!(
            "error: the workspace in {} has {errors} error{}; fix {} first (`slac check`)",
            workspace.root.display(),
            if errors == 1 { "" } else { "s" },
            if errors == 1 { "it" } else { "them" },
        );
        return Err(Outcome::InputErrors);
    }
    Ok(workspace)
}

/// The calendar named `id`: `always` without reading any file, else a calendar of the workspace.
fn open_calendar(
    id: &str,
    path: Option<&Path>,
    format: Format,
) -> Result<BusinessCalendar, Outcome> {
    if id == ALWAYS {
        return Ok(BusinessCalendar::always());
    }
    let workspace = load_workspace(path, format)?;
    let model = &workspace.model;
    match model.calendars.get(id) {
        Some(calendar) => Ok(BusinessCalendar::new(calendar.spec(model))),
        None => {
            let known = std::iter::once(ALWAYS).chain(model.calendars.keys().map(String::as_str));
            let mut message = format!("unknown calendar `{id}`");
            if let Some(close) = slac_diagnostics::did_you_mean(id, known.clone()) {
                message.push_str(&format!(": did you mean `{close}`?"));
            }
            let known: Vec<String> = known.map(|k| format!("`{k}`")).collect();
            message.push_str(&format!(
                " (calendars of the workspace in {}: {})",
                workspace.root.display(),
                known.join(", ")
            ));
            Err(Outcome::Environment(message))
        }
    }
}

pub fn due(args: &DueArgs) -> Outcome {
    let calendar = match open_calendar(&args.calendar, args.workspace.as_deref(), args.format) {
        Ok(calendar) => calendar,
        Err(outcome) => return outcome,
    };
    let job = DueJob {
        calendar: &calendar,
        id: &args.calendar,
    };
    if let Some(batch) = &args.batch {
        return run_batch(&job, batch, args.format);
    }
    let (Some(start), Some(within)) = (args.start, args.within) else {
        return Outcome::Environment("give --start and --within, or --batch FILE".into());
    };
    let Some(due) = calendar.due(start.with_timezone(&Utc), within) else {
        let start = start.with_timezone(&Utc);
        crate::ui::tell!("error: {}", no_deadline(&args.calendar, start, within));
        return Outcome::InputErrors;
    };
    let mut text = Vec::new();
    write_rfc3339(&mut text, due, calendar.timezone());
    let text = String::from_utf8_lossy(&text);
    match args.format {
        Format::Json => println!("{}", serde_json::json!({ "due": text })),
        Format::Human => crate::ui::say!("due {text} ({})", in_words(due, calendar.timezone())),
    }
    Outcome::Success
}

pub fn elapsed(args: &ElapsedArgs) -> Outcome {
    let calendar = match open_calendar(&args.calendar, args.workspace.as_deref(), args.format) {
        Ok(calendar) => calendar,
        Err(outcome) => return outcome,
    };
    if let Some(batch) = &args.batch {
        return run_batch(&ElapsedJob(&calendar), batch, args.format);
    }
    let (Some(from), Some(to)) = (args.from, args.to) else {
        return Outcome::Environment("give --from and --to, or --batch FILE".into());
    };
    if to < from {
        return Outcome::Environment(format!("--to {to} is before --from {from}"));
    }
    let seconds = calendar.open_seconds(from.with_timezone(&Utc), to.with_timezone(&Utc));
    match args.format {
        Format::Json => println!("{}", serde_json::json!({ "seconds": seconds })),
        Format::Human => crate::ui::say!(
            "{} ({seconds} s) of open time",
            compact_seconds(seconds.max(0) as u64)
        ),
    }
    Outcome::Success
}

/// Seconds as compact text, largest units first: `43m12s`, `3h36m`, `2d4h`, `0s`.
pub fn compact_seconds(seconds: u64) -> String {
    Duration::Millis(seconds.saturating_mul(1000)).to_string()
}

/// Why there is no deadline: the engine looks ten years ahead at most.
fn no_deadline(calendar: &str, start: DateTime<Utc>, within: Duration) -> String {
    let mut text = Vec::new();
    write_rfc3339(&mut text, start, Tz::UTC);
    format!(
        "no deadline for {within} from {}: calendar `{calendar}` does not open that much within ten years (or only after year 9999)",
        String::from_utf8_lossy(&text)
    )
}

/// `Monday 30 March 2026, 09:30 Europe/Paris` (seconds shown only when there are some).
pub fn in_words(t: DateTime<Utc>, zone: Tz) -> String {
    let local = t.with_timezone(&zone);
    let clock = if local.second() == 0 && local.nanosecond() == 0 {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    format!(
        "{} {}",
        local.format(&format!("%A %-d %B %Y, {clock}")),
        zone.name()
    )
}

/// Writes `t` in RFC 3339 with the offset of `zone` at that instant (`+00:00` for UTC), and
/// fractional seconds only when there are some. Fixed layout, no allocation.
pub fn write_rfc3339(out: &mut Vec<u8>, t: DateTime<Utc>, zone: Tz) {
    let offset = zone.offset_from_utc_datetime(&t.naive_utc()).fix();
    let local = t.naive_utc() + offset;
    let year = local.year();
    if !(0..=9999).contains(&year) {
        // RFC 3339 has four-digit years only; let chrono write the extended form.
        let fixed: DateTime<FixedOffset> = t.with_timezone(&offset);
        out.extend_from_slice(fixed.to_rfc3339().as_bytes());
        return;
    }
    let year = year as u32;
    two_digits(out, year / 100);
    two_digits(out, year % 100);
    out.push(b'-');
    two_digits(out, local.month());
    out.push(b'-');
    two_digits(out, local.day());
    out.push(b'T');
    two_digits(out, local.hour());
    out.push(b':');
    two_digits(out, local.minute());
    out.push(b':');
    two_digits(out, local.second());
    let nanos = local.nanosecond() % 1_000_000_000;
    if nanos != 0 {
        let (value, digits) = if nanos % 1_000_000 == 0 {
            (nanos / 1_000_000, 3)
        } else if nanos % 1_000 == 0 {
            (nanos / 1_000, 6)
        } else {
            (nanos, 9)
        };
        out.push(b'.');
        let mut buffer = [b'0'; 9];
        let mut rest = value;
        for slot in buffer[..digits].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        out.extend_from_slice(&buffer[..digits]);
    }
    let seconds = offset.local_minus_utc();
    out.push(if seconds < 0 { b'-' } else { b'+' });
    let minutes = seconds.unsigned_abs() / 60;
    two_digits(out, minutes / 60);
    out.push(b':');
    two_digits(out, minutes % 60);
}

fn two_digits(out: &mut Vec<u8>, value: u32) {
    out.push(b'0' + (value / 10 % 10) as u8);
    out.push(b'0' + (value % 10) as u8);
}

// ---------------------------------------------------------------------------------------------
// Batch mode

/// What one kind of batch computes from the two fields of a line.
trait Job: Sync {
    /// The header line an input may start with (`start,within`), and the one written for it.
    const HEADER: &'static str;
    const OUTPUT_HEADER: &'static str;
    /// The JSON key of the value (`due`).
    const KEY: &'static str;
    /// Appends the value for one line (bare, as in CSV), or says why the line is malformed.
    fn line(&self, first: &str, second: &str, out: &mut Vec<u8>) -> Result<(), String>;
    /// Whether the value is a JSON string (quoted) rather than a number.
    const QUOTED: bool;
}

struct DueJob<'a> {
    calendar: &'a BusinessCalendar,
    id: &'a str,
}

impl Job for DueJob<'_> {
    const HEADER: &'static str = "start,within";
    const OUTPUT_HEADER: &'static str = "due";
    const KEY: &'static str = "due";
    const QUOTED: bool = true;

    fn line(&self, start: &str, within: &str, out: &mut Vec<u8>) -> Result<(), String> {
        let start = instant(start, "start")?.with_timezone(&Utc);
        let within = Duration::parse(within)?;
        let due = self
            .calendar
            .due(start, within)
            .ok_or_else(|| no_deadline(self.id, start, within))?;
        write_rfc3339(out, due, self.calendar.timezone());
        Ok(())
    }
}

struct ElapsedJob<'a>(&'a BusinessCalendar);

impl Job for ElapsedJob<'_> {
    const HEADER: &'static str = "from,to";
    const OUTPUT_HEADER: &'static str = "seconds";
    const KEY: &'static str = "seconds";
    const QUOTED: bool = false;

    fn line(&self, from: &str, to: &str, out: &mut Vec<u8>) -> Result<(), String> {
        let from = instant(from, "from")?;
        let to = instant(to, "to")?;
        if to < from {
            return Err(format!("`to` ({to}) is before `from` ({from})"));
        }
        let seconds = self
            .0
            .open_seconds(from.with_timezone(&Utc), to.with_timezone(&Utc));
        // `write!` to a Vec cannot fail.
        let _ = write!(out, "{seconds}");
        Ok(())
    }
}

fn instant(text: &str, field: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text).map_err(|error| {
        format!(
            "{field} `{}` is not an RFC 3339 instant ({error}): write e.g. 2026-03-27T16:30:00+01:00",
            shorten(text)
        )
    })
}

/// A field as shown in an error message: at most 40 characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// Bytes read before a block is computed; a block is cut into pieces, one per worker and more.
const BLOCK_BYTES: usize = 4 << 20;
/// The size of one read.
const READ_BYTES: usize = 1 << 20;
/// A block smaller than this is computed on the calling thread.
const PARALLEL_BYTES: usize = 16 << 10;
/// A line longer than this is malformed; it is skipped without being held in memory.
const MAX_LINE_BYTES: usize = 64 << 10;

/// The results of one piece of a block: its output lines, its malformed lines (numbered from the
/// start of the piece) and how many lines it holds. Reused from block to block.
#[derive(Default)]
struct Piece {
    out: Vec<u8>,
    errors: Vec<(u64, String)>,
    lines: u64,
}

/// How a batch run is going.
struct Batch<'a, W: Write> {
    out: W,
    source: &'a str,
    json: bool,
    /// Lines seen so far (the number of the last line of the previous block).
    lines: u64,
    malformed: u64,
    pieces: Vec<Piece>,
}

fn run_batch<J: Job>(job: &J, path: &Path, format: Format) -> Outcome {
    let stdin = std::io::stdin();
    let (mut input, source): (Box<dyn BufRead>, String) = if path == Path::new("-") {
        (
            Box::new(BufReader::with_capacity(READ_BYTES, stdin.lock())),
            "<stdin>".into(),
        )
    } else {
        match File::open(path) {
            Ok(file) => (
                Box::new(BufReader::with_capacity(READ_BYTES, file)),
                path.display().to_string(),
            ),
            Err(error) => return Outcome::Environment(format!("{}: {error}", path.display())),
        }
    };
    let stdout = std::io::stdout();
    let mut batch = Batch {
        out: std::io::BufWriter::with_capacity(256 << 10, stdout.lock()),
        source: &source,
        json: format == Format::Json,
        lines: 0,
        malformed: 0,
        pieces: Vec::new(),
    };
    match batch.run(job, &mut input) {
        Ok(()) => {}
        Err(error) if error.kind() == ErrorKind::BrokenPipe => return Outcome::Success,
        Err(error) => return Outcome::Environment(format!("{source}: {error}")),
    }
    if batch.malformed > 0 {
        crate::ui::tell!(
            "error: {} of {} line{} of {source} could not be computed; their output lines are empty",
            batch.malformed,
            batch.lines,
            if batch.lines == 1 { "" } else { "s" },
        );
        return Outcome::InputErrors;
    }
    Outcome::Success
}

impl<W: Write> Batch<'_, W> {
    fn run<J: Job>(&mut self, job: &J, input: &mut dyn BufRead) -> std::io::Result<()> {
        let mut block: Vec<u8> = Vec::with_capacity(BLOCK_BYTES + MAX_LINE_BYTES);
        // True while the rest of an over-long line is being skipped.
        let mut skipping = false;
        let mut eof = false;
        while !eof {
            // Fill the block: up to its size, the end of the input, or what a pipe has ready (a
            // short read), so that a slow producer still gets its answers line by line.
            loop {
                let room = (BLOCK_BYTES + MAX_LINE_BYTES).saturating_sub(block.len());
                let available = match input.fill_buf() {
                    Ok(available) => available,
                    Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                    Err(error) => return Err(error),
                };
                if available.is_empty() {
                    eof = true;
                    break;
                }
                let taken = available.len().min(room);
                let short = available.len() < READ_BYTES;
                block.extend_from_slice(&available[..taken]);
                input.consume(taken);
                if short || block.len() >= BLOCK_BYTES {
                    break;
                }
            }
            if skipping {
                // Drop the rest of the over-long line, up to its end.
                match block.iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        block.drain(..=end);
                        skipping = false;
                    }
                    None => {
                        block.clear();
                        continue;
                    }
                }
            }
            // Complete lines only; the tail waits for the next read (or ends the input).
            let end = if eof {
                block.len()
            } else {
                match block.iter().rposition(|&b| b == b'\n') {
                    Some(last) => last + 1,
                    None if block.len() > MAX_LINE_BYTES => {
                        self.too_long()?;
                        block.clear();
                        skipping = true;
                        continue;
                    }
                    None => continue,
                }
            };
            self.block(job, &block[..end])?;
            block.drain(..end);
        }
        self.out.flush()
    }

    /// A line longer than [`MAX_LINE_BYTES`]: an empty output line and an error.
    fn too_long(&mut self) -> std::io::Result<()> {
        self.lines += 1;
        self.malformed += 1;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        crate::ui::tell!(
            "error: {}:{}: line longer than {} KiB",
            self.source,
            self.lines,
            MAX_LINE_BYTES >> 10
        );
        Ok(())
    }

    /// Computes the complete lines of `text` (the last one may lack its line break only at the
    /// end of the input) and writes their output in order.
    fn block<J: Job>(&mut self, job: &J, text: &[u8]) -> std::io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let ranges = cut(text);
        if self.pieces.len() < ranges.len() {
            self.pieces.resize_with(ranges.len(), Piece::default);
        }
        let first_line = self.lines;
        let json = self.json;
        let pieces = &mut self.pieces[..ranges.len()];
        let work = |(piece, range): (&mut Piece, &Range<usize>)| {
            let header = first_line == 0 && range.start == 0;
            compute(job, &text[range.clone()], header, json, piece);
        };
        if ranges.len() == 1 {
            pieces.iter_mut().zip(&ranges).for_each(work);
        } else {
            pieces.par_iter_mut().zip(&ranges).for_each(work);
        }
        for piece in pieces.iter_mut() {
            self.out.write_all(&piece.out)?;
            if !piece.errors.is_empty() {
                let mut stderr = std::io::stderr().lock();
                for (line, reason) in &piece.errors {
                    let message = format!("error: {}:{}: {reason}", self.source, self.lines + line);
                    let _ = writeln!(stderr, "{}", crate::ui::shown(&message));
                }
                self.malformed += piece.errors.len() as u64;
            }
            self.lines += piece.lines;
        }
        self.out.flush()
    }
}

/// Cuts `text` at line ends into pieces of about equal size, enough to keep every worker busy.
fn cut(text: &[u8]) -> Vec<Range<usize>> {
    if text.len() < PARALLEL_BYTES {
        return std::iter::once(0..text.len()).collect();
    }
    let count = (rayon::current_num_threads() * 4).max(1);
    let size = text.len().div_ceil(count);
    let mut ranges = Vec::with_capacity(count);
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + size).min(text.len());
        if end < text.len() {
            end = match text[end..].iter().position(|&b| b == b'\n') {
                Some(offset) => end + offset + 1,
                None => text.len(),
            };
        }
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// Computes every line of one piece into `piece`.
fn compute<J: Job>(job: &J, text: &[u8], header: bool, json: bool, piece: &mut Piece) {
    piece.out.clear();
    piece.errors.clear();
    piece.lines = 0;
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        piece.lines += 1;
        let line = trim(line);
        if line.is_empty() {
            piece.out.push(b'\n');
            continue;
        }
        if header && index == 0 && line.eq_ignore_ascii_case(J::HEADER.as_bytes()) {
            if !json {
                piece.out.extend_from_slice(J::OUTPUT_HEADER.as_bytes());
            }
            piece.out.push(b'\n');
            continue;
        }
        let mark = piece.out.len();
        if json {
            piece.out.extend_from_slice(b"{\"");
            piece.out.extend_from_slice(J::KEY.as_bytes());
            piece
                .out
                .extend_from_slice(if J::QUOTED { b"\":\"" } else { b"\":" });
        }
        let result = fields::<J>(line).and_then(|(a, b)| job.line(a, b, &mut piece.out));
        match result {
            Ok(()) => {
                if json {
                    piece
                        .out
                        .extend_from_slice(if J::QUOTED { b"\"}" } else { b"}" });
                }
            }
            Err(reason) => {
                piece.out.truncate(mark);
                piece.errors.push((piece.lines, reason));
            }
        }
        piece.out.push(b'\n');
    }
}

/// The two fields of a CSV line, trimmed, without surrounding double quotes.
fn fields<J: Job>(line: &[u8]) -> Result<(&str, &str), String> {
    let line = std::str::from_utf8(line).map_err(|_| "the line is not valid UTF-8".to_string())?;
    let Some((first, second)) = line.split_once(',') else {
        return Err(format!(
            "expected two fields `{}`, found one: `{}`",
            J::HEADER,
            shorten(line)
        ));
    };
    if second.contains(',') {
        return Err(format!(
            "expected two fields `{}`, found {}: `{}`",
            J::HEADER,
            line.matches(',').count() + 1,
            shorten(line)
        ));
    }
    Ok((unquote(first), unquote(second)))
}

fn unquote(field: &str) -> &str {
    let field = field.trim();
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .map_or(field, str::trim)
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc3339(t: &str, zone: Tz) -> String {
        let t = DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
        let mut out = Vec::new();
        write_rfc3339(&mut out, t, zone);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn instants_are_written_in_the_zone_of_the_calendar() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let new_york: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            rfc3339("2026-03-30T07:30:00Z", paris),
            "2026-03-30T09:30:00+02:00"
        );
        assert_eq!(
            rfc3339("2026-01-05T07:30:00Z", new_york),
            "2026-01-05T02:30:00-05:00"
        );
        assert_eq!(
            rfc3339("2026-01-05T07:30:00.250Z", Tz::UTC),
            "2026-01-05T07:30:00.250+00:00"
        );
        let india: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            rfc3339("2026-01-05T00:00:00Z", india),
            "2026-01-05T05:30:00+05:30"
        );
    }

    #[test]
    fn seconds_read_compactly() {
        assert_eq!(compact_seconds(2592), "43m12s");
        assert_eq!(compact_seconds(12960), "3h36m");
        assert_eq!(compact_seconds(187200), "2d4h");
        assert_eq!(compact_seconds(0), "0s");
    }

    #[test]
    fn fields_are_trimmed_and_unquoted() {
        assert_eq!(fields::<ElapsedJob>(b" \"a\" , b "), Ok(("a", "b")));
        assert!(fields::<ElapsedJob>(b"a").is_err());
        assert!(fields::<ElapsedJob>(b"a,b,c").is_err());
    }

    #[test]
    fn blocks_are_cut_at_line_ends() {
        let text: Vec<u8> = (0..100_000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let ranges = cut(&text);
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(text.len()));
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert_eq!(text[pair[0].end - 1], b'\n');
        }
    }
}
