//! Calendar arithmetic for date and timestamp literals (proleptic Gregorian, UTC).

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// `YYYY-MM-DD`
pub fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, the fraction without trailing zeros.
pub fn format_timestamp(micros: i64) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let rem = micros.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rem / 1_000_000;
    let frac = rem % 1_000_000;
    let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut s = format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}");
    if frac != 0 {
        let f = format!("{frac:06}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-800_000, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(format_date(19_782), "2024-02-29");
    }

    #[test]
    fn timestamps_format_canonically() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(-1), "1969-12-31T23:59:59.999999Z");
        assert_eq!(format_timestamp(1_500_000), "1970-01-01T00:00:01.5Z");
    }
}

/// The first and last microsecond of the years 1 to 9999, UTC: the instants every
/// engine's timestamp type holds.
pub const MIN_INSTANT: i64 = -62_135_596_800_000_000;
pub const MAX_INSTANT: i64 = 253_402_300_799_999_999;

/// Whether an instant lies in the years 1 to 9999 (UTC); why not, if not.
pub fn check_range(micros: i64) -> Result<(), &'static str> {
    if micros < MIN_INSTANT {
        Err("before the year 1")
    } else if micros > MAX_INSTANT {
        Err("after the year 9999")
    } else {
        Ok(())
    }
}

/// Parses an instant as a user types it on a command line: `2024-06-01`,
/// `2024-06-01T09:30:00Z`, `2024-06-01 09:30:00`, `2024-06-01T09:30:00.5+02:00`.
/// A date is its midnight; a time without an offset is UTC. Returns microseconds since
/// the epoch.
pub fn parse_instant(s: &str) -> Result<i64, String> {
    let bad =
        || format!("`{s}` is not a date or timestamp (write 2024-06-01 or 2024-06-01T09:30:00Z)");
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = (num(0, 4), num(5, 2), num(8, 2));
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(bad());
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(bad());
    }
    let (m, d) = (m as u32, d as u32);
    if y < 1 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(format!("`{s}` is not a date in the calendar"));
    }
    let day = days_from_civil(y, m, d);
    if b.len() == 10 {
        return Ok(day * MICROS_PER_DAY);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return Err(bad());
    }
    let (Some(hh), Some(mm)) = (num(11, 2), num(14, 2)) else {
        return Err(bad());
    };
    if b.get(13) != Some(&b':') {
        return Err(bad());
    }
    let mut i = 16;
    let mut ss = 0;
    let mut micros = 0;
    if b.get(i) == Some(&b':') {
        ss = num(i + 1, 2).ok_or_else(bad)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let frac = std::str::from_utf8(&b[start..i]).map_err(|_| bad())?;
            if frac.is_empty() || frac.len() > 6 {
                return Err(format!(
                    "`{s}`: give at most 6 fractional digits (microseconds)"
                ));
            }
            micros = format!("{frac:0<6}").parse::<i64>().map_err(|_| bad())?;
        }
    }
    let offset = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(c @ (b'+' | b'-')) if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
            let (oh, om) = (
                num(i + 1, 2).ok_or_else(bad)?,
                num(i + 4, 2).ok_or_else(bad)?,
            );
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            let o = oh * 60 + om;
            if *c == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return Err(bad()),
    };
    if hh > 23 || mm > 59 || ss > 59 {
        return Err(format!("`{s}` is not a time of day"));
    }
    let secs = day * 86_400 + hh * 3600 + mm * 60 + ss - offset * 60;
    let total = secs * 1_000_000 + micros;
    check_range(total).map_err(|why| format!("`{s}` is {why} once converted to UTC"))?;
    Ok(total)
}

#[cfg(test)]
mod instant_tests {
    use super::*;

    #[test]
    fn instants_parse_in_every_form() {
        let midnight = parse_instant("2024-06-01").unwrap();
        assert_eq!(format_timestamp(midnight), "2024-06-01T00:00:00Z");
        assert_eq!(parse_instant("2024-06-01T00:00:00Z").unwrap(), midnight);
        assert_eq!(parse_instant("2024-06-01 00:00").unwrap(), midnight);
        assert_eq!(
            parse_instant("2024-06-01T02:00:00+02:00").unwrap(),
            midnight
        );
        assert_eq!(
            format_timestamp(parse_instant("2024-06-01T09:30:00.25Z").unwrap()),
            "2024-06-01T09:30:00.25Z"
        );
        assert_eq!(format_timestamp(MIN_INSTANT), "0001-01-01T00:00:00Z");
        assert_eq!(format_timestamp(MAX_INSTANT), "9999-12-31T23:59:59.999999Z");
        for bad in [
            "0001-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01",
            "",
            "2024",
            "2024-13-01",
            "2023-02-29",
            "2024-06-01T25:00",
            "2024-06-01X",
            "yesterday",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
    }
}
