/// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo:
/// at most a third of the word's length, and at least one edit away.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != word)
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
}
