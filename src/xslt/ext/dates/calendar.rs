//! Calendar arithmetic of EXSLT dates-and-times, as libexslt does it: the proleptic Gregorian
//! calendar over any 64-bit astronomical year (year 0 is 1 BCE, and a leap year), day of the
//! week and ISO week, a date plus a duration, the duration between two dates, the sum of two
//! durations, and the date at a count of seconds since 1970.

use super::lexical::{DateVal, Duration, Kind, SECS_PER_DAY};

/// The largest year a date reaches by addition (libexslt's `LONG_MAX`).
const YEAR_MAX: i64 = i64::MAX;
/// The smallest year a date reaches by addition (libexslt's `-LONG_MAX + 1`).
const YEAR_MIN: i64 = -i64::MAX + 1;
/// Days in 400 Gregorian years, after which the calendar repeats.
const DAYS_PER_400_YEARS: i64 = 146_097;

/// Days in the months before each month, in a common year and in a leap year.
const DAYS_BEFORE_MONTH: [[i64; 12]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335],
];

/// Whether `year` (astronomical) is a Gregorian leap year.
pub(super) fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year % 100 != 0 || year.rem_euclid(400) == 0)
}

/// Days in month `mon` (1 to 12) of `year`.
pub(super) fn days_in_month(year: i64, mon: u32) -> i64 {
    match mon {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days in the months of `year` before month `mon` (1 to 12).
fn days_before(year: i64, mon: u32) -> i64 {
    let m = usize::try_from(mon.clamp(1, 12) - 1).unwrap_or(0);
    DAYS_BEFORE_MONTH[usize::from(is_leap(year))][m]
}

/// The day of the year (from 1) of day `day` of month `mon`.
pub(super) fn day_in_year(day: u32, mon: u32, year: i64) -> i64 {
    days_before(year, mon) + i64::from(day)
}

/// Leap days from year 1 to the start of `year` (negative for years before 1).
fn leap_days_before(year: i64) -> i64 {
    let y = year - 1;
    y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)
}

/// Days from 0001-01-01 to the first of month `mon` of `year`. The callers keep the year within
/// ±`i64::MAX / 731`, as libexslt does, so that nothing overflows.
fn days_to_month(year: i64, mon: u32) -> i64 {
    365 * (year - 1) + leap_days_before(year) + days_before(year, mon)
}

/// The day of the week of day `yday` of `year`, 0 for Sunday to 6 for Saturday (0001-01-01 was a
/// Monday). Works for every year: the year is reduced modulo 7 first.
pub(super) fn day_of_week(yday: i64, year: i64) -> i64 {
    ((year - 1).rem_euclid(7) + leap_days_before(year).rem_euclid(7) + yday).rem_euclid(7)
}

/// The day of the week of a date, 0 for Sunday.
fn weekday(dt: &DateVal) -> i64 {
    day_of_week(day_in_year(dt.day, dt.mon, dt.year), dt.year)
}

/// The ISO 8601 week of a date: weeks start on Monday, and a week belongs to the year of its
/// Thursday (so 2024-12-30 is in week 1 and 2021-01-03 in week 53).
pub(super) fn week_in_year(dt: &DateVal) -> i64 {
    let monday_based = (weekday(dt) + 6) % 7;
    let mut thursday = day_in_year(dt.day, dt.mon, dt.year) + 3 - monday_based;
    let year_length = day_in_year(31, 12, dt.year);
    if thursday < 1 {
        thursday += day_in_year(31, 12, dt.year - 1);
    } else if thursday > year_length {
        thursday -= year_length;
    }
    (thursday - 1) / 7 + 1
}

/// The week of a date in its month: the first day is in week 1, and weeks start on Monday.
pub(super) fn week_in_month(dt: &DateVal) -> i64 {
    let first = day_of_week(day_in_year(1, dt.mon, dt.year), dt.year);
    let offset = (first + 6) % 7;
    (i64::from(dt.day) + offset - 1) / 7 + 1
}

/// The day of the week of a date, 1 for Sunday to 7 for Saturday.
pub(super) fn day_in_week(dt: &DateVal) -> i64 {
    weekday(dt) + 1
}

/// The seconds of the time of day.
fn time_of_day(dt: &DateVal) -> f64 {
    f64::from(dt.hour * 3600 + dt.min * 60) + dt.sec
}

/// `date + duration` (XML Schema Part 2, appendix E, as libexslt does it): months first, with
/// the day then clamped to the new month's length (2000-08-31 plus `P6M` is 2001-02-28), then
/// seconds, minutes, hours and days with carries. The zone is kept as it is, not normalised. A
/// date that gains a time, a day or a month becomes a dateTime, date or gYearMonth. `None` when
/// the year would leave the 64-bit range.
pub(super) fn add(dt: &DateVal, dur: &Duration) -> Option<DateVal> {
    let mut r = DateVal::new(dt.kind);

    let mut mon = i64::from(dt.mon) + dur.mon % 12;
    let mut carry = dur.mon / 12;
    if mon < 1 {
        mon += 12;
        carry -= 1;
    } else if mon > 12 {
        mon -= 12;
        carry += 1;
    }
    r.mon = u32::try_from(mon).unwrap_or(1);

    // Whole 400-year cycles of days go to the year at once.
    carry += (dur.day / DAYS_PER_400_YEARS) * 400;
    if (carry > 0 && dt.year > YEAR_MAX - carry) || (carry < 0 && dt.year < YEAR_MIN - carry) {
        return None;
    }
    r.year = dt.year + carry;
    r.tzo = dt.tzo;
    r.tz_flag = dt.tz_flag;

    let sum = dt.sec + dur.sec;
    r.sec = sum % 60.0;
    let mut carry = (sum / 60.0) as i64;
    let mut min = i64::from(dt.min) + carry % 60;
    carry /= 60;
    if min >= 60 {
        min -= 60;
        carry += 1;
    }
    r.min = u32::try_from(min).unwrap_or(0);
    let mut hour = i64::from(dt.hour) + carry % 24;
    carry /= 24;
    if hour >= 24 {
        hour -= 24;
        carry += 1;
    }
    r.hour = u32::try_from(hour).unwrap_or(0);

    let max = days_in_month(r.year, r.mon);
    let mut day = i64::from(dt.day).clamp(1, max.max(1));
    day += dur.day % DAYS_PER_400_YEARS + carry;
    loop {
        if day < 1 {
            if r.mon > 1 {
                r.mon -= 1;
            } else {
                if r.year == YEAR_MIN {
                    return None;
                }
                r.mon = 12;
                r.year -= 1;
            }
            day += days_in_month(r.year, r.mon);
        } else if day > days_in_month(r.year, r.mon) {
            day -= days_in_month(r.year, r.mon);
            if r.mon < 12 {
                r.mon += 1;
            } else {
                if r.year == YEAR_MAX {
                    return None;
                }
                r.mon = 1;
                r.year += 1;
            }
        } else {
            break;
        }
    }
    r.day = u32::try_from(day).unwrap_or(1);

    if r.kind != Kind::DateTime {
        if r.hour != 0 || r.min != 0 || r.sec != 0.0 {
            r.kind = Kind::DateTime;
        } else if r.kind != Kind::Date {
            if r.day != 1 {
                r.kind = Kind::Date;
            } else if r.kind != Kind::GYearMonth && r.mon != 1 {
                r.kind = Kind::GYearMonth;
            }
        }
    }
    Some(r)
}

/// Cuts `dt` down to `kind`: the parts it lacks go back to their defaults. The zone stays.
fn truncate(dt: &mut DateVal, kind: Kind) {
    if !kind.has(Kind::Time) {
        dt.hour = 0;
        dt.min = 0;
        dt.sec = 0.0;
    }
    if !kind.has(Kind::GDay) {
        dt.day = 1;
    }
    if !kind.has(Kind::GMonth) {
        dt.mon = 1;
    }
    if !kind.has(Kind::GYear) {
        dt.year = 0;
    }
    dt.kind = kind;
}

/// `y - x` as a duration (libexslt's `_exsltDateDifference`). The more specific of the two is
/// first cut down to the kind of the other. Between gYears or gYearMonths the result is in
/// months, unless `in_days`; otherwise in days and seconds, counting the zones' offsets (even
/// between dates without a time). `None` if either is not a right-truncated date, or for years
/// so large that the count could overflow.
pub(super) fn difference(x: &DateVal, y: &DateVal, in_days: bool) -> Option<Duration> {
    if !x.kind.is_right_truncated() || !y.kind.is_right_truncated() {
        return None;
    }
    let (mut x, mut y) = (*x, *y);
    if x.kind < y.kind {
        truncate(&mut y, x.kind);
    } else if y.kind < x.kind {
        truncate(&mut x, y.kind);
    }
    let years = [x.year, y.year];
    let mut d = Duration::default();
    if matches!(x.kind, Kind::GYear | Kind::GYearMonth) && !in_days {
        if years
            .iter()
            .any(|&yr| yr >= i64::MAX / 24 || yr <= i64::MIN / 24)
        {
            return None;
        }
        d.mon = (y.year - x.year) * 12 + (i64::from(y.mon) - i64::from(x.mon));
    } else {
        if years
            .iter()
            .any(|yr| !(i64::MIN / 731..=i64::MAX / 731).contains(yr))
        {
            return None;
        }
        let sec = time_of_day(&y) - time_of_day(&x) + f64::from((x.tzo - y.tzo) * 60);
        let carry = (sec / SECS_PER_DAY as f64).floor() as i64;
        d.sec = sec - (carry * SECS_PER_DAY) as f64;
        d.day = days_to_month(y.year, y.mon) - days_to_month(x.year, x.mon) + i64::from(y.day)
            - i64::from(x.day)
            + carry;
    }
    Some(d)
}

/// The seconds from 1970-01-01T00:00:00Z to a right-truncated date (its zone counted; a
/// truncated date at its first instant), as `date:seconds` computes them.
pub(super) fn seconds_since_epoch(dt: &DateVal) -> Option<f64> {
    let mut epoch = DateVal::new(Kind::DateTime);
    epoch.year = 1970;
    epoch.tz_flag = true;
    difference(&epoch, dt, true).map(|d| d.day as f64 * SECS_PER_DAY as f64 + d.sec)
}

/// `x + y` for durations: months, days and seconds added apart (seconds carried into days).
/// `None` when the result mixes signs that no duration can write (`P1M` plus `-P1D`), or on
/// overflow.
pub(super) fn add_durations(x: &Duration, y: &Duration) -> Option<Duration> {
    // As in libexslt 0.8.20, a sum of exactly `i64::MIN` passes.
    let overflows = |a: i64, b: i64| (a > 0 && b > i64::MAX - a) || (a < 0 && b < i64::MIN - a);
    if overflows(x.mon, y.mon) || overflows(x.day, y.day) {
        return None;
    }
    let mut r = Duration {
        mon: x.mon + y.mon,
        day: x.day + y.day,
        sec: x.sec + y.sec,
    };
    if r.sec >= SECS_PER_DAY as f64 {
        if r.day == i64::MAX {
            return None;
        }
        r.sec -= SECS_PER_DAY as f64;
        r.day += 1;
    }
    let mixed = if r.day >= 0 {
        (r.day > 0 || r.sec > 0.0) && r.mon < 0
    } else {
        r.mon > 0
    };
    (!mixed).then_some(r)
}

/// The dateTime `secs` seconds after 1970-01-01T00:00:00Z, in UTC, without an explicit zone (as
/// libexslt's current time under `SOURCE_DATE_EPOCH`).
pub(super) fn from_epoch(secs: i64) -> DateVal {
    let days = secs.div_euclid(SECS_PER_DAY);
    let in_day = secs.rem_euclid(SECS_PER_DAY);
    // Days since 0000-03-01, so that a leap day ends each 4-, 100- and 400-year cycle.
    let z = days + 719_468;
    let cycle = z.div_euclid(DAYS_PER_400_YEARS);
    let day_of_cycle = z.rem_euclid(DAYS_PER_400_YEARS);
    let year_of_cycle =
        (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36_524 - day_of_cycle / 146_096) / 365;
    let day_of_year =
        day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let mon = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let mut dt = DateVal::new(Kind::DateTime);
    dt.year = year_of_cycle + cycle * 400 + i64::from(mon <= 2);
    dt.mon = u32::try_from(mon).unwrap_or(1);
    dt.day = u32::try_from(day).unwrap_or(1);
    dt.hour = u32::try_from(in_day / 3600).unwrap_or(0);
    dt.min = u32::try_from(in_day % 3600 / 60).unwrap_or(0);
    dt.sec = (in_day % 60) as f64;
    dt
}

#[cfg(test)]
mod tests {
    use super::super::format::{format, format_date_time, format_duration};
    use super::super::lexical::{parse_date, parse_duration};
    use super::*;

    fn date(s: &str) -> DateVal {
        parse_date(s).unwrap_or_else(|| panic!("{s} is a date"))
    }

    fn plus(d: &str, dur: &str) -> Option<String> {
        let dur = parse_duration(dur).expect("a duration");
        add(&date(d), &dur).and_then(|r| format(&r))
    }

    fn diff(a: &str, b: &str) -> Option<String> {
        difference(&date(a), &date(b), false).map(|d| format_duration(&d))
    }

    #[test]
    fn leap_years() {
        assert!(is_leap(2024) && is_leap(2000) && is_leap(1600));
        assert!(!is_leap(1900) && !is_leap(2023) && !is_leap(1700));
        // Astronomical: 0 is 1 BCE, -4 is 5 BCE.
        assert!(is_leap(0) && is_leap(-4) && is_leap(-400));
        assert!(!is_leap(-1) && !is_leap(-3) && !is_leap(-100));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
    }

    #[test]
    fn days_are_continuous_across_year_zero() {
        for year in -802..802 {
            let length = if is_leap(year) { 366 } else { 365 };
            assert_eq!(days_to_month(year + 1, 1) - days_to_month(year, 1), length);
            // The weekday moves on by the year's length.
            assert_eq!(
                day_of_week(1, year + 1),
                (day_of_week(1, year) + length).rem_euclid(7)
            );
        }
        assert_eq!(days_to_month(1, 1), 0);
        assert_eq!(days_to_month(0, 1), -366);
        assert_eq!(days_to_month(1970, 1), 719_162);
    }

    #[test]
    fn weekdays() {
        assert_eq!(day_of_week(1, 1), 1); // 0001-01-01, a Monday
        assert_eq!(day_in_week(&date("2024-02-29")), 5); // Thursday
        assert_eq!(day_in_week(&date("1970-01-01")), 5);
        assert_eq!(day_in_week(&date("2026-06-15")), 2); // Monday
        assert_eq!(day_in_week(&date("-0001-12-31")), 1); // Sunday, the day before 0001-01-01
        // Years beyond any calendar still have weekdays.
        assert!((1..=7).contains(&day_in_week(&date("9223372036854775-01-01"))));
    }

    #[test]
    fn iso_weeks_at_year_ends() {
        let week = |s| week_in_year(&date(s));
        assert_eq!(week("2024-12-30"), 1);
        assert_eq!(week("2024-12-29"), 52);
        assert_eq!(week("2021-01-03"), 53);
        assert_eq!(week("2027-01-01"), 53);
        assert_eq!(week("2026-01-01"), 1);
        assert_eq!(week("2020-12-31"), 53);
        assert_eq!(week("2015-12-31"), 53);
        assert_eq!(week("2024-02-29"), 9);
        assert_eq!(week_in_month(&date("2024-12-30")), 6);
        assert_eq!(week_in_month(&date("2026-06-01")), 1);
        assert_eq!(week_in_month(&date("2026-06-07")), 1);
        assert_eq!(week_in_month(&date("2026-06-08")), 2);
    }

    #[test]
    fn adding_clamps_the_day_to_the_month() {
        assert_eq!(plus("2000-08-31", "P6M").as_deref(), Some("2001-02-28"));
        assert_eq!(plus("2024-01-31", "P1M").as_deref(), Some("2024-02-29"));
        assert_eq!(plus("2024-02-29", "P1Y").as_deref(), Some("2025-02-28"));
        assert_eq!(plus("2024-03-31", "-P1M").as_deref(), Some("2024-02-29"));
        assert_eq!(plus("2024-01-15", "-P13M").as_deref(), Some("2022-12-15"));
    }

    #[test]
    fn adding_carries_and_changes_kind() {
        assert_eq!(plus("2024-12-31", "P1D").as_deref(), Some("2025-01-01"));
        assert_eq!(plus("2024-01-01", "-P1D").as_deref(), Some("2023-12-31"));
        assert_eq!(
            plus("2024-01-01T23:59:59Z", "PT1S").as_deref(),
            Some("2024-01-02T00:00:00Z")
        );
        // The zone is kept, not normalised.
        assert_eq!(
            plus("2024-01-01T00:00:00+05:00", "PT1H").as_deref(),
            Some("2024-01-01T01:00:00+05:00")
        );
        assert_eq!(
            plus("2024-01-15", "PT1H").as_deref(),
            Some("2024-01-15T01:00:00Z")
        );
        assert_eq!(plus("2024-01", "P1D").as_deref(), Some("2024-01-02"));
        assert_eq!(plus("2024", "P1M").as_deref(), Some("2024-02"));
        assert_eq!(plus("2024Z", "P1Y").as_deref(), Some("2025Z"));
        assert_eq!(plus("2024-01-15", "PT0.S").as_deref(), Some("2024-01-15"));
        // Across year 0 (written -0001).
        assert_eq!(plus("0001-01-01", "-P1D").as_deref(), Some("-0001-12-31"));
        assert_eq!(plus("-0001-12-31", "P1D").as_deref(), Some("0001-01-01"));
        assert_eq!(plus("0001-06-01", "-P1Y").as_deref(), Some("-0001-06-01"));
        assert_eq!(
            plus("2024-01-15T00:00:00Z", "P100000D").as_deref(),
            Some("2297-10-30T00:00:00Z")
        );
    }

    #[test]
    fn differences() {
        assert_eq!(diff("2024-01-01", "2024-03-01").as_deref(), Some("P60D"));
        assert_eq!(diff("2024-03-01", "2024-01-01").as_deref(), Some("-P60D"));
        assert_eq!(diff("2024-01", "2025-03").as_deref(), Some("P1Y2M"));
        assert_eq!(diff("2020", "2024-05").as_deref(), Some("P4Y"));
        assert_eq!(
            diff("2024-01-02T01:00:00Z", "2024-01-01T23:00:00Z").as_deref(),
            Some("-PT2H")
        );
        assert_eq!(
            diff("2024-01-01+01:00", "2024-01-02").as_deref(),
            Some("P1DT1H")
        );
        assert_eq!(diff("-0001-01-01", "0001-01-01").as_deref(), Some("P366D"));
        assert_eq!(diff("10:00:00", "11:00:00"), None);
        assert_eq!(
            seconds_since_epoch(&date("1969-12-31T23:59:59Z")),
            Some(-1.0)
        );
        assert_eq!(
            seconds_since_epoch(&date("1970-01-01T00:00:01+00:01")),
            Some(-59.0)
        );
    }

    #[test]
    fn durations_add_unless_signs_mix() {
        let sum = |a: &str, b: &str| {
            add_durations(
                &parse_duration(a).expect("a"),
                &parse_duration(b).expect("b"),
            )
            .map(|d| format_duration(&d))
        };
        assert_eq!(sum("P1Y", "P11M").as_deref(), Some("P1Y11M"));
        assert_eq!(sum("P5Y", "P7M").as_deref(), Some("P5Y7M"));
        assert_eq!(sum("P1DT23H", "PT1H").as_deref(), Some("P2D"));
        assert_eq!(sum("-PT1H", "PT30M").as_deref(), Some("-PT30M"));
        assert_eq!(sum("P1D", "-PT1H").as_deref(), Some("PT23H"));
        assert_eq!(sum("P1Y", "-P12M").as_deref(), Some("P0D"));
        assert_eq!(sum("P1M", "-P1D"), None);
        assert_eq!(sum("-P1M", "P1D"), None);
    }

    #[test]
    fn epoch_seconds_to_dates() {
        let at = |s| format_date_time(&from_epoch(s)).expect("valid");
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(-1), "1969-12-31T23:59:59Z");
        assert_eq!(at(951_825_599), "2000-02-29T11:59:59Z");
        assert_eq!(at(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(at(-62_135_596_800), "0001-01-01T00:00:00Z");
        assert_eq!(at(-62_135_596_801), "-0001-12-31T23:59:59Z");
    }
}
