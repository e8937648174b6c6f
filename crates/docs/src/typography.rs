//! Numbers, dates, durations and lists as a French or English reader of a contract expects them.
//!
//! Every function takes the [`Lang`] of the document and returns plain text (no markup), ready
//! for Markdown or for HTML escaping.
//!
//! # French conventions
//!
//! French typography (the *Lexique des règles typographiques en usage à l'Imprimerie nationale*)
//! never lets a line break separate a number from what it measures, nor a sign from its word:
//!
//! - the decimal separator is the comma (`99,95`); thousands are separated by a narrow no-break
//!   space, [`NNBSP`] (`12 000`), from four digits on; decimals are not grouped;
//! - an *espace insécable*, [`NBSP`], goes before `%` and `:` (`99,5 %`, see [`colon`]), between
//!   an amount and its currency (`1 200,50 EUR`), and between a number and its unit, whether a
//!   symbol or a word (`8 h`, `43 min 12 s`, `4 heures`, `30 jours glissants`), and between the
//!   day and the month of a date (`1er janvier 2026`);
//! - times of day are written with `h` (`8 h`, `17 h 30`, `24 h`), the first of the month is
//!   `1er`, month and weekday names take no capital;
//! - lists end with `et` and no comma before it (`a, b et c`);
//! - units agree: `1 heure ouvrée`, `2 jours ouvrés`, `4 semaines glissantes`; 0 and 1 are
//!   singular.
//!
//! # English conventions
//!
//! British contract style: comma thousands and point decimals (`12,000`, `99.95`), `%` without a
//! space, dates as `1 January 2026`, 24-hour times `08:00`, ranges with an en dash
//! (`08:00–17:00`), lists without the serial comma (`a, b and c`).
//!
//! # Choices common to both languages
//!
//! - A number and its unit are joined by [`NBSP`] in English too (`43 min`, `4 hours`,
//!   `EUR 1,200.50`), so that a narrow column never leaves a number alone at the end of a line.
//! - Currencies stay ISO codes as written in the contract (`EUR`, not `€`), in both languages:
//!   after the amount in French, before it in English.
//! - Negative numbers use the ASCII hyphen-minus, and a zero is never signed (`-0` → `0`).
//! - Contract amounts are decimal text and are only regrouped, never parsed into a float
//!   ([`decimal_text`], [`money`]), so no figure is ever rounded; floats ([`number`],
//!   [`percent`]) are rounded to the decimals asked for and lose their trailing zeros, which hides
//!   binary noise (`99.9` stays `99,9 %`).
//! - A deadline of milliseconds that are not whole seconds is rounded up to the second: the
//!   document must never promise less time than the contract grants.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;
use slac_calendar::{Duration, TimeOfDay, TimeRange, WeekdaySet, Window};
use slac_model::model::{Money, Per};

/// The language of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The ISO 639-1 code: `fr` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// `fr`, `en`, in any case, alone or with a region (`fr-FR`, `en_GB`).
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?;
        if primary.eq_ignore_ascii_case("fr") {
            Some(Lang::Fr)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// No-break space: before `%`, `:` and a currency in French, between a number and its unit.
pub const NBSP: char = '\u{a0}';
/// Narrow no-break space: the French thousands separator.
pub const NNBSP: char = '\u{202f}';

const SECOND: u64 = 1;
const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

/// The colon that ends a label: `\u{a0}:` in French, `:` in English (`Durée : …`).
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\u{a0}:",
        Lang::En => ":",
    }
}

/// A float with at most `max_decimals` decimals, trailing zeros dropped: `99,95`, `12 000`.
pub fn number(lang: Lang, value: f64, max_decimals: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let text = format!("{value:.max_decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text.as_str()
    };
    decimal_text(lang, text)
}

/// A value in percent, with up to 3 decimals: `99,5 %`, `99.5%`.
pub fn percent(lang: Lang, value: f64) -> String {
    let value = number(lang, value, 3);
    match lang {
        Lang::Fr => format!("{value}{NBSP}%"),
        Lang::En => format!("{value}%"),
    }
}

/// A decimal given as text (`1200.50`, `-3`, `0.5`, `+7`), regrouped without ever going through
/// a float: every given decimal is kept. Text that is not a plain decimal comes back unchanged.
pub fn decimal_text(lang: Lang, text: &str) -> String {
    let Some(decimal) = Decimal::parse(text.trim()) else {
        return text.to_string();
    };
    let mut out = String::new();
    if decimal.negative {
        out.push('-');
    }
    out.push_str(&group(lang, decimal.int));
    if let Some(frac) = decimal.frac {
        out.push(match lang {
            Lang::Fr => ',',
            Lang::En => '.',
        });
        out.push_str(frac);
    }
    out
}

/// The parts of a plain decimal: an optional sign, digits, optionally `.` and digits.
struct Decimal<'a> {
    negative: bool,
    /// Without leading zeros, but at least one digit.
    int: &'a str,
    frac: Option<&'a str>,
}

impl<'a> Decimal<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (int, frac) = match rest.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (rest, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let int_ok = digits(int) || (int.is_empty() && frac.is_some());
        if !int_ok || frac.is_some_and(|f| !digits(f)) {
            return None;
        }
        let int = match int.trim_start_matches('0') {
            "" => "0",
            trimmed => trimmed,
        };
        let zero = int == "0" && frac.is_none_or(|f| f.bytes().all(|b| b == b'0'));
        Some(Decimal {
            negative: negative && !zero,
            int,
            frac,
        })
    }
}

/// Digits with the thousands separator of `lang`.
fn group(lang: Lang, digits: &str) -> String {
    let separator = match lang {
        Lang::Fr => NNBSP,
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// A whole number with thousands separators.
fn integer(lang: Lang, n: u64) -> String {
    group(lang, &n.to_string())
}

/// An amount in a currency: `1 200,50 EUR` in French, `EUR 1,200.50` in English, joined by a
/// no-break space. The currency stays the code written in the contract.
pub fn money(lang: Lang, amount: &str, currency: &str) -> String {
    let amount = decimal_text(lang, amount);
    let currency = currency.trim();
    if currency.is_empty() {
        return amount;
    }
    match lang {
        Lang::Fr => format!("{amount}{NBSP}{currency}"),
        Lang::En => format!("{currency}{NBSP}{amount}"),
    }
}

/// A price with its period: `1 200,50 EUR par mois`, `EUR 1,200.50 per month`.
pub fn price(lang: Lang, price: &Money) -> String {
    let amount = money(lang, &price.amount, &price.currency);
    match price.per {
        Some(period) => format!("{amount} {}", per(lang, period)),
        None => amount,
    }
}

/// The period of a recurring price: `par mois`, `per month`.
pub fn per(lang: Lang, per: Per) -> &'static str {
    match (lang, per) {
        (Lang::Fr, Per::Week) => "par semaine",
        (Lang::Fr, Per::Month) => "par mois",
        (Lang::Fr, Per::Quarter) => "par trimestre",
        (Lang::Fr, Per::Year) => "par an",
        (Lang::En, Per::Week) => "per week",
        (Lang::En, Per::Month) => "per month",
        (Lang::En, Per::Quarter) => "per quarter",
        (Lang::En, Per::Year) => "per year",
    }
}

const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date in words: `1er janvier 2026`, `2 mars 2026`; `1 January 2026`.
pub fn date(lang: Lang, date: NaiveDate) -> String {
    let day = date.day();
    let month = date.month0() as usize;
    let year = date.year();
    match lang {
        Lang::Fr => {
            let day = if day == 1 {
                ordinal(lang, 1)
            } else {
                day.to_string()
            };
            let month = FR_MONTHS.get(month).copied().unwrap_or_default();
            format!("{day}{NBSP}{month} {year}")
        }
        Lang::En => {
            let month = EN_MONTHS.get(month).copied().unwrap_or_default();
            format!("{day}{NBSP}{month} {year}")
        }
    }
}

const FR_WEEKDAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const EN_WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The name of a weekday: `lundi`, `Monday`.
pub fn weekday(lang: Lang, day: Weekday) -> &'static str {
    weekday_at(lang, day.num_days_from_monday())
}

/// The name of the weekday `index` days after Monday (modulo 7).
fn weekday_at(lang: Lang, index: u32) -> &'static str {
    let index = (index % 7) as usize;
    let names = match lang {
        Lang::Fr => &FR_WEEKDAYS,
        Lang::En => &EN_WEEKDAYS,
    };
    names.get(index).copied().unwrap_or_default()
}

/// A set of weekdays in the shortest faithful phrase. Consecutive days (also across Sunday)
/// make a range from three days on: `du lundi au vendredi`, `du vendredi au lundi`, `Monday to
/// Friday`; others are listed: `lundi, mercredi et vendredi`, `le samedi`, `du lundi au mercredi
/// et le samedi`; `tous les jours`, `every day`; the empty set is `aucun jour`, `no day`.
pub fn weekdays(lang: Lang, days: WeekdaySet) -> String {
    let bits = u32::from(days.bits() & 0x7f);
    if bits == 0 {
        return match lang {
            Lang::Fr => "aucun jour",
            Lang::En => "no day",
        }
        .to_string();
    }
    if bits == 0x7f {
        return match lang {
            Lang::Fr => "tous les jours",
            Lang::En => "every day",
        }
        .to_string();
    }
    let has = |day: u32| bits & (1 << (day % 7)) != 0;
    // Runs of consecutive days as (first day, length), Monday first; a run across Sunday starts
    // on the day after a missing one, which exists since not every day is in the set.
    let mut runs = Vec::new();
    for start in 0..7 {
        if has(start) && !has(start + 6) {
            let mut length = 1;
            while length < 7 && has(start + length) {
                length += 1;
            }
            runs.push((start, length));
        }
    }
    let has_range = runs.iter().any(|&(_, length)| length >= 3);
    let mut pieces = Vec::new();
    for (start, length) in runs {
        if length >= 3 {
            let (first, last) = (
                weekday_at(lang, start),
                weekday_at(lang, start + length - 1),
            );
            pieces.push(match lang {
                Lang::Fr => format!("du {first} au {last}"),
                Lang::En => format!("{first} to {last}"),
            });
        } else {
            for day in start..start + length {
                let name = weekday_at(lang, day);
                pieces.push(match lang {
                    Lang::Fr if has_range => format!("le {name}"),
                    _ => name.to_string(),
                });
            }
        }
    }
    match (lang, pieces.as_slice()) {
        (Lang::Fr, [one]) if !has_range => format!("le {one}"),
        _ => list(lang, &pieces),
    }
}

/// A time of day: `8 h`, `17 h 30`, `0 h`, `24 h`; `08:00`, `17:30`, `24:00`.
pub fn time_of_day(lang: Lang, time: TimeOfDay) -> String {
    let minutes = time.minutes();
    let (hours, minutes) = (minutes / 60, minutes % 60);
    match lang {
        Lang::Fr if minutes == 0 => format!("{hours}{NBSP}h"),
        Lang::Fr => format!("{hours}{NBSP}h{NBSP}{minutes:02}"),
        Lang::En => format!("{hours:02}:{minutes:02}"),
    }
}

/// A range of the day: `de 8 h à 17 h`, `08:00–17:00`. A range past midnight ends `le
/// lendemain`, `the next day`; one that ends at midnight ends at `24 h`, `24:00`.
pub fn time_range(lang: Lang, range: TimeRange) -> String {
    let start = time_of_day(lang, range.start);
    let ends_at_midnight = range.end == TimeOfDay::MIDNIGHT;
    let next_day = range.wraps() && !ends_at_midnight;
    let end = if ends_at_midnight {
        time_of_day(lang, TimeOfDay::END_OF_DAY)
    } else {
        time_of_day(lang, range.end)
    };
    match (lang, next_day) {
        (Lang::Fr, false) => format!("de {start} à {end}"),
        (Lang::Fr, true) => format!("de {start} à {end} le lendemain"),
        (Lang::En, false) => format!("{start}–{end}"),
        (Lang::En, true) => format!("{start}–{end} the next day"),
    }
}

/// An exact length of time in unit symbols, largest first, zero parts left out: `7 j 4 h 48
/// min`, `43 min 12 s`, `0 s`; `7 d 4 h 48 min`.
pub fn clock(lang: Lang, seconds: u64) -> String {
    if seconds == 0 {
        return format!("0{NBSP}s");
    }
    let day = match lang {
        Lang::Fr => "j",
        Lang::En => "d",
    };
    let mut rest = seconds;
    let mut parts = Vec::new();
    for (size, symbol) in [(DAY, day), (HOUR, "h"), (MINUTE, "min"), (SECOND, "s")] {
        let count = rest / size;
        rest %= size;
        if count > 0 {
            parts.push(format!("{}{NBSP}{symbol}", integer(lang, count)));
        }
    }
    parts.join(" ")
}

/// A unit of time counted in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

impl Unit {
    fn seconds(self) -> u64 {
        match self {
            Unit::Week => WEEK,
            Unit::Day => DAY,
            Unit::Hour => HOUR,
            Unit::Minute => MINUTE,
            Unit::Second => SECOND,
        }
    }

    /// The singular and plural names.
    fn names(self, lang: Lang) -> (&'static str, &'static str) {
        match (lang, self) {
            (Lang::Fr, Unit::Week) => ("semaine", "semaines"),
            (Lang::Fr, Unit::Day) => ("jour", "jours"),
            (Lang::Fr, Unit::Hour) => ("heure", "heures"),
            (Lang::Fr, Unit::Minute) => ("minute", "minutes"),
            (Lang::Fr, Unit::Second) => ("seconde", "secondes"),
            (Lang::En, Unit::Week) => ("week", "weeks"),
            (Lang::En, Unit::Day) => ("day", "days"),
            (Lang::En, Unit::Hour) => ("hour", "hours"),
            (Lang::En, Unit::Minute) => ("minute", "minutes"),
            (Lang::En, Unit::Second) => ("second", "seconds"),
        }
    }

    fn name(self, lang: Lang, count: u64) -> &'static str {
        let (singular, plural) = self.names(lang);
        if plural_for(lang, count) {
            plural
        } else {
            singular
        }
    }

    /// Whether the French name is feminine (all but `jour`).
    fn feminine(self) -> bool {
        self != Unit::Day
    }
}

/// French takes the singular for 0 and 1, English only for 1.
fn plural_for(lang: Lang, count: u64) -> bool {
    match lang {
        Lang::Fr => count >= 2,
        Lang::En => count != 1,
    }
}

/// `4 heures`, `1 hour`.
fn quantity(lang: Lang, count: u64, unit: Unit) -> String {
    format!("{}{NBSP}{}", integer(lang, count), unit.name(lang, count))
}

/// `ouvré`, `ouvrées`, … agreeing with `count` of `unit`.
fn fr_adjective(stem: &str, count: u64, unit: Unit) -> String {
    let mut word = stem.to_string();
    if unit.feminine() {
        word.push('e');
    }
    if plural_for(Lang::Fr, count) {
        word.push('s');
    }
    word
}

/// Milliseconds of a duration rounded up to whole seconds.
fn whole_seconds(millis: u64) -> u64 {
    millis.div_ceil(1000)
}

/// `seconds` split into `units`, largest first, zero parts left out.
fn split(seconds: u64, units: &[Unit]) -> Vec<(u64, Unit)> {
    let mut rest = seconds;
    let mut parts = Vec::new();
    for &unit in units {
        let count = rest / unit.seconds();
        rest %= unit.seconds();
        if count > 0 {
            parts.push((count, unit));
        }
    }
    parts
}

/// A ticket deadline in words. With `business`, the time is open time of a business calendar,
/// counted in hours, minutes and seconds: `4 heures ouvrées`, `1 heure et 30 minutes ouvrées`;
/// `4 business hours`, `1 hour and 30 minutes of business time`. Without, the largest units
/// apply, weeks only for a whole number of weeks: `2 jours`, `1 semaine`, `2 days and 4 hours`.
/// Business days are business days either way: `2 jours ouvrés`, `2 business days`. Parts of a
/// second are rounded up.
pub fn within(lang: Lang, duration: Duration, business: bool) -> String {
    let millis = match duration {
        Duration::BusinessDays(days) => {
            let days = u64::from(days);
            return match lang {
                Lang::Fr => format!(
                    "{} {}",
                    quantity(lang, days, Unit::Day),
                    fr_adjective("ouvré", days, Unit::Day)
                ),
                Lang::En => format!(
                    "{}{NBSP}business {}",
                    integer(lang, days),
                    Unit::Day.name(lang, days)
                ),
            };
        }
        Duration::Millis(millis) => millis,
    };
    let seconds = whole_seconds(millis);
    let mut parts = if business {
        split(seconds, &[Unit::Hour, Unit::Minute, Unit::Second])
    } else if seconds > 0 && seconds % WEEK == 0 {
        vec![(seconds / WEEK, Unit::Week)]
    } else {
        split(
            seconds,
            &[Unit::Day, Unit::Hour, Unit::Minute, Unit::Second],
        )
    };
    if parts.is_empty() {
        parts.push((0, Unit::Minute));
    }
    let words: Vec<String> = parts
        .iter()
        .map(|&(count, unit)| quantity(lang, count, unit))
        .collect();
    match (business, lang, parts.as_slice()) {
        (false, _, _) => list(lang, &words),
        (true, Lang::Fr, &[(count, unit)]) => {
            format!(
                "{} {}",
                quantity(lang, count, unit),
                fr_adjective("ouvré", count, unit)
            )
        }
        // Hours, minutes and seconds are all feminine.
        (true, Lang::Fr, _) => format!("{} ouvrées", list(lang, &words)),
        (true, Lang::En, &[(count, unit)]) => format!(
            "{}{NBSP}business {}",
            integer(lang, count),
            unit.name(lang, count)
        ),
        (true, Lang::En, _) => format!("{} of business time", list(lang, &words)),
    }
}

/// The measurement period as a noun phrase: `30 jours glissants`, `le mois civil`; `a rolling 30
/// days`, `the calendar month`.
pub fn window(lang: Lang, window: Window) -> String {
    let text = match (lang, window) {
        (_, Window::Rolling(duration)) => return rolling(lang, duration),
        (Lang::Fr, Window::Week) => "la semaine civile",
        (Lang::Fr, Window::Month) => "le mois civil",
        (Lang::Fr, Window::Quarter) => "le trimestre civil",
        (Lang::Fr, Window::Year) => "l'année civile",
        (Lang::En, Window::Week) => "the calendar week",
        (Lang::En, Window::Month) => "the calendar month",
        (Lang::En, Window::Quarter) => "the calendar quarter",
        (Lang::En, Window::Year) => "the calendar year",
    };
    text.to_string()
}

/// The measurement period as a complement after a noun: `sur 30 jours glissants`, `du mois`;
/// `over a rolling 30 days`, `of the month` (`95 % des tickets du mois`).
pub fn window_of(lang: Lang, window: Window) -> String {
    let text = match (lang, window) {
        (Lang::Fr, Window::Rolling(duration)) => return format!("sur {}", rolling(lang, duration)),
        (Lang::En, Window::Rolling(duration)) => {
            return format!("over {}", rolling(lang, duration))
        }
        (Lang::Fr, Window::Week) => "de la semaine",
        (Lang::Fr, Window::Month) => "du mois",
        (Lang::Fr, Window::Quarter) => "du trimestre",
        (Lang::Fr, Window::Year) => "de l'année",
        (Lang::En, Window::Week) => "of the week",
        (Lang::En, Window::Month) => "of the month",
        (Lang::En, Window::Quarter) => "of the quarter",
        (Lang::En, Window::Year) => "of the year",
    };
    text.to_string()
}

/// A rolling window in the largest unit that counts it exactly: `30 jours glissants`, `4
/// semaines glissantes`, `36 heures glissantes`, `20 jours ouvrés glissants`; `a rolling 30
/// days`, `a rolling week`, `a rolling 20 business days`.
fn rolling(lang: Lang, duration: Duration) -> String {
    let (count, unit, business) = match duration {
        Duration::BusinessDays(days) => (u64::from(days), Unit::Day, true),
        Duration::Millis(millis) => {
            let seconds = whole_seconds(millis);
            let unit = [Unit::Week, Unit::Day, Unit::Hour, Unit::Minute]
                .into_iter()
                .find(|unit| seconds > 0 && seconds % unit.seconds() == 0)
                .unwrap_or(Unit::Second);
            (seconds / unit.seconds(), unit, false)
        }
    };
    match lang {
        Lang::Fr => {
            let mut text = quantity(lang, count, unit);
            if business {
                text.push(' ');
                text.push_str(&fr_adjective("ouvré", count, unit));
            }
            text.push(' ');
            text.push_str(&fr_adjective("glissant", count, unit));
            text
        }
        Lang::En => {
            let business = if business { "business " } else { "" };
            if count == 1 {
                format!("a rolling {business}{}", unit.name(lang, count))
            } else {
                format!(
                    "a rolling {}{NBSP}{business}{}",
                    integer(lang, count),
                    unit.name(lang, count)
                )
            }
        }
    }
}

/// Items joined as a sentence: `a`, `a et b`, `a, b et c`; `a and b`, `a, b and c`.
pub fn list(lang: Lang, items: &[String]) -> String {
    let and = match lang {
        Lang::Fr => "et",
        Lang::En => "and",
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

/// An ordinal number: `1er`, `2e`; `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`.
pub fn ordinal(lang: Lang, n: u32) -> String {
    match lang {
        Lang::Fr if n == 1 => "1er".to_string(),
        Lang::Fr => format!("{n}e"),
        Lang::En => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lang::{En, Fr};

    /// Test text with `~` for a no-break space and `^` for a narrow no-break space.
    fn nb(text: &str) -> String {
        text.replace('~', "\u{a0}").replace('^', "\u{202f}")
    }

    fn days(text: &str) -> WeekdaySet {
        WeekdaySet::parse(text).unwrap()
    }

    fn range(text: &str) -> TimeRange {
        TimeRange::parse(text).unwrap()
    }

    fn time(text: &str) -> TimeOfDay {
        TimeOfDay::parse(text).unwrap()
    }

    fn duration(text: &str) -> Duration {
        Duration::parse(text).unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn languages_have_codes() {
        assert_eq!(Lang::ALL, [Fr, En]);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("FR"), Some(Fr));
        assert_eq!(Lang::from_code("fr-FR"), Some(Fr));
        assert_eq!(Lang::from_code("en-GB"), Some(En));
        assert_eq!(Lang::from_code("en_us"), Some(En));
        assert_eq!(Lang::from_code("de"), None);
        assert_eq!(Lang::from_code("french"), None);
        assert_eq!(Lang::from_code(""), None);
        assert_eq!(serde_json::to_string(&Fr).unwrap(), "\"fr\"");
        assert_eq!(serde_json::to_string(&En).unwrap(), "\"en\"");
    }

    #[test]
    fn separators_are_the_unicode_spaces() {
        assert_eq!(NBSP, '\u{a0}');
        assert_eq!(NNBSP, '\u{202f}');
        assert_eq!(colon(Fr), "\u{a0}:");
        assert_eq!(colon(En), ":");
    }

    #[test]
    fn numbers_group_thousands_and_drop_trailing_zeros() {
        assert_eq!(number(Fr, 99.95, 2), "99,95");
        assert_eq!(number(En, 99.95, 2), "99.95");
        assert_eq!(number(Fr, 12000.0, 2), "12\u{202f}000");
        assert_eq!(number(En, 12000.0, 2), "12,000");
        assert_eq!(number(Fr, 0.1, 3), "0,1");
        assert_eq!(number(En, 0.1 + 0.2, 3), "0.3");
        assert_eq!(number(Fr, 999.0, 0), "999");
        assert_eq!(number(Fr, 1000.0, 0), nb("1^000"));
        assert_eq!(number(Fr, 1_234_567.891, 2), nb("1^234^567,89"));
        assert_eq!(number(En, 1_234_567.891, 2), "1,234,567.89");
        assert_eq!(number(En, 1e15, 1), "1,000,000,000,000,000");
        assert_eq!(number(En, 2.5, 0), "2");
        assert_eq!(number(En, 2.6, 0), "3");
        assert_eq!(number(En, 10.0, 3), "10");
    }

    #[test]
    fn negative_and_zero_numbers() {
        assert_eq!(number(Fr, 0.0, 2), "0");
        assert_eq!(number(Fr, -0.0, 2), "0");
        assert_eq!(number(En, -0.0001, 3), "0");
        assert_eq!(number(Fr, -1234.5, 2), nb("-1^234,5"));
        assert_eq!(number(En, -1234.5, 2), "-1,234.5");
        assert_eq!(number(En, -3.0, 2), "-3");
        assert_eq!(number(En, f64::NAN, 2), "NaN");
    }

    #[test]
    fn percentages_keep_three_decimals_without_noise() {
        assert_eq!(percent(Fr, 99.5), "99,5\u{a0}%");
        assert_eq!(percent(En, 99.5), "99.5%");
        assert_eq!(percent(Fr, 99.9), "99,9\u{a0}%");
        assert_eq!(percent(Fr, 100.0 - 0.1), nb("99,9~%"));
        assert_eq!(percent(En, 99.95), "99.95%");
        assert_eq!(percent(En, 99.999), "99.999%");
        assert_eq!(percent(En, 99.99951), "100%");
        assert_eq!(percent(En, 99.9994), "99.999%");
        assert_eq!(percent(Fr, 100.0), nb("100~%"));
        assert_eq!(percent(Fr, 0.0), nb("0~%"));
    }

    #[test]
    fn decimal_text_keeps_every_given_decimal() {
        assert_eq!(decimal_text(Fr, "1200.50"), "1\u{202f}200,50");
        assert_eq!(decimal_text(En, "1200.50"), "1,200.50");
        assert_eq!(decimal_text(Fr, "0.5"), "0,5");
        assert_eq!(decimal_text(Fr, "-3"), "-3");
        assert_eq!(decimal_text(En, "+7"), "7");
        assert_eq!(decimal_text(En, "12.000"), "12.000");
        assert_eq!(
            decimal_text(En, "123456789012345678901234.123456789012345678"),
            "123,456,789,012,345,678,901,234.123456789012345678"
        );
        assert_eq!(decimal_text(Fr, "1000000"), nb("1^000^000"));
        assert_eq!(decimal_text(En, "007.5"), "7.5");
        assert_eq!(decimal_text(En, ".5"), "0.5");
        assert_eq!(decimal_text(En, "-0.00"), "0.00");
        assert_eq!(decimal_text(En, " 42 "), "42");
        for odd in [
            "", "-", "1.", "1.2.3", "1e5", "abc", "1 200", "1,5", "NaN", "--1",
        ] {
            assert_eq!(decimal_text(Fr, odd), odd, "{odd:?}");
        }
    }

    #[test]
    fn money_puts_the_currency_where_each_reader_expects_it() {
        assert_eq!(money(Fr, "1200.50", "EUR"), "1\u{202f}200,50\u{a0}EUR");
        assert_eq!(money(En, "1200.50", "EUR"), "EUR\u{a0}1,200.50");
        assert_eq!(money(Fr, "99", "CHF"), nb("99~CHF"));
        assert_eq!(money(En, "15000", ""), "15,000");
        assert_eq!(money(Fr, "sur devis", "EUR"), nb("sur devis~EUR"));
        let fee = Money {
            amount: "1200.50".into(),
            currency: "EUR".into(),
            per: Some(Per::Month),
        };
        assert_eq!(price(Fr, &fee), nb("1^200,50~EUR par mois"));
        assert_eq!(price(En, &fee), nb("EUR~1,200.50 per month"));
        let once = Money { per: None, ..fee };
        assert_eq!(price(En, &once), nb("EUR~1,200.50"));
    }

    #[test]
    fn periods_of_a_price() {
        assert_eq!(per(Fr, Per::Week), "par semaine");
        assert_eq!(per(Fr, Per::Month), "par mois");
        assert_eq!(per(Fr, Per::Quarter), "par trimestre");
        assert_eq!(per(Fr, Per::Year), "par an");
        assert_eq!(per(En, Per::Week), "per week");
        assert_eq!(per(En, Per::Month), "per month");
        assert_eq!(per(En, Per::Quarter), "per quarter");
        assert_eq!(per(En, Per::Year), "per year");
    }

    #[test]
    fn dates_in_words() {
        assert_eq!(date(Fr, ymd(2026, 1, 1)), nb("1er~janvier 2026"));
        assert_eq!(date(Fr, ymd(2026, 3, 2)), nb("2~mars 2026"));
        assert_eq!(date(Fr, ymd(2026, 8, 15)), nb("15~août 2026"));
        assert_eq!(date(Fr, ymd(2026, 12, 31)), nb("31~décembre 2026"));
        assert_eq!(date(En, ymd(2026, 1, 1)), nb("1~January 2026"));
        assert_eq!(date(En, ymd(2026, 12, 31)), nb("31~December 2026"));
    }

    #[test]
    fn weekday_names() {
        assert_eq!(weekday(Fr, Weekday::Mon), "lundi");
        assert_eq!(weekday(Fr, Weekday::Sun), "dimanche");
        assert_eq!(weekday(En, Weekday::Mon), "Monday");
        assert_eq!(weekday(En, Weekday::Sat), "Saturday");
    }

    #[test]
    fn weekday_sets_in_the_shortest_phrase() {
        let cases = [
            ("mon-fri", "du lundi au vendredi", "Monday to Friday"),
            ("daily", "tous les jours", "every day"),
            ("mon-sun", "tous les jours", "every day"),
            ("sat", "le samedi", "Saturday"),
            (
                "mon,wed,fri",
                "lundi, mercredi et vendredi",
                "Monday, Wednesday and Friday",
            ),
            ("sat,sun", "samedi et dimanche", "Saturday and Sunday"),
            ("mon-wed", "du lundi au mercredi", "Monday to Wednesday"),
            (
                "mon-wed,sat",
                "du lundi au mercredi et le samedi",
                "Monday to Wednesday and Saturday",
            ),
            (
                "mon-wed,fri,sat",
                "du lundi au mercredi, le vendredi et le samedi",
                "Monday to Wednesday, Friday and Saturday",
            ),
            (
                "mon-tue,thu-sat",
                "le lundi, le mardi et du jeudi au samedi",
                "Monday, Tuesday and Thursday to Saturday",
            ),
            (
                "mon,tue,thu",
                "lundi, mardi et jeudi",
                "Monday, Tuesday and Thursday",
            ),
            ("mon-sat", "du lundi au samedi", "Monday to Saturday"),
        ];
        for (set, fr, en) in cases {
            assert_eq!(weekdays(Fr, days(set)), fr, "{set}");
            assert_eq!(weekdays(En, days(set)), en, "{set}");
        }
        assert_eq!(weekdays(Fr, WeekdaySet::default()), "aucun jour");
        assert_eq!(weekdays(En, WeekdaySet::default()), "no day");
    }

    #[test]
    fn weekday_ranges_wrap_past_sunday() {
        assert_eq!(weekdays(Fr, days("fri-mon")), "du vendredi au lundi");
        assert_eq!(weekdays(En, days("fri-mon")), "Friday to Monday");
        assert_eq!(weekdays(Fr, days("sun-thu")), "du dimanche au jeudi");
        assert_eq!(weekdays(En, days("sun-thu")), "Sunday to Thursday");
        // Two days across Sunday are listed in week order from the first.
        assert_eq!(weekdays(Fr, days("sun-mon")), "dimanche et lundi");
        assert_eq!(weekdays(En, days("sun,mon")), "Sunday and Monday");
        assert_eq!(
            weekdays(Fr, days("wed,fri-mon")),
            "le mercredi et du vendredi au lundi"
        );
        assert_eq!(weekdays(Fr, days("tue-sun")), "du mardi au dimanche");
        assert_eq!(weekdays(Fr, days("wed-mon")), "du mercredi au lundi");
        // Six days around a missing Thursday are one range across Sunday.
        assert_eq!(
            weekdays(Fr, days("mon-wed,fri-sun")),
            "du vendredi au mercredi"
        );
    }

    #[test]
    fn times_of_day() {
        assert_eq!(time_of_day(Fr, time("08:00")), "8\u{a0}h");
        assert_eq!(time_of_day(Fr, time("17:30")), nb("17~h~30"));
        assert_eq!(time_of_day(Fr, time("09:05")), nb("9~h~05"));
        assert_eq!(time_of_day(Fr, time("00:00")), nb("0~h"));
        assert_eq!(time_of_day(Fr, time("24:00")), nb("24~h"));
        assert_eq!(time_of_day(En, time("08:00")), "08:00");
        assert_eq!(time_of_day(En, time("17:30")), "17:30");
        assert_eq!(time_of_day(En, time("00:00")), "00:00");
        assert_eq!(time_of_day(En, TimeOfDay::END_OF_DAY), "24:00");
    }

    #[test]
    fn time_ranges_and_overnight_ranges() {
        assert_eq!(time_range(Fr, range("08:00-17:00")), nb("de 8~h à 17~h"));
        assert_eq!(time_range(En, range("08:00-17:00")), "08:00–17:00");
        assert_eq!(
            time_range(Fr, range("22:00-06:00")),
            nb("de 22~h à 6~h le lendemain")
        );
        assert_eq!(
            time_range(En, range("22:00-06:00")),
            "22:00–06:00 the next day"
        );
        assert_eq!(
            time_range(Fr, range("08:30-12:15")),
            nb("de 8~h~30 à 12~h~15")
        );
        // Ending at midnight is the end of the same day.
        assert_eq!(time_range(Fr, range("00:00-24:00")), nb("de 0~h à 24~h"));
        assert_eq!(time_range(En, range("00:00-00:00")), "00:00–24:00");
        assert_eq!(time_range(En, range("18:00-00:00")), "18:00–24:00");
        // Equal ends are a whole day from the start.
        assert_eq!(
            time_range(En, range("08:00-08:00")),
            "08:00–08:00 the next day"
        );
    }

    #[test]
    fn clock_lengths() {
        assert_eq!(clock(Fr, 43 * 60 + 12), nb("43~min 12~s"));
        assert_eq!(clock(En, 43 * 60 + 12), nb("43~min 12~s"));
        assert_eq!(clock(Fr, 3 * 3600 + 36 * 60), nb("3~h 36~min"));
        assert_eq!(
            clock(Fr, 7 * 86_400 + 4 * 3600 + 48 * 60),
            nb("7~j 4~h 48~min")
        );
        assert_eq!(
            clock(En, 7 * 86_400 + 4 * 3600 + 48 * 60),
            nb("7~d 4~h 48~min")
        );
        assert_eq!(clock(Fr, 0), nb("0~s"));
        assert_eq!(clock(En, 0), nb("0~s"));
        assert_eq!(clock(Fr, 86_400 + 1), nb("1~j 1~s"));
        assert_eq!(clock(Fr, 1000 * 86_400), nb("1^000~j"));
        assert_eq!(clock(En, 1000 * 86_400), nb("1,000~d"));
    }

    #[test]
    fn deadlines_in_business_time() {
        let cases = [
            ("1h", "1~heure ouvrée", "1~business hour"),
            ("4h", "4~heures ouvrées", "4~business hours"),
            ("30m", "30~minutes ouvrées", "30~business minutes"),
            ("1m", "1~minute ouvrée", "1~business minute"),
            (
                "1h30m",
                "1~heure et 30~minutes ouvrées",
                "1~hour and 30~minutes of business time",
            ),
            (
                "2h1m5s",
                "2~heures, 1~minute et 5~secondes ouvrées",
                "2~hours, 1~minute and 5~seconds of business time",
            ),
            // A day of open time is 24 open hours, not a business day.
            ("2d", "48~heures ouvrées", "48~business hours"),
            ("0s", "0~minute ouvrée", "0~business minutes"),
            ("2bd", "2~jours ouvrés", "2~business days"),
            ("1bd", "1~jour ouvré", "1~business day"),
        ];
        for (text, fr, en) in cases {
            assert_eq!(within(Fr, duration(text), true), nb(fr), "{text}");
            assert_eq!(within(En, duration(text), true), nb(en), "{text}");
        }
    }

    #[test]
    fn deadlines_in_wall_clock_time() {
        let cases = [
            ("4h", "4~heures", "4~hours"),
            ("1h", "1~heure", "1~hour"),
            ("2d", "2~jours", "2~days"),
            ("1w", "1~semaine", "1~week"),
            ("14d", "2~semaines", "2~weeks"),
            ("10d", "10~jours", "10~days"),
            ("1d12h", "1~jour et 12~heures", "1~day and 12~hours"),
            ("90m", "1~heure et 30~minutes", "1~hour and 30~minutes"),
            ("45s", "45~secondes", "45~seconds"),
            ("0s", "0~minute", "0~minutes"),
            ("1000h", "41~jours et 16~heures", "41~days and 16~hours"),
        ];
        for (text, fr, en) in cases {
            assert_eq!(within(Fr, duration(text), false), nb(fr), "{text}");
            assert_eq!(within(En, duration(text), false), nb(en), "{text}");
        }
        // Business days stay business days whatever the calendar.
        assert_eq!(
            within(Fr, Duration::BusinessDays(3), false),
            nb("3~jours ouvrés")
        );
        assert_eq!(
            within(Fr, Duration::BusinessDays(2000), false),
            nb("2^000~jours ouvrés")
        );
    }

    #[test]
    fn deadline_millis_round_up_to_the_second() {
        assert_eq!(within(Fr, Duration::Millis(300), false), nb("1~seconde"));
        assert_eq!(
            within(En, Duration::Millis(1), true),
            nb("1~business second")
        );
        assert_eq!(within(En, Duration::Millis(1_001), false), nb("2~seconds"));
        assert_eq!(within(En, Duration::Millis(59_999), false), nb("1~minute"));
        assert_eq!(
            within(Fr, Duration::Millis(3_599_001), true),
            nb("1~heure ouvrée")
        );
        assert_eq!(within(En, Duration::Millis(2_000), false), nb("2~seconds"));
    }

    #[test]
    fn measurement_windows() {
        let cases = [
            ("30d", "30~jours glissants", "a rolling 30~days"),
            ("28d", "4~semaines glissantes", "a rolling 4~weeks"),
            ("1w", "1~semaine glissante", "a rolling week"),
            ("1d", "1~jour glissant", "a rolling day"),
            ("24h", "1~jour glissant", "a rolling day"),
            ("36h", "36~heures glissantes", "a rolling 36~hours"),
            ("90m", "90~minutes glissantes", "a rolling 90~minutes"),
            (
                "20bd",
                "20~jours ouvrés glissants",
                "a rolling 20~business days",
            ),
            ("1bd", "1~jour ouvré glissant", "a rolling business day"),
        ];
        for (text, fr, en) in cases {
            let rolling = Window::Rolling(duration(text));
            assert_eq!(window(Fr, rolling), nb(fr), "{text}");
            assert_eq!(window(En, rolling), nb(en), "{text}");
            assert_eq!(window_of(Fr, rolling), nb(&format!("sur {fr}")), "{text}");
            assert_eq!(window_of(En, rolling), nb(&format!("over {en}")), "{text}");
        }
        let calendar = [
            (Window::Week, "la semaine civile", "the calendar week"),
            (Window::Month, "le mois civil", "the calendar month"),
            (
                Window::Quarter,
                "le trimestre civil",
                "the calendar quarter",
            ),
            (Window::Year, "l'année civile", "the calendar year"),
        ];
        for (w, fr, en) in calendar {
            assert_eq!(window(Fr, w), fr);
            assert_eq!(window(En, w), en);
        }
    }

    #[test]
    fn measurement_windows_as_complements() {
        let cases = [
            (Window::Week, "de la semaine", "of the week"),
            (Window::Month, "du mois", "of the month"),
            (Window::Quarter, "du trimestre", "of the quarter"),
            (Window::Year, "de l'année", "of the year"),
        ];
        for (w, fr, en) in cases {
            assert_eq!(window_of(Fr, w), fr);
            assert_eq!(window_of(En, w), en);
        }
        let month = format!(
            "{} des tickets {}",
            percent(Fr, 95.0),
            window_of(Fr, Window::Month)
        );
        assert_eq!(month, nb("95~% des tickets du mois"));
        let budget = format!(
            "{} {}",
            clock(Fr, 43 * 60 + 12),
            window_of(Fr, Window::Rolling(duration("30d")))
        );
        assert_eq!(budget, nb("43~min 12~s sur 30~jours glissants"));
    }

    #[test]
    fn lists_end_with_and() {
        assert_eq!(list(Fr, &[]), "");
        assert_eq!(list(Fr, &strings(&["a"])), "a");
        assert_eq!(list(Fr, &strings(&["a", "b"])), "a et b");
        assert_eq!(list(Fr, &strings(&["a", "b", "c"])), "a, b et c");
        assert_eq!(list(En, &strings(&["a", "b"])), "a and b");
        assert_eq!(list(En, &strings(&["a", "b", "c", "d"])), "a, b, c and d");
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(Fr, 1), "1er");
        assert_eq!(ordinal(Fr, 2), "2e");
        assert_eq!(ordinal(Fr, 21), "21e");
        let en = [
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (21, "21st"),
            (22, "22nd"),
            (101, "101st"),
            (111, "111th"),
            (0, "0th"),
        ];
        for (n, text) in en {
            assert_eq!(ordinal(En, n), text);
        }
    }
}
