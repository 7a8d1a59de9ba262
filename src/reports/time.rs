//! Timestamps, without a date crate: RFC 3339 in and out (UTC, milliseconds), and the time a
//! log line's prefix gives (ISO 8601 as most loggers write it, or the Common Log Format's
//! `[30/Nov/2026:10:15:02 +0000]` of Apache, nginx and IIS's W3C-to-CLF converters).

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in milliseconds since 1970-01-01T00:00:00Z.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis().min(i64::MAX as u128) as i64)
}

/// `2026-11-30T10:15:02.123Z` for a time in milliseconds since 1970 (UTC).
pub fn format_rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Milliseconds since 1970 of an RFC 3339 / ISO 8601 date-time: `YYYY-MM-DD` then `T` or a
/// space, `HH:MM:SS`, optional fraction (`.` or `,`), optional `Z` or `±HH:MM` (none: UTC).
/// Trailing text is ignored.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    parse_iso_prefix(s.trim()).map(|(ms, _)| ms)
}

/// The first timestamp in a log line's prefix, ISO 8601 or Common Log Format.
pub fn find_in_prefix(prefix: &str) -> Option<i64> {
    let b = prefix.as_bytes();
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_digit() {
            continue;
        }
        if b[i].is_ascii_digit() {
            if let Some((ms, _)) = parse_iso_prefix(&prefix[i..]) {
                return Some(ms);
            }
            if let Some(ms) = parse_clf(&prefix[i..]) {
                return Some(ms);
            }
        }
    }
    None
}

/// `(ms, bytes used)` of an ISO 8601 date-time at the start of `s`.
fn parse_iso_prefix(s: &str) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, c: &[u8]| b.get(at).is_some_and(|x| c.contains(x));
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"T t")) {
        return None;
    }
    let (h, mi, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(sep(13, b":") && sep(16, b":")) {
        return None;
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if sep(at, b".,") {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 3 {
                millis = millis * 10 + i64::from(b[at] - b'0');
            }
            at += 1;
        }
        for _ in (at - start)..3 {
            millis *= 10;
        }
    }
    let mut offset = 0;
    if sep(at, b"Zz") {
        at += 1;
    } else if sep(at, b"+-") {
        let sign = if b[at] == b'-' { -1 } else { 1 };
        let oh = num(at + 1, 2)?;
        let om = if sep(at + 3, b":") {
            num(at + 4, 2)?
        } else {
            num(at + 3, 2)?
        };
        at += if sep(at + 3, b":") { 6 } else { 5 };
        offset = sign * (oh * 60 + om) * 60;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset;
    Some((secs * 1000 + millis, at))
}

/// `30/Nov/2026:10:15:02 +0000` (Common Log Format) at the start of `s`.
fn parse_clf(s: &str) -> Option<i64> {
    let (date, rest) = s.split_once(':')?;
    let mut parts = date.split('/');
    let d: i64 = parts.next()?.parse().ok()?;
    let mon = parts.next()?;
    let y: i64 = parts.next()?.parse().ok()?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mo = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(mon))? as i64 + 1;
    let time = rest.get(..8)?;
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi, sec) = (t.next()??, t.next()??, t.next()??);
    let zone = rest.get(8..)?.trim_start();
    let offset = match zone.as_bytes().first() {
        Some(c @ (b'+' | b'-')) => {
            let hh: i64 = zone.get(1..3)?.parse().ok()?;
            let mm: i64 = zone.get(3..5)?.parse().ok()?;
            (if *c == b'-' { -1 } else { 1 }) * (hh * 60 + mm) * 60
        }
        _ => 0,
    };
    if !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset) * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        let t = parse_rfc3339("2026-11-30T10:15:02.123Z").unwrap();
        assert_eq!(format_rfc3339(t), "2026-11-30T10:15:02.123Z");
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-11-30T12:15:02+02:00"),
            parse_rfc3339("2026-11-30 10:15:02")
        );
        assert_eq!(
            format_rfc3339(parse_rfc3339("2024-02-29T23:59:59.5Z").unwrap()),
            "2024-02-29T23:59:59.500Z"
        );
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn log_prefixes_give_their_time() {
        let iso = parse_rfc3339("2026-11-30T10:15:02Z");
        assert_eq!(find_in_prefix("[2026-11-30 10:15:02,000] INFO csp: "), iso);
        assert_eq!(
            find_in_prefix("Nov 30 host app[42]: 2026-11-30T10:15:02Z "),
            iso
        );
        assert_eq!(
            find_in_prefix("10.0.0.1 - - [30/Nov/2026:11:15:02 +0100] \"POST /csp HTTP/1.1\" "),
            iso
        );
        assert_eq!(find_in_prefix("INFO csp-report: "), None);
    }
}
