/// Words longer than this get no suggestion. The edit distance costs the product of the two
/// lengths: names of kilobytes (a generated or damaged file) would take seconds each, and nobody
/// mistypes them.
const MAX_SUGGESTED_CHARS: usize = 64;

/// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo:
/// at most a third of the word's length, and at least one edit away.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = word.chars().count();
    if length > MAX_SUGGESTED_CHARS {
        return None;
    }
    let limit = (length / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != word)
        // The distance is at least the difference in length: too long or too short a candidate
        // is never close enough, so it is skipped without computing it.
        .filter(|candidate| candidate.len() <= 4 * (length + limit))
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn close_names_are_suggested() {
        let names = ["paris_office", "night_desk", "always"];
        assert_eq!(did_you_mean("paris_ofice", names), Some("paris_office"));
        assert_eq!(did_you_mean("alwys", names), Some("always"));
        assert_eq!(did_you_mean("london", names), None);
    }

    #[test]
    fn long_words_are_not_compared() {
        let long = "x".repeat(100_000);
        let longer = format!("{long}y");
        let started = std::time::Instant::now();
        assert_eq!(did_you_mean(&longer, [long.as_str()]), None);
        assert_eq!(did_you_mean("x", [long.as_str()]), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let name = "a".repeat(64);
        let typo = format!("{}b", &name[1..]);
        assert_eq!(did_you_mean(&typo, [name.as_str()]), Some(name.as_str()));
    }
}
