//! Service credits: the `credit` tiers of an agreement applied to the measures of the period.
//!
//! For each objective, the biggest `refund` among the tiers whose `below` its measure falls under
//! applies (tiers are alternatives, not cumulative); the refunds of the objectives add up, and the
//! total is capped at `cap`. The money owed is that share of the fee of the period: the fee per
//! month (or week, quarter, year) times the months (weeks…) the period covers.

use serde::Serialize;
use slac_model::model::{Agreement, Money, Per};

use crate::period::Period;
use crate::ObjectiveReport;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditReport {
    /// The tier applied to each objective that owes a credit.
    pub tiers: Vec<CreditLine>,
    /// The sum of the refunds before the cap, in percent of the fee of the period.
    pub uncapped_percent: f64,
    pub cap_percent: Option<f64>,
    /// The refund owed, in percent of the fee of the period, cap applied.
    pub percent: f64,
    /// The fee of the period (`None` without a `fee`, or with a fee that is not per period).
    pub period_fee: Option<String>,
    /// The money owed, to the cent, in `currency`.
    pub amount: Option<String>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditLine {
    pub objective: String,
    pub measured: f64,
    pub below: f64,
    pub refund: f64,
}

pub(crate) fn credits(
    agreement: &Agreement,
    objectives: &[ObjectiveReport],
    period: &Period,
) -> Option<CreditReport> {
    let credit = agreement.credit.as_ref()?;
    let mut tiers: Vec<CreditLine> = Vec::new();
    for objective in objectives {
        let Some(measured) = objective.measured else {
            continue;
        };
        let best = credit
            .tiers
            .iter()
            .filter(|t| t.objective == objective.id && measured < t.below)
            .max_by(|a, b| a.refund.total_cmp(&b.refund));
        if let Some(tier) = best {
            tiers.push(CreditLine {
                objective: objective.id.clone(),
                measured,
                below: tier.below,
                refund: tier.refund,
            });
        }
    }
    // A fold from 0.0, not `sum()`: the sum of no f64 is -0.0, printed as `-0.0` in JSON.
    let uncapped: f64 = tiers.iter().fold(0.0, |total, t| total + t.refund);
    let percent = credit.cap.map_or(uncapped, |cap| uncapped.min(cap));
    let fee = agreement
        .fee
        .as_ref()
        .and_then(|fee| period_fee(fee, period));
    Some(CreditReport {
        tiers,
        uncapped_percent: uncapped,
        cap_percent: credit.cap,
        percent,
        period_fee: fee.map(cents),
        amount: fee.map(|fee| cents(fee * percent / 100.0)),
        currency: agreement.fee.as_ref().map(|f| f.currency.clone()),
    })
}

/// The fee of the period: the amount times the number of its `per` units the period covers.
/// `None` for a fee without `per` (a one-off price cannot be prorated) or an unreadable amount.
pub(crate) fn period_fee(fee: &Money, period: &Period) -> Option<f64> {
    let amount = decimal(&fee.amount)?;
    let units = match fee.per? {
        Per::Week => period.days() as f64 / 7.0,
        Per::Month => period.months(),
        Per::Quarter => period.months() / 3.0,
        Per::Year => period.months() / 12.0,
    };
    Some(amount * units)
}

/// A decimal as written in `.sla` (`1200`, `1200.50`): digits, optionally a dot and digits.
/// Parsed digit by digit so that no locale or exponent form slips in.
pub(crate) fn decimal(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || whole.len() > 18
        || fraction.len() > 18
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && fraction.is_empty())
    {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let mut value = whole as f64;
    if !fraction.is_empty() {
        let digits: u64 = fraction.parse().ok()?;
        value += digits as f64 / 10f64.powi(i32::try_from(fraction.len()).ok()?);
    }
    Some(value)
}

/// An amount rounded half away from zero to the cent: `180.00`.
fn cents(value: f64) -> String {
    let cents = (value * 100.0).round() as i64;
    format!("{}.{:02}", cents / 100, (cents % 100).abs())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decimals_are_read_strictly() {
        assert_eq!(decimal("1200"), Some(1200.0));
        assert_eq!(decimal("1200.50"), Some(1200.5));
        assert_eq!(decimal("0.05"), Some(0.05));
        for bad in ["", ".5", "5.", "1e3", "-3", "1,200", "99999999999999999999"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
        assert_eq!(cents(180.0), "180.00");
        assert_eq!(cents(0.125), "0.13");
        assert_eq!(cents(12.3449), "12.34");
    }

    #[test]
    fn the_fee_follows_the_period() {
        let fee = |per| Money {
            amount: "1200".into(),
            currency: "EUR".into(),
            per,
        };
        let month = Period::parse("2026-03").unwrap();
        let quarter = Period::parse("2026-Q1").unwrap();
        let week = Period::parse("2026-W10").unwrap();
        assert_eq!(period_fee(&fee(Some(Per::Month)), &month), Some(1200.0));
        assert_eq!(period_fee(&fee(Some(Per::Month)), &quarter), Some(3600.0));
        assert_eq!(period_fee(&fee(Some(Per::Year)), &quarter), Some(300.0));
        assert_eq!(period_fee(&fee(Some(Per::Week)), &week), Some(1200.0));
        assert_eq!(period_fee(&fee(None), &month), None);
    }
}
