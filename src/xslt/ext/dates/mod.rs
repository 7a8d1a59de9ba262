//! EXSLT dates-and-times (<http://exslt.org/dates-and-times>): the functions libexslt
//! implements, with its results.
//!
//! `date:date-time`, `date`, `time`, `year`, `leap-year`, `month-in-year`, `month-name`,
//! `month-abbreviation`, `week-in-year`, `week-in-month`, `day-in-year`, `day-in-month`,
//! `day-of-week-in-month`, `day-in-week`, `day-name`, `day-abbreviation`, `hour-in-day`,
//! `minute-in-hour`, `second-in-minute`, `seconds`, `add`, `add-duration`, `sum`,
//! `difference` and `duration`. Not `date:format-date`, `date:parse-date` nor the
//! `date:date-format` element, which libexslt lacks too, so `function-available()` says false.
//!
//! Lexical forms (read in `lexical.rs`, written in `format.rs`): `xs:dateTime`
//! (`[-]CCYY-MM-DDThh:mm:ss[.s+][zone]`) and its truncations `xs:date`, `xs:gYearMonth`,
//! `xs:gYear`, `xs:time`, `xs:gMonthDay` (`--MM-DD`), `xs:gMonth` (`--MM--`) and `xs:gDay`
//! (`---DD`), a zone being `Z` or `±hh:mm`; durations `[-]PnYnMnDTnHnMnS`. Years have four digits
//! or more (no leading zero past four), may be negative, never 0, up to about 9.2e17. Anything
//! else gives `''` or NaN, never an error; only `date:sum` of something that is not a node-set
//! fails. Calendar arithmetic (`calendar.rs`) is
//! proleptic Gregorian over 64-bit astronomical years.
//!
//! The argument-less forms read the current time from [`Host::now`], the same for the whole
//! transformation (the CLI sets it from `SOURCE_DATE_EPOCH` as xsltproc does), and write it in
//! UTC as libexslt does under `SOURCE_DATE_EPOCH`: `date:date-time()` ends in `Z`, `date:date()`
//! and `date:time()` have no zone. Without `SOURCE_DATE_EPOCH` libexslt uses the local time and
//! its offset; webxsl always uses UTC.
//!
//! libexslt's quirks, reproduced:
//! - a zone is tried wherever a value may end, so `2024-05:00` is the year 2024 at `-05:00`;
//! - `+00:00` and `-00:00` are not kept: `date:date('2024-02-29T10:11:12+00:00')` is
//!   `2024-02-29`, while `Z` is kept; `date:add` and `date:difference` write every dateTime with a
//!   zone, `Z` when it had none;
//! - `-0001` is the year before `0001` (1 BCE, a leap year): `date:leap-year('-0001')` is true,
//!   `date:difference('-0001-01-01', '0001-01-01')` is `P366D`;
//! - `date:leap-year` of something that is not a date is NaN, a number, not false;
//! - `date:add` clamps the day to the new month (2000-08-31 + `P6M` = 2001-02-28), keeps the
//!   zone without normalising it, and turns a gYear, gYearMonth or date into a date or dateTime
//!   when the duration adds a day or a time (`date:add('2024', 'P1D')` is `2024-01-02`);
//! - `date:difference` cuts the more specific date down to the other's kind, counts in months
//!   between gYears and gYearMonths, and counts the zones' offsets even between dates;
//! - `date:seconds` of a number reads it as a date first: `date:seconds(86400)` is the seconds to
//!   the year 86400; of a time or a duration with months, NaN;
//! - durations: `PT.5S` and `PT0.S` are accepted; hours, minutes and seconds are carried into
//!   days (`PT36H` is written `P1DT12H`);
//! - seconds (in times and durations) and the numbers of a duration are written the way libxml2
//!   writes doubles, 15 significant digits and exponents outside [1e-5, 1e9], a time's seconds
//!   after a `0` when below 10: `date:time('10:11:02.999999999')` is `10:11:02.999999998999999`,
//!   `date:add('2024-01-01T00:00:00Z', 'PT0.000001S')` is `2024-01-01T00:00:01e-06Z`,
//!   `date:duration(0.0000000001)` is `PT1e-10S`, a sum of huge durations
//!   `-P9.22337203685478e+18D`;
//! - `date:add-duration` and `date:sum` give `''` for mixed signs (`P1M` + `-P1D`), including
//!   along the way in `date:sum`; `date:sum` of an RTF reads its whole string value.
//!
//! Deliberately not reproduced, because webxsl's XPath numbers differ from libxml2's on purpose
//! (docs/xpath.md): libexslt reads a number argument of `date:duration` through libxml2's
//! 15-digit number-to-string conversion, webxsl uses the number itself
//! (`date:duration(123456789.123456789)` ends in `9.123456791043282S`, libexslt's in
//! `9.123456999659538S`); and a string argument is read as XPath `number()` reads it, without
//! an exponent (`date:duration('1e3')` is `''`, libexslt's `PT16M40S`).

mod calendar;
mod format;
mod lexical;

use super::{Host, HostFn};
use crate::xpath::Context;
use crate::xpath::eval::to_string;
use crate::xpath::value::{NodeRef, Value, str_to_num, string_value};
use crate::xslt::error::XsltError;
use lexical::{DateVal, Duration, Kind, SECS_PER_DAY};

/// EXSLT dates-and-times.
pub const EXSLT_DATES: &str = "http://exslt.org/dates-and-times";

/// A function of this namespace taking `min` to `max` arguments.
const fn def(local: &'static str, min: usize, max: usize, call: super::HostCall) -> HostFn {
    HostFn::new(EXSLT_DATES, local, min, Some(max), call)
}

/// The functions of EXSLT dates-and-times (those libexslt registers).
pub(super) const FUNCTIONS: &[HostFn] = &[
    def("add", 2, 2, add),
    def("add-duration", 2, 2, add_duration),
    def("date", 0, 1, date),
    def("date-time", 0, 0, date_time),
    def("day-abbreviation", 0, 1, day_abbreviation),
    def("day-in-month", 0, 1, day_in_month),
    def("day-in-week", 0, 1, day_in_week),
    def("day-in-year", 0, 1, day_in_year),
    def("day-name", 0, 1, day_name),
    def("day-of-week-in-month", 0, 1, day_of_week_in_month),
    def("difference", 2, 2, difference),
    def("duration", 0, 1, duration),
    def("hour-in-day", 0, 1, hour_in_day),
    def("leap-year", 0, 1, leap_year),
    def("minute-in-hour", 0, 1, minute_in_hour),
    def("month-abbreviation", 0, 1, month_abbreviation),
    def("month-in-year", 0, 1, month_in_year),
    def("month-name", 0, 1, month_name),
    def("second-in-minute", 0, 1, second_in_minute),
    def("seconds", 0, 1, seconds),
    def("sum", 1, 1, sum),
    def("time", 0, 1, time),
    def("week-in-month", 0, 1, week_in_month),
    def("week-in-year", 0, 1, week_in_year),
    def("year", 0, 1, year),
];

/// The kinds with a year: `date:year` and `date:leap-year` take them.
const YEARS: &[Kind] = &[Kind::DateTime, Kind::Date, Kind::GYearMonth, Kind::GYear];
/// The kinds with a month: `date:month-*` take them.
const MONTHS: &[Kind] = &[
    Kind::DateTime,
    Kind::Date,
    Kind::GYearMonth,
    Kind::GMonth,
    Kind::GMonthDay,
];
/// The kinds `date:day-in-month` takes.
const MONTH_DAYS: &[Kind] = &[Kind::DateTime, Kind::Date, Kind::GMonthDay, Kind::GDay];
/// Full dates: the week and weekday functions and `date:day-in-year` take them.
const DATES: &[Kind] = &[Kind::DateTime, Kind::Date];
/// The kinds with a time of day: `date:time`, `date:hour-in-day`...
const TIMES: &[Kind] = &[Kind::DateTime, Kind::Time];

/// English month names, January first.
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// English day names, Sunday first.
const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// The current time as a dateTime in UTC without an explicit zone.
fn now(h: &mut dyn Host) -> DateVal {
    calendar::from_epoch(h.now())
}

/// The string value of argument `i`.
fn arg_str(h: &dyn Host, args: &[Value], i: usize) -> String {
    args.get(i)
        .map(|v| to_string(v, h.env()).to_string())
        .unwrap_or_default()
}

/// The date of the optional first argument, or the current time without one; `None` when the
/// argument is not a date of one of `kinds`.
fn date_arg(h: &mut dyn Host, args: &[Value], kinds: &[Kind]) -> Option<DateVal> {
    if args.is_empty() {
        return Some(now(h));
    }
    lexical::parse_date(&arg_str(h, args, 0)).filter(|d| kinds.contains(&d.kind))
}

/// A number, NaN for `None`.
fn num(x: Option<f64>) -> Value {
    Value::Num(x.unwrap_or(f64::NAN))
}

/// A string, empty for `None`.
fn text(s: Option<String>) -> Value {
    Value::str(s.unwrap_or_default())
}

/// `date:date-time()`: the current date and time, `CCYY-MM-DDThh:mm:ssZ`.
fn date_time(h: &mut dyn Host, _: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(text(format::format_date_time(&now(h))))
}

/// `date:date(string?)`: the date of a dateTime or date, with its zone if it has one.
fn date(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(text(
        date_arg(h, &args, DATES).and_then(|d| format::format_date(&d)),
    ))
}

/// `date:time(string?)`: the time of a dateTime or time, with its zone if it has one.
fn time(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(text(
        date_arg(h, &args, TIMES).and_then(|d| format::format_time(&d)),
    ))
}

/// `date:year(string?)`: the year of a dateTime, date, gYearMonth or gYear (negative before
/// year 1, which has no year 0 before it).
fn year(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(date_arg(h, &args, YEARS).map(|d| {
        let y = if d.year <= 0 { d.year - 1 } else { d.year };
        y as f64
    })))
}

/// `date:leap-year(string?)`: a boolean, or NaN when the argument has no year.
fn leap_year(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(match date_arg(h, &args, YEARS) {
        Some(d) => Value::Bool(calendar::is_leap(d.year)),
        None => Value::Num(f64::NAN),
    })
}

/// The month (1 to 12) of a dateTime, date, gYearMonth, gMonth or gMonthDay.
fn month_of(h: &mut dyn Host, args: &[Value]) -> Option<u32> {
    date_arg(h, args, MONTHS).map(|d| d.mon)
}

/// `date:month-in-year(string?)`: the month, 1 to 12.
fn month_in_year(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(month_of(h, &args).map(f64::from)))
}

/// The English name of month `m` (1 to 12).
fn month_named(m: u32) -> Option<&'static str> {
    MONTH_NAMES
        .get(usize::try_from(m).ok()?.checked_sub(1)?)
        .copied()
}

/// `date:month-name(string?)`: `January` to `December`.
fn month_name(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let name = month_of(h, &args).and_then(month_named).unwrap_or("");
    Ok(Value::str(name))
}

/// `date:month-abbreviation(string?)`: `Jan` to `Dec`.
fn month_abbreviation(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let name = month_of(h, &args).and_then(month_named).unwrap_or("");
    Ok(Value::str(name.get(..3).unwrap_or("")))
}

/// `date:week-in-year(string?)`: the ISO 8601 week of a dateTime or date.
fn week_in_year(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(
        date_arg(h, &args, DATES).map(|d| calendar::week_in_year(&d) as f64)
    ))
}

/// `date:week-in-month(string?)`: the week in the month (weeks start on Monday, the first day
/// is in week 1).
fn week_in_month(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(
        date_arg(h, &args, DATES).map(|d| calendar::week_in_month(&d) as f64)
    ))
}

/// `date:day-in-year(string?)`: 1 to 366.
fn day_in_year(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(date_arg(h, &args, DATES).map(|d| {
        calendar::day_in_year(d.day, d.mon, d.year) as f64
    })))
}

/// `date:day-in-month(string?)`: the day of a dateTime, date, gMonthDay or gDay.
fn day_in_month(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(date_arg(h, &args, MONTH_DAYS).map(|d| f64::from(d.day))))
}

/// `date:day-of-week-in-month(string?)`: which of its weekday in the month the day is (3 for
/// the third Tuesday).
fn day_of_week_in_month(
    h: &mut dyn Host,
    args: Vec<Value>,
    _: &Context,
) -> Result<Value, XsltError> {
    Ok(num(
        date_arg(h, &args, DATES).map(|d| f64::from((d.day - 1) / 7 + 1))
    ))
}

/// The day of the week of a dateTime or date, 1 for Sunday to 7 for Saturday.
fn weekday_of(h: &mut dyn Host, args: &[Value]) -> Option<i64> {
    date_arg(h, args, DATES).map(|d| calendar::day_in_week(&d))
}

/// `date:day-in-week(string?)`: 1 for Sunday to 7 for Saturday.
fn day_in_week(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(weekday_of(h, &args).map(|w| w as f64)))
}

/// The English name of weekday `w` (1 for Sunday).
fn day_named(w: i64) -> Option<&'static str> {
    DAY_NAMES
        .get(usize::try_from(w).ok()?.checked_sub(1)?)
        .copied()
}

/// `date:day-name(string?)`: `Sunday` to `Saturday`.
fn day_name(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let name = weekday_of(h, &args).and_then(day_named).unwrap_or("");
    Ok(Value::str(name))
}

/// `date:day-abbreviation(string?)`: `Sun` to `Sat`.
fn day_abbreviation(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let name = weekday_of(h, &args).and_then(day_named).unwrap_or("");
    Ok(Value::str(name.get(..3).unwrap_or("")))
}

/// `date:hour-in-day(string?)`: the hour of a dateTime or time.
fn hour_in_day(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(date_arg(h, &args, TIMES).map(|d| f64::from(d.hour))))
}

/// `date:minute-in-hour(string?)`: the minute of a dateTime or time.
fn minute_in_hour(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(date_arg(h, &args, TIMES).map(|d| f64::from(d.min))))
}

/// `date:second-in-minute(string?)`: the seconds of a dateTime or time, with their fraction.
fn second_in_minute(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(num(date_arg(h, &args, TIMES).map(|d| d.sec)))
}

/// `date:seconds(string?)`: the seconds from 1970-01-01T00:00:00Z to a right-truncated date
/// (the current time without an argument), or the seconds of a duration without years and
/// months; NaN otherwise.
fn seconds(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    if args.is_empty() {
        return Ok(num(calendar::seconds_since_epoch(&now(h))));
    }
    let s = arg_str(h, &args, 0);
    Ok(num(match lexical::parse_date(&s) {
        Some(d) if d.kind.is_right_truncated() => calendar::seconds_since_epoch(&d),
        Some(_) => None,
        None => lexical::parse_duration(&s)
            .filter(|d| d.mon == 0)
            .map(|d| d.day as f64 * SECS_PER_DAY as f64 + d.sec),
    }))
}

/// `date:add(date, duration)`: a right-truncated date plus a duration, in the kind the result
/// needs (see [`calendar::add`]); `''` if either is invalid.
fn add(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let d = lexical::parse_date(&arg_str(h, &args, 0)).filter(|d| d.kind.is_right_truncated());
    let dur = lexical::parse_duration(&arg_str(h, &args, 1));
    Ok(text(
        d.zip(dur)
            .and_then(|(d, dur)| calendar::add(&d, &dur))
            .and_then(|r| format::format(&r)),
    ))
}

/// `date:add-duration(duration, duration)`: their sum; `''` if either is invalid or the sum
/// mixes signs.
fn add_duration(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let x = lexical::parse_duration(&arg_str(h, &args, 0));
    let y = lexical::parse_duration(&arg_str(h, &args, 1));
    Ok(text(
        x.zip(y)
            .and_then(|(x, y)| calendar::add_durations(&x, &y))
            .map(|d| format::format_duration(&d)),
    ))
}

/// `date:sum(node-set)`: the durations the nodes' string values hold, added in document order;
/// `''` for no nodes, an invalid duration, or mixed signs along the way. A result tree fragment
/// counts as its root. Anything else is an error, as in libexslt.
fn sum(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let nodes: Vec<NodeRef> = match &args[0] {
        Value::Nodes(n) => n.to_vec(),
        Value::Rtf(r) => vec![*r],
        v => {
            return Err(h.error(
                "XPTY0004",
                format!("date:sum() needs a node-set, not a {}", v.type_name()),
            ));
        }
    };
    if nodes.is_empty() {
        return Ok(Value::str(""));
    }
    let mut total = Duration::default();
    for n in nodes {
        let s = string_value(h.env().tree(n.doc), n);
        let next = lexical::parse_duration(&s).and_then(|d| calendar::add_durations(&total, &d));
        match next {
            Some(t) => total = t,
            None => return Ok(Value::str("")),
        }
    }
    Ok(Value::str(format::format_duration(&total)))
}

/// `date:difference(date, date)`: the duration from the first right-truncated date to the
/// second (see [`calendar::difference`]); `''` if either is invalid.
fn difference(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let x = lexical::parse_date(&arg_str(h, &args, 0));
    let y = lexical::parse_date(&arg_str(h, &args, 1));
    Ok(text(
        x.zip(y)
            .and_then(|(x, y)| calendar::difference(&x, &y, false))
            .map(|d| format::format_duration(&d)),
    ))
}

/// `date:duration(number?)`: a number of seconds as a duration in days, hours, minutes and
/// seconds (the seconds since 1970 without an argument); `''` for NaN and the infinities.
fn duration(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let secs = match args.first() {
        None => calendar::seconds_since_epoch(&now(h)).unwrap_or(f64::NAN),
        Some(Value::Num(n)) => *n,
        Some(v) => str_to_num(&to_string(v, h.env())),
    };
    if secs.is_nan() {
        return Ok(Value::str(""));
    }
    let days = (secs / SECS_PER_DAY as f64).floor();
    if days <= i64::MIN as f64 || days >= i64::MAX as f64 {
        return Ok(Value::str(""));
    }
    let d = Duration {
        mon: 0,
        day: days as i64,
        sec: secs - days * SECS_PER_DAY as f64,
    };
    Ok(Value::str(format::format_duration(&d)))
}
