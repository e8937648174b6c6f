use chrono::Weekday;
use serde::Serialize;
use std::fmt;

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A set of weekdays: `mon-fri`, `sun-thu` (a range may wrap past Sunday), `mon,wed,fri`,
/// `daily`. Bit 0 is Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(into = "String")]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    pub const ALL: WeekdaySet = WeekdaySet(0x7f);

    pub fn parse(text: &str) -> Result<Self, String> {
        if text == "daily" {
            return Ok(Self::ALL);
        }
        let day = |name: &str| {
            NAMES.iter().position(|n| *n == name).ok_or_else(|| {
                format!("`{name}` is not a weekday: use mon, tue, wed, thu, fri, sat or sun")
            })
        };
        let mut bits = 0u8;
        for part in text.split(',') {
            let part = part.trim();
            match part.split_once('-') {
                Some((from, to)) => {
                    let (from, to) = (day(from)?, day(to)?);
                    let mut d = from;
                    loop {
                        bits |= 1 << d;
                        if d == to {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                }
                None => bits |= 1 << day(part)?,
            }
        }
        Ok(WeekdaySet(bits))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn days(self) -> impl Iterator<Item = Weekday> {
        (0..7u8)
            .filter(move |d| self.0 & (1 << d) != 0)
            .filter_map(|d| Weekday::try_from(d).ok())
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn bits(self) -> u8 {
        self.0
    }
}

impl fmt::Display for WeekdaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Self::ALL {
            return f.write_str("daily");
        }
        let names: Vec<&str> = (0..7)
            .filter(|d| self.0 & (1 << d) != 0)
            .map(|d| NAMES[d])
            .collect();
        f.write_str(&names.join(","))
    }
}

impl From<WeekdaySet> for String {
    fn from(set: WeekdaySet) -> String {
        set.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_parse_in_every_form() {
        assert_eq!(
            WeekdaySet::parse("mon-fri").unwrap().to_string(),
            "mon,tue,wed,thu,fri"
        );
        assert_eq!(
            WeekdaySet::parse("sun-thu").unwrap().to_string(),
            "mon,tue,wed,thu,sun"
        );
        assert_eq!(
            WeekdaySet::parse("fri-mon").unwrap().to_string(),
            "mon,fri,sat,sun"
        );
        assert_eq!(
            WeekdaySet::parse("mon,wed,fri").unwrap().to_string(),
            "mon,wed,fri"
        );
        assert_eq!(WeekdaySet::parse("daily").unwrap(), WeekdaySet::ALL);
        assert!(WeekdaySet::parse("mon-fry").is_err());
    }
}
