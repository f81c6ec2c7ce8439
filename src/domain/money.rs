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

/// Digits after the decimal point of a currency's minor unit (ISO 4217):
/// 0 for the yen and the won, 3 for the dinars, 2 for the rest. The one
/// place the desk keeps this; letters, the console and `show` ask here.
pub fn minor_units(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// An amount as a person reads it: digits grouped by three with commas and
/// the currency's minor units after a point (`1,234.50 USD`, `300,000 JPY`).
/// The same in en, zh, ja and ko, which all group by three with a comma and
/// write the code after the number. An amount with a fraction that its
/// currency has no unit for (`9000.50 JPY`: the import format allows two
/// decimals in any currency) keeps its two decimals: a letter never states
/// a sum other than the one decided.
pub fn format_amount(amount: Decimal, currency: &str) -> String {
    format!("{} {currency}", format_number(amount, currency))
}

/// [`format_amount`] without the currency code, for columns that show it apart.
pub fn format_number(amount: Decimal, currency: &str) -> String {
    let value = round2(amount);
    let minor = minor_units(currency);
    let places = if value.normalize().scale() > minor {
        2
    } else {
        minor
    };
    let mut shown = value;
    shown.rescale(places);
    let text = shown.abs().to_string();
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    if shown.is_sign_negative() && !shown.is_zero() {
        out.push('-');
    }
    for (i, digit) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
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

#[cfg(test)]
mod format_tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn yen_and_won_have_no_minor_units() {
        assert_eq!(format_amount(d("300000.00"), "JPY"), "300,000 JPY");
        assert_eq!(format_amount(d("9000"), "KRW"), "9,000 KRW");
        assert_eq!(format_amount(d("999"), "JPY"), "999 JPY");
        assert_eq!(format_amount(d("0"), "KRW"), "0 KRW");
        // A fraction the currency cannot hold is shown, never rounded away.
        assert_eq!(format_amount(d("9000.50"), "JPY"), "9,000.50 JPY");
    }

    #[test]
    fn other_currencies_keep_their_minor_units_and_group_by_three() {
        assert_eq!(format_amount(d("1234.5"), "USD"), "1,234.50 USD");
        assert_eq!(format_amount(d("13611.37"), "CNY"), "13,611.37 CNY");
        assert_eq!(format_amount(d("1234567.891"), "EUR"), "1,234,567.89 EUR");
        assert_eq!(format_amount(d("0.5"), "USD"), "0.50 USD");
        assert_eq!(format_amount(d("100"), "USD"), "100.00 USD");
        assert_eq!(format_amount(d("12.5"), "KWD"), "12.500 KWD");
        assert_eq!(format_number(d("-1000"), "USD"), "-1,000.00");
        assert_eq!(minor_units("JPY") + minor_units("KRW"), 0);
        assert_eq!(minor_units("USD"), 2);
    }
}
