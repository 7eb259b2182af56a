//! RFC 3339 timestamps ↔ Unix seconds, without a clock.
//!
//! The core never reads the time: callers pass `now` as Unix seconds. This module only
//! converts. Parsing accepts the RFC 3339 extended form only (`2026-02-17T00:00:00Z`,
//! optional fraction, `Z` or a `±HH:MM` offset): the colons matter, because the ext-auth
//! challenge signs `nonce ‖ timestamp` and a fixed timestamp shape is what keeps that signing
//! input from colliding with other signed payloads.
//!
//! ```
//! use mcp_attest::time;
//! assert_eq!(time::format_rfc3339(1_771_286_400), "2026-02-17T00:00:00Z");
//! assert_eq!(time::parse_rfc3339("2026-02-17T01:00:00+01:00").unwrap(), 1_771_286_400);
//! assert!(time::parse_rfc3339("20260217T000000Z").is_err());
//! ```

use alloc::string::String;

use crate::error::{err, excerpt, Result};

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (years up to 9999).
#[must_use]
pub fn format_rfc3339(secs: u64) -> String {
    let secs = secs.min(253_402_300_799); // 9999-12-31T23:59:59Z
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    alloc::format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        y,
        m,
        d,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Parses an RFC 3339 date-time (extended form) to Unix seconds, truncating any fraction.
/// Times before 1970 are refused.
///
/// # Errors
/// `invalid_timestamp`.
pub fn parse_rfc3339(text: &str) -> Result<u64> {
    let bad = || {
        err!(
            InvalidTimestamp,
            "{:?} is not an RFC 3339 date-time like 2026-02-17T00:00:00Z",
            excerpt(text)
        )
    };
    let b = text.as_bytes();
    if b.len() < 20 || b.len() > 40 {
        return Err(bad());
    }
    let num = |from: usize, len: usize| -> Option<u64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
        })
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-')
        && sep(7, b'-')
        && (sep(10, b'T') || sep(10, b't'))
        && sep(13, b':')
        && sep(16, b':'))
    {
        return Err(bad());
    }
    let (y, mo, d) = (
        num(0, 4).ok_or_else(bad)?,
        num(5, 2).ok_or_else(bad)?,
        num(8, 2).ok_or_else(bad)?,
    );
    let (h, mi, s) = (
        num(11, 2).ok_or_else(bad)?,
        num(14, 2).ok_or_else(bad)?,
        num(17, 2).ok_or_else(bad)?,
    );
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return Err(bad());
    }
    let mut i = 19;
    if sep(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
    }
    let offset: i64 = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && sep(i + 3, b':') => {
            let oh = num(i + 1, 2).ok_or_else(bad)?;
            let om = num(i + 4, 2).ok_or_else(bad)?;
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            let o = i64::try_from(oh * 3600 + om * 60).map_err(|_| bad())?;
            if sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return Err(bad()),
    };
    // A leap second (:60) is counted as the next second, as most systems do.
    let hms = i64::try_from(h * 3600 + mi * 60 + s).map_err(|_| bad())?;
    let utc = days_from_civil(y, mo, d) * 86_400 + hms - offset;
    u64::try_from(utc)
        .map_err(|_| err!(InvalidTimestamp, "timestamps before 1970 are not accepted"))
}

fn is_leap(y: u64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm); negative
/// before 1970.
fn days_from_civil(y: u64, m: u64, d: u64) -> i64 {
    // Shifted by 400 years so the arithmetic stays unsigned for every 4-digit year.
    let y = if m <= 2 { y + 399 } else { y + 400 };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // 719_468 days from 0000-03-01 to 1970-01-01, plus the 400-year shift (146_097 days).
    i64::try_from(era * 146_097 + doe).unwrap_or(i64::MAX) - (719_468 + 146_097)
}

fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn round_trips_across_many_days() {
        for secs in (0..=4_102_444_800u64).step_by(86_400 * 7 + 3_601) {
            assert_eq!(parse_rfc3339(&format_rfc3339(secs)).unwrap(), secs);
        }
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn accepts_fractions_and_offsets() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.999Z").unwrap(), 1);
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00").unwrap(), 0);
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00-00:30").unwrap(), 1800);
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "2026-02-17 00:00:00Z",
            "2026-02-17T00:00:00",
            "20260217T000000Z",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-02-17T24:00:00Z",
            "2026-02-17T00:00:00.Z",
            "2026-02-17T00:00:00+0100",
            "1969-12-31T23:59:59Z",
            "２026-02-17T00:00:00Z",
            "",
        ] {
            assert_eq!(
                parse_rfc3339(bad).unwrap_err().code(),
                ErrorCode::InvalidTimestamp,
                "{bad}"
            );
        }
    }
}
