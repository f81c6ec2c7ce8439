//! Exact decimal money. Amounts never pass through binary floating point:
//! they are parsed from their decimal text and rounded once, at the end.
//! SPEC §1 "Value formats" sets the limits checked here; a value outside
//! them is refused with a reason naming the limit, never rounded or clamped.

use rust_decimal::{Decimal, RoundingStrategy};

/// Digits an amount may have before the point (leading zeros not counted).
pub const MAX_AMOUNT_DIGITS: usize = 15;
/// The largest value of an hour field (`unresolved_hours`, `outage_hours`).
pub const MAX_HOURS: u32 = 1_000_000;
/// The most decimal places rust_decimal holds exactly.
const MAX_SCALE: i64 = 28;

/// Parses an amount as the import format demands: `^\d+(\.\d{1,2})?$`,
/// at most 15 digits before the point.
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(int) && frac.is_none_or(|f| f.len() <= 2 && digits(f))) {
        return Err(format!(
            "{text:?} is not an amount (digits with at most 2 decimals, e.g. \"95.00\")"
        ));
    }
    let int = int.trim_start_matches('0');
    if int.len() > MAX_AMOUNT_DIGITS {
        return Err(format!(
            "{text:?} is too large: an amount has at most {MAX_AMOUNT_DIGITS} digits before the decimal point"
        ));
    }
    // At most 17 significant digits now: well inside what Decimal holds exactly.
    let int = if int.is_empty() { "0" } else { int };
    let exact = match frac {
        Some(f) => format!("{int}.{f}"),
        None => int.to_string(),
    };
    Decimal::from_str_exact(&exact).map_err(|e| format!("{text:?} is not an amount: {e}"))
}

/// Parses an hour field from the decimal text of its JSON number (plain or
/// with an exponent): from 0 to [`MAX_HOURS`], and only if Decimal holds it
/// exactly — `72.0000000000000000000000000001` is refused, not read as 72.
pub fn parse_hours(text: &str) -> Result<Decimal, String> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let exponent = match exponent {
        None => Some(0i64),
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !all_digits(digits) {
                None
            } else {
                // An exponent too long for i64 is absurd either way: saturate.
                Some(e.parse::<i64>().unwrap_or(if e.starts_with('-') {
                    i64::MIN / 4
                } else {
                    i64::MAX / 4
                }))
            }
        }
    };
    let (Some(exponent), false, true, true) =
        (exponent, int.is_empty(), all_digits(int), all_digits(frac))
    else {
        return Err(format!("{text} is not a number"));
    };
    // value = digits × 10^-scale, with no leading or trailing zeros in digits.
    let joined = format!("{int}{frac}");
    let digits = joined.trim_start_matches('0');
    let mut scale = (frac.len() as i64).saturating_sub(exponent);
    let trimmed = digits.trim_end_matches('0');
    scale -= (digits.len() - trimmed.len()) as i64;
    let digits = trimmed;
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    if negative {
        return Err(format!("{text} is negative"));
    }
    let too_large = || format!("{text} is too large (at most {MAX_HOURS} hours)");
    let int_digits = (digits.len() as i64).saturating_sub(scale);
    if int_digits > 7 {
        return Err(too_large());
    }
    let cannot_hold = || {
        format!(
            "{text} has more digits than can be held exactly (at most {MAX_SCALE} decimal places and 28 significant digits)"
        )
    };
    if scale > MAX_SCALE {
        return Err(cannot_hold());
    }
    // int_digits ≤ 7 and scale ≤ 28: at most 35 digits, which u128 holds.
    let padded = format!(
        "{digits}{}",
        "0".repeat(scale.min(0).unsigned_abs() as usize)
    );
    let mantissa: u128 = padded.parse().map_err(|_| cannot_hold())?;
    let d = i128::try_from(mantissa)
        .ok()
        .and_then(|m| Decimal::try_from_i128_with_scale(m, scale.max(0) as u32).ok())
        .ok_or_else(cannot_hold)?;
    if d > Decimal::from(MAX_HOURS) {
        return Err(too_large());
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
    use std::str::FromStr;

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
    fn amounts_have_at_most_15_digits_before_the_point() {
        assert_eq!(
            parse_amount("999999999999999.99").unwrap().to_string(),
            "999999999999999.99"
        );
        // Leading zeros are not digits of the value.
        assert_eq!(
            parse_amount("0000000000000000000000000000001.50")
                .unwrap()
                .to_string(),
            "1.50"
        );
        assert_eq!(parse_amount("00.10").unwrap().to_string(), "0.10");
        for big in ["1000000000000000", "9999999999999999.99", &"9".repeat(40)] {
            let e = parse_amount(big).unwrap_err();
            assert!(e.contains("too large") && e.contains("15 digits"), "{e}");
        }
    }

    #[test]
    fn hour_numbers_are_read_from_their_text() {
        let h = |s: &str| parse_hours(s).map(|d| d.normalize().to_string());
        assert_eq!(h("72.0000000000000001").unwrap(), "72.0000000000000001");
        assert_eq!(h("1e2").unwrap(), "100");
        assert_eq!(h("7201E-2").unwrap(), "72.01");
        assert_eq!(
            h("0.0000000000000000000000000001").unwrap(),
            "0.0000000000000000000000000001"
        );
        assert_eq!(h("1000000").unwrap(), "1000000");
        assert_eq!(h("1e6").unwrap(), "1000000");
        assert_eq!(h("-0").unwrap(), "0");
        assert_eq!(h("0e99999999999999999999999").unwrap(), "0");
        assert_eq!(h("72.000000000000000000000000000000000").unwrap(), "72");
        assert!(h("-3").unwrap_err().contains("negative"));
        for big in [
            "1000000.01",
            "1e7",
            "1e99999999999999999999",
            "123456789012345678901234567890",
        ] {
            let e = h(big).unwrap_err();
            assert!(
                e.contains("too large") && e.contains("1000000"),
                "{big}: {e}"
            );
        }
        for inexact in [
            "72.0000000000000000000000000001",
            "1e-29",
            "1e-99999999999999999999",
            "999999.99999999999999999999999",
        ] {
            let e = h(inexact).unwrap_err();
            assert!(e.contains("exactly"), "{inexact}: {e}");
        }
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;
    use std::str::FromStr;

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
