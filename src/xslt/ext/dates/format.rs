//! Writing EXSLT dates-and-times values as libexslt 0.8.20 writes them: dates, times and
//! truncated dates in their lexical forms, durations as `-?PnYnMnDTnHnMnS`, and every number of
//! seconds the way libxml2 writes a double.

use super::super::cmath;
use super::lexical::{DateVal, Duration, Kind, SECS_PER_DAY};

/// A year: `-` for years up to 0 (1 BCE), at least four digits.
fn push_year(out: &mut String, year: i64) {
    if year <= 0 {
        out.push('-');
    }
    let shown = if year <= 0 {
        year.unsigned_abs() + 1
    } else {
        year.unsigned_abs()
    };
    out.push_str(&format!("{shown:04}"));
}

/// Two digits of `n` (its last two).
fn push_2(out: &mut String, n: u32) {
    out.push(char::from(b'0' + ((n / 10) % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// A zone: `Z` for offset 0, else `±hh:mm`.
fn push_zone(out: &mut String, tzo: i32) {
    if tzo == 0 {
        out.push('Z');
        return;
    }
    out.push(if tzo < 0 { '-' } else { '+' });
    let a = tzo.unsigned_abs();
    push_2(out, a / 60);
    out.push(':');
    push_2(out, a % 60);
}

/// A number as libxml2 writes it (`xmlXPathCastNumberToString`), which libexslt uses for
/// seconds and for the numbers of a duration: integers of the `int` range as they are, other
/// numbers to 15 significant digits without trailing zeros, in exponent form below 1e-5 and
/// above 1e9 (`1e-10`, `9.22337203685478e+18`). This is not webxsl's own number-to-string
/// conversion (shortest round trip), but libexslt's result strings are made this way.
fn libxml2_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    if x > f64::from(i32::MIN) && x < f64::from(i32::MAX) && x == x.trunc() {
        return format!("{}", x as i32);
    }
    let trim = |s: &str| s.trim_end_matches('0').trim_end_matches('.').to_owned();
    let abs = x.abs();
    if !(1e-5..=1e9).contains(&abs) {
        let s = format!("{x:.14e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mantissa), exp.abs())
    } else {
        let integer_place = cmath::log10(abs) as i32;
        let fraction = if integer_place > 0 {
            15 - integer_place - 1
        } else {
            15 - integer_place
        };
        trim(&format!("{x:.*}", usize::try_from(fraction).unwrap_or(0)))
    }
}

/// `hh:mm:ss(.s+)?`: the seconds written by [`libxml2_number`], after a `0` when below 10.
fn push_time(out: &mut String, dt: &DateVal) {
    push_2(out, dt.hour);
    out.push(':');
    push_2(out, dt.min);
    out.push(':');
    if dt.sec < 10.0 {
        out.push('0');
    }
    out.push_str(&libxml2_number(dt.sec));
}

/// `CCYY-MM-DD`.
fn push_ymd(out: &mut String, dt: &DateVal) {
    push_year(out, dt.year);
    out.push('-');
    push_2(out, dt.mon);
    out.push('-');
    push_2(out, dt.day);
}

/// The zone if it was given (or is not 0).
fn push_zone_if_set(out: &mut String, dt: &DateVal) {
    if dt.tz_flag || dt.tzo != 0 {
        push_zone(out, dt.tzo);
    }
}

/// `CCYY-MM-DDThh:mm:ss` and a zone, always (`Z` when there is none); `None` if out of range.
pub(super) fn format_date_time(dt: &DateVal) -> Option<String> {
    if !dt.valid_date() || !dt.valid_time() {
        return None;
    }
    let mut out = String::new();
    push_ymd(&mut out, dt);
    out.push('T');
    push_time(&mut out, dt);
    push_zone(&mut out, dt.tzo);
    Some(out)
}

/// `CCYY-MM-DD` and the zone if it has one; `None` if out of range.
pub(super) fn format_date(dt: &DateVal) -> Option<String> {
    if !dt.valid_date() || !dt.valid_time() {
        return None;
    }
    let mut out = String::new();
    push_ymd(&mut out, dt);
    push_zone_if_set(&mut out, dt);
    Some(out)
}

/// `hh:mm:ss` and the zone if it has one; `None` if out of range.
pub(super) fn format_time(dt: &DateVal) -> Option<String> {
    if !dt.valid_time() {
        return None;
    }
    let mut out = String::new();
    push_time(&mut out, dt);
    push_zone_if_set(&mut out, dt);
    Some(out)
}

/// A value in the lexical form of its kind (`date:add`'s results); `None` for the left-truncated
/// kinds, which libexslt never writes.
pub(super) fn format(dt: &DateVal) -> Option<String> {
    match dt.kind {
        Kind::DateTime => format_date_time(dt),
        Kind::Date => format_date(dt),
        Kind::Time => format_time(dt),
        Kind::GYear | Kind::GYearMonth => {
            let mut out = String::new();
            push_year(&mut out, dt.year);
            if dt.kind == Kind::GYearMonth {
                out.push('-');
                push_2(&mut out, dt.mon);
            }
            push_zone_if_set(&mut out, dt);
            Some(out)
        }
        Kind::GDay | Kind::GMonth | Kind::GMonthDay => None,
    }
}

/// Writes the whole `limit`s in `num` followed by `designator`, and leaves the rest in `num`
/// (libexslt's `FORMAT_ITEM`).
fn push_item(out: &mut String, num: &mut f64, limit: f64, designator: char) {
    if *num >= limit {
        let whole = (*num / limit).floor();
        out.push_str(&libxml2_number(whole));
        out.push(designator);
        *num -= whole * limit;
    }
}

/// A duration as `-?PnYnMnDTnHnMnS`, leaving out zero parts (`P0D` for nothing): years and
/// months from the months, hours to seconds from the seconds. The numbers are written as
/// doubles by [`libxml2_number`], as libexslt does: a fraction of a second to 15 significant
/// digits, and days past 1e9 with an exponent.
pub(super) fn format_duration(d: &Duration) -> String {
    if d.sec == 0.0 && d.day == 0 && d.mon == 0 {
        return "P0D".to_owned();
    }
    let mut secs = d.sec;
    let mut days = d.day as f64;
    let mut years = (d.mon / 12) as f64;
    let mut months = (d.mon % 12) as f64;
    let mut negative = false;
    if days < 0.0 {
        if secs != 0.0 {
            secs = SECS_PER_DAY as f64 - secs;
            days += 1.0;
        }
        days = -days;
        negative = true;
    }
    if years < 0.0 {
        years = -years;
        negative = true;
    }
    if months < 0.0 {
        months = -months;
        negative = true;
    }
    let mut out = String::from(if negative { "-P" } else { "P" });
    if years != 0.0 {
        push_item(&mut out, &mut years, 1.0, 'Y');
    }
    if months != 0.0 {
        push_item(&mut out, &mut months, 1.0, 'M');
    }
    push_item(&mut out, &mut days, 1.0, 'D');
    if secs > 0.0 {
        out.push('T');
    }
    push_item(&mut out, &mut secs, 3600.0, 'H');
    push_item(&mut out, &mut secs, 60.0, 'M');
    if secs > 0.0 {
        out.push_str(&libxml2_number(secs));
        out.push('S');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::lexical::{parse_date, parse_duration};
    use super::*;

    #[test]
    fn formats() {
        let d = parse_date("2024-02-29T10:11:02.125+05:30").expect("valid");
        assert_eq!(format_time(&d).as_deref(), Some("10:11:02.125+05:30"));
        assert_eq!(format_date(&d).as_deref(), Some("2024-02-29+05:30"));
        assert_eq!(
            format_date_time(&d).as_deref(),
            Some("2024-02-29T10:11:02.125+05:30")
        );
        let t = parse_date("00:00:09.5").expect("valid");
        assert_eq!(format_time(&t).as_deref(), Some("00:00:09.5"));
        let t = parse_date("10:11:12.0001").expect("valid");
        assert_eq!(format_time(&t).as_deref(), Some("10:11:12.0001"));
        let t = parse_date("23:59:59.9999999999").expect("valid");
        assert_eq!(format_time(&t).as_deref(), Some("23:59:59.9999999999"));
        // xs:dateTime is always written with a zone.
        let n = parse_date("1970-01-01T00:00:00").expect("valid");
        assert_eq!(
            format_date_time(&n).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(
            format(&parse_date("2024Z").expect("valid")).as_deref(),
            Some("2024Z")
        );
        assert_eq!(format(&parse_date("---29").expect("valid")), None);
    }

    #[test]
    fn durations_format() {
        let f = |s: &str| format_duration(&parse_duration(s).expect("valid"));
        assert_eq!(f("P0Y0M0D"), "P0D");
        assert_eq!(f("P13M"), "P1Y1M");
        assert_eq!(f("PT90M"), "PT1H30M");
        assert_eq!(f("PT86401S"), "P1DT1S");
        assert_eq!(f("-PT1S"), "-PT1S");
        assert_eq!(f("-P1DT0.25S"), "-P1DT0.25S");
        assert_eq!(f("PT0.5S"), "PT0.5S");
        assert_eq!(f("-P5Y7M"), "-P5Y7M");
        // Numbers as libxml2 writes them.
        let big = Duration {
            mon: 0,
            day: i64::MIN,
            sec: 0.0,
        };
        assert_eq!(format_duration(&big), "-P9.22337203685478e+18D");
        let tiny = Duration {
            mon: 0,
            day: 0,
            sec: 1e-10,
        };
        assert_eq!(format_duration(&tiny), "PT1e-10S");
    }

    #[test]
    fn numbers_as_libxml2_writes_them() {
        assert_eq!(libxml2_number(12.0), "12");
        assert_eq!(libxml2_number(0.1 + 0.2), "0.3");
        assert_eq!(libxml2_number(1.0 / 3.0), "0.333333333333333");
        assert_eq!(libxml2_number(1e10), "1e+10");
        assert_eq!(libxml2_number(0.000_001), "1e-06");
        assert_eq!(libxml2_number(2_147_483_648.0), "2.147483648e+09");
        assert_eq!(libxml2_number(999_999_999.5), "999999999.5");
        assert_eq!(libxml2_number(12_345_678.123_456_78), "12345678.1234568");
    }

    #[test]
    fn negative_years_are_written_from_minus_0001() {
        let mut s = String::new();
        push_year(&mut s, -43);
        assert_eq!(s, "-0044");
        s.clear();
        push_year(&mut s, 0);
        assert_eq!(s, "-0001");
        s.clear();
        push_year(&mut s, 12345);
        assert_eq!(s, "12345");
    }
}
