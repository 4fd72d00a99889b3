//! Typed values written as the text the targets cast from: exact decimals of any precision,
//! ISO dates and timestamps with their whole fraction, and the zone when the value has one.

use std::fmt::Write as _;

/// Time units of the integer encodings of times and timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    fn per_second(self) -> i64 {
        match self {
            Unit::Millis => 1_000,
            Unit::Micros => 1_000_000,
            Unit::Nanos => 1_000_000_000,
        }
    }

    /// Fractional digits the unit carries.
    pub fn digits(self) -> u8 {
        match self {
            Unit::Millis => 3,
            Unit::Micros => 6,
            Unit::Nanos => 9,
        }
    }
}

/// `YYYY-MM-DD`; years outside 1..=9999 are refused: no target reads them back alike.
pub fn date(out: &mut String, days: i64) -> Result<(), String> {
    let (y, m, d) = crate::clock::civil_from_days(days);
    if !(1..=9999).contains(&y) {
        return Err(format!(
            "date {days} days from 1970-01-01 is outside years 1-9999"
        ));
    }
    write!(out, "{y:04}-{m:02}-{d:02}").expect("writing to a String");
    Ok(())
}

/// `.fff` with the unit's digits, trailing zeros dropped; nothing for a whole second.
fn fraction(out: &mut String, sub: i64, unit: Unit) {
    if sub == 0 {
        return;
    }
    let mut digits = format!("{sub:0width$}", width = unit.digits() as usize);
    while digits.ends_with('0') {
        digits.pop();
    }
    out.push('.');
    out.push_str(&digits);
}

/// `HH:MM:SS[.fraction]` of a time of day in `unit` since midnight.
pub fn time(out: &mut String, value: i64, unit: Unit) -> Result<(), String> {
    let per = unit.per_second();
    if !(0..86_400 * per).contains(&value) {
        return Err(format!("time of day {value} is outside one day"));
    }
    let (secs, sub) = (value / per, value % per);
    write!(
        out,
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
    .expect("writing to a String");
    fraction(out, sub, unit);
    Ok(())
}

/// `YYYY-MM-DD HH:MM:SS[.fraction]` of a time in `unit` since the epoch. An instant (a UTC
/// timestamp) is written as UTC wall time without a suffix: MariaDB cannot parse an offset,
/// so connectors whose columns hold instants pin their session's zone to UTC instead (the
/// column's logical type says `with-zone`).
pub fn timestamp(out: &mut String, value: i64, unit: Unit) -> Result<(), String> {
    let per = unit.per_second();
    let (secs, sub) = (value.div_euclid(per), value.rem_euclid(per));
    datetime(
        out,
        secs.div_euclid(86_400),
        secs.rem_euclid(86_400) * per + sub,
        unit,
    )
}

/// A day count from the epoch and a time of day in `unit`: Parquet's INT96 timestamps are
/// (Julian day, nanoseconds of the day), which reach years an i64 of nanoseconds cannot.
pub fn datetime(out: &mut String, days: i64, of_day: i64, unit: Unit) -> Result<(), String> {
    date(out, days)?;
    out.push(' ');
    time(out, of_day, unit)
}

/// A decimal from its unscaled value in big-endian two's complement (Parquet and Avro both
/// store decimals so), exact at any precision: Oracle NUMBER without precision arrives as
/// precision 1000.
pub fn decimal_from_be(out: &mut String, bytes: &[u8], scale: i32) {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    if bytes.len() <= 16 {
        // Precision up to 38, the common case: sign-extend into an i128, no limb arithmetic.
        let start: i128 = if negative { -1 } else { 0 };
        let unscaled = bytes
            .iter()
            .fold(start, |acc, b| (acc << 8) | i128::from(*b));
        return decimal_from_i128(out, unscaled, scale);
    }
    // Magnitude as little-endian u32 limbs.
    let mut magnitude: Vec<u8> = bytes.to_vec();
    if negative {
        // Two's complement negation: invert, then add one.
        let mut carry = true;
        for b in magnitude.iter_mut().rev() {
            let (sum, overflow) = (!*b).overflowing_add(u8::from(carry));
            *b = sum;
            carry = overflow;
        }
    }
    let mut limbs: Vec<u32> = magnitude
        .rchunks(4)
        .map(|c| c.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
        .collect();
    let mut groups = Vec::new();
    while limbs.iter().any(|l| *l != 0) {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        groups.push(rem as u32);
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
    }
    let mut digits = String::new();
    for (i, g) in groups.iter().rev().enumerate() {
        if i == 0 {
            write!(digits, "{g}").expect("writing to a String");
        } else {
            write!(digits, "{g:09}").expect("writing to a String");
        }
    }
    if digits.is_empty() {
        digits.push('0');
    }
    place_point(out, negative && digits != "0", &digits, scale);
}

/// A decimal from an unscaled integer (Parquet's INT32/INT64 decimals).
pub fn decimal_from_int(out: &mut String, unscaled: i64, scale: i32) {
    decimal_from_i128(out, i128::from(unscaled), scale);
}

fn decimal_from_i128(out: &mut String, unscaled: i128, scale: i32) {
    let digits = unscaled.unsigned_abs().to_string();
    place_point(out, unscaled < 0, &digits, scale);
}

fn place_point(out: &mut String, negative: bool, digits: &str, scale: i32) {
    if negative {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(digits);
        if digits != "0" {
            (0..-scale).for_each(|_| out.push('0'));
        }
        return;
    }
    let scale = scale as usize;
    if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str("0.");
        (0..scale - digits.len()).for_each(|_| out.push('0'));
        out.push_str(digits);
    }
}

/// A float as the shortest text that reads back as the same value; the names PostgreSQL
/// uses for the non-finite ones.
pub fn float(out: &mut String, value: f64, single: bool) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
    } else if single {
        write!(out, "{:?}", value as f32).expect("writing to a String");
    } else {
        write!(out, "{value:?}").expect("writing to a String");
    }
}

/// Bytes as lowercase hex: binary values travel as text.
pub fn hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        write!(out, "{b:02x}").expect("writing to a String");
    }
}

/// The 8-4-4-4-12 form of a 16-byte UUID.
pub fn uuid(out: &mut String, bytes: &[u8]) -> Result<(), String> {
    if bytes.len() != 16 {
        return Err(format!("a UUID has 16 bytes, this one {}", bytes.len()));
    }
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        write!(out, "{b:02x}").expect("writing to a String");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut String)) -> String {
        let mut s = String::new();
        f(&mut s);
        s
    }

    #[test]
    fn dates_and_timestamps_keep_their_fraction_and_zone() {
        assert_eq!(with(|s| date(s, 0).unwrap()), "1970-01-01");
        assert_eq!(with(|s| date(s, -1).unwrap()), "1969-12-31");
        assert_eq!(with(|s| date(s, 19_782).unwrap()), "2024-02-29");
        assert!(date(&mut String::new(), -719_163).is_err());
        let t = 1_709_210_096_123_456i64;
        assert_eq!(
            with(|s| timestamp(s, t, Unit::Micros).unwrap()),
            "2024-02-29 12:34:56.123456"
        );
        assert_eq!(
            with(|s| timestamp(s, -1, Unit::Millis).unwrap()),
            "1969-12-31 23:59:59.999"
        );
        assert_eq!(
            with(|s| timestamp(s, 1_500_000_000, Unit::Nanos).unwrap()),
            "1970-01-01 00:00:01.5"
        );
        assert_eq!(
            with(|s| time(s, 45_296_000_001, Unit::Micros).unwrap()),
            "12:34:56.000001"
        );
        assert!(time(&mut String::new(), 86_400_000, Unit::Millis).is_err());
    }

    #[test]
    fn decimals_are_exact_at_any_precision() {
        assert_eq!(with(|s| decimal_from_int(s, -12345, 2)), "-123.45");
        assert_eq!(with(|s| decimal_from_int(s, 5, 3)), "0.005");
        assert_eq!(with(|s| decimal_from_int(s, 7, -2)), "700");
        assert_eq!(with(|s| decimal_from_be(s, &[0x30, 0x39], 1)), "1234.5");
        assert_eq!(with(|s| decimal_from_be(s, &[0xcf, 0xc7], 0)), "-12345");
        assert_eq!(with(|s| decimal_from_be(s, &[0xff], 2)), "-0.01");
        assert_eq!(with(|s| decimal_from_be(s, &[0x00, 0x00], 2)), "0.00");
        // 2^127 - 1, beyond any float and beyond i64.
        let mut max = vec![0x7f];
        max.extend([0xff; 15]);
        assert_eq!(
            with(|s| decimal_from_be(s, &max, 10)),
            "17014118346046923173168730371.5884105727"
        );
        // 10^40 (precision 41) needs more than 128 bits.
        let big: Vec<u8> = {
            let mut limbs = vec![1u8];
            for _ in 0..40 {
                let mut carry = 0u32;
                for b in limbs.iter_mut().rev() {
                    let v = u32::from(*b) * 10 + carry;
                    *b = v as u8;
                    carry = v >> 8;
                }
                while carry > 0 {
                    limbs.insert(0, carry as u8);
                    carry >>= 8;
                }
            }
            limbs.insert(0, 0);
            limbs
        };
        assert_eq!(
            with(|s| decimal_from_be(s, &big, 0)),
            format!("1{}", "0".repeat(40))
        );
    }

    #[test]
    fn floats_hex_and_uuids() {
        assert_eq!(with(|s| float(s, 0.1, false)), "0.1");
        assert_eq!(with(|s| float(s, 1e300, false)), "1e300");
        assert_eq!(with(|s| float(s, f64::from(0.1f32), true)), "0.1");
        assert_eq!(with(|s| float(s, f64::NEG_INFINITY, false)), "-Infinity");
        assert_eq!(with(|s| hex(s, &[0, 0xab])), "00ab");
        assert_eq!(
            with(|s| uuid(s, &[0x12; 16]).unwrap()),
            "12121212-1212-1212-1212-121212121212"
        );
    }
}
