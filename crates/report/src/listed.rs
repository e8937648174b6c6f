//! The tickets a report lists: the first [`MAX_LISTED_TICKETS`] by opening instant (then id)
//! of each list, kept in a bounded heap as tickets are judged, so that memory does not grow
//! with the input; every ticket is counted.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use chrono::{DateTime, Utc};

/// How many tickets each list of an objective's report holds (breached, pending, unmatched,
/// escalated); all are counted, and `--tickets` writes every one.
pub const MAX_LISTED_TICKETS: usize = 1_000;

/// What a list is ordered by: the ticket's opening instant, then its id.
pub(crate) trait ByOpening {
    fn opening(&self) -> (DateTime<Utc>, &str);
}

struct Entry<T>(T);

impl<T: ByOpening> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0.opening() == other.0.opening()
    }
}

impl<T: ByOpening> Eq for Entry<T> {}

impl<T: ByOpening> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: ByOpening> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.opening().cmp(&other.0.opening())
    }
}

/// The first `limit` items by opening, whatever the order they come in.
pub(crate) struct Firsts<T> {
    limit: usize,
    /// A max-heap: the last of those kept on top, to be dropped for an earlier one.
    heap: BinaryHeap<Entry<T>>,
}

impl<T: ByOpening> Firsts<T> {
    pub fn new(limit: usize) -> Self {
        Firsts {
            limit,
            heap: BinaryHeap::new(),
        }
    }

    pub fn push(&mut self, item: T) {
        if self.heap.len() < self.limit {
            self.heap.push(Entry(item));
            return;
        }
        let Some(mut last) = self.heap.peek_mut() else {
            return;
        };
        if item.opening() < last.0.opening() {
            *last = Entry(item);
        }
    }

    /// The items kept, in order.
    pub fn into_sorted_vec(self) -> Vec<T> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| e.0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_first_by_opening_then_id_are_kept_in_order() {
        let at = |s: i64| DateTime::from_timestamp(1_772_438_400 + s, 0).unwrap();
        let mut firsts = Firsts::new(3);
        // Out of order, with a tie on the instant broken by the id.
        for (s, id) in [
            (50, "E"),
            (10, "B"),
            (40, "D"),
            (10, "A"),
            (30, "C"),
            (5, "Z"),
        ] {
            firsts.push((at(s), id.to_string()));
        }
        let kept: Vec<_> = firsts
            .into_sorted_vec()
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        assert_eq!(kept, ["Z", "A", "B"]);
        let mut none = Firsts::new(0);
        none.push((at(1), "A".to_string()));
        assert!(none.into_sorted_vec().is_empty());
    }
}
