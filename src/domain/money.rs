//! Exact decimal money. Amounts never pass through binary floating point:
//! they are parsed from their decimal text and rounded once, at the end.

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Parses an amount as the import format demands: `^\d+(\.\d{1,2})?$`.
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(int) && frac.is_none_or(|f| f.len() <= 2 && digits(f));
    if !ok || int.len() > 20 {
        return Err(format!(
            "{text:?} is not an amount (digits with at most 2 decimals, e.g. \"95.00\")"
        ));
    }
    Decimal::from_str(text).map_err(|e| format!("{text:?} is not an amount: {e}"))
}

/// Parses a non-negative JSON number from its decimal text (hours fields).
pub fn parse_decimal_number(text: &str) -> Result<Decimal, String> {
    let d = Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("{text} is not a number this desk can read exactly"))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("{text} is negative"));
    }
    Ok(d)
}

/// round2: two decimals, half away from zero.
pub fn round2(x: Decimal) -> Decimal {
    let mut r = x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

/// The 2-decimal text used in verdicts and on screen, whatever the currency.
pub fn fmt2(x: Decimal) -> String {
    round2(x).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_the_import_format() {
        assert_eq!(parse_amount("95").unwrap().to_string(), "95");
        assert_eq!(parse_amount("95.5").unwrap().to_string(), "95.5");
        assert_eq!(parse_amount("0.01").unwrap().to_string(), "0.01");
        for bad in [
            "", "-1", "1.234", "1.", ".5", "1e3", " 1", "1,00", "+1", "０",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn round2_is_half_away_from_zero() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(fmt2(d("0.005")), "0.01");
        assert_eq!(fmt2(d("0.004999")), "0.00");
        assert_eq!(fmt2(d("2.675")), "2.68"); // 2.675 in f64 would round to 2.67
        assert_eq!(fmt2(d("-0.005")), "-0.01");
        assert_eq!(fmt2(d("7")), "7.00");
        assert_eq!(fmt2(d("333.3333333")), "333.33");
    }

    #[test]
    fn hour_numbers_are_read_from_their_text() {
        assert_eq!(
            parse_decimal_number("72.0000000000000001")
                .unwrap()
                .to_string(),
            "72.0000000000000001"
        );
        assert_eq!(parse_decimal_number("1e2").unwrap(), Decimal::from(100));
        assert!(parse_decimal_number("-3").is_err());
    }
}
