//! The lexical forms of EXSLT dates-and-times as libexslt reads them, and its values: `xs:dateTime`
//! and its truncations (`xs:date`, `xs:gYearMonth`, `xs:gYear`, `xs:time`, `xs:gMonthDay`,
//! `xs:gMonth` as `--MM--`, `xs:gDay`), each with an optional time zone, and `xs:duration`.
//!
//! Parsing (this file) follows libexslt step by step, so that the same strings are accepted: no
//! white space, no `+` before a year, at least four year digits and no leading zero past four,
//! `24:00:00` refused, seconds below 60, a zone of `Z` or `±hh:mm` (hours up to 23). A zone is
//! tried wherever the value could end, so `2024-05:00` is the year 2024 at `-05:00`, not May.
//! Writing them is in `format.rs`.

use super::calendar::days_in_month;

/// Seconds in a day.
pub(super) const SECS_PER_DAY: i64 = 86_400;

/// Which XML Schema date/time type a value has. The discriminants are libexslt's bit sets
/// (time 1, day 2, month 4, year 8): a kind is "more specific" than another when it is greater,
/// and truncating keeps the parts both have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    /// `hh:mm:ss`.
    Time = 1,
    /// `---DD`.
    GDay = 2,
    /// `--MM--`.
    GMonth = 4,
    /// `--MM-DD`.
    GMonthDay = 6,
    /// `CCYY`.
    GYear = 8,
    /// `CCYY-MM`.
    GYearMonth = 12,
    /// `CCYY-MM-DD`.
    Date = 14,
    /// `CCYY-MM-DDThh:mm:ss`.
    DateTime = 15,
}

impl Kind {
    /// Whether this kind has every part of `part` (`Kind::Time`, `GDay`, `GMonth` or `GYear`).
    pub(super) fn has(self, part: Kind) -> bool {
        (self as u8) & (part as u8) == part as u8
    }

    /// Whether it is a right-truncated date, `xs:gYear` to `xs:dateTime`: what `date:add`,
    /// `date:difference` and `date:seconds` take.
    pub(super) fn is_right_truncated(self) -> bool {
        self >= Kind::GYear
    }
}

/// A date, a time or both, as libexslt holds it. Parts the kind lacks keep their defaults
/// (month and day 1, everything else 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct DateVal {
    /// What was written.
    pub kind: Kind,
    /// The year, numbered astronomically: 0 is 1 BCE (written `-0001`), -1 is 2 BCE.
    pub year: i64,
    /// 1 to 12.
    pub mon: u32,
    /// 1 to 31.
    pub day: u32,
    /// 0 to 23.
    pub hour: u32,
    /// 0 to 59.
    pub min: u32,
    /// 0 to below 60, with a fraction.
    pub sec: f64,
    /// Whether the zone was written `Z`. As in libexslt, `+00:00` and `-00:00` leave it unset, and
    /// a value whose offset is 0 and flag unset is written without a zone (except `xs:dateTime`,
    /// always written with one).
    pub tz_flag: bool,
    /// The zone offset in minutes.
    pub tzo: i32,
}

impl DateVal {
    /// A value of kind `kind` at 1 January of year 0, midnight, without a zone.
    pub(super) fn new(kind: Kind) -> DateVal {
        DateVal {
            kind,
            year: 0,
            mon: 1,
            day: 1,
            hour: 0,
            min: 0,
            sec: 0.0,
            tz_flag: false,
            tzo: 0,
        }
    }

    /// libexslt's `VALID_DATE`: a month, and a day that month has.
    pub(super) fn valid_date(&self) -> bool {
        (1..=12).contains(&self.mon) && i64::from(self.day) <= days_in_month(self.year, self.mon)
    }

    /// libexslt's `VALID_TIME`: the time of day and the zone in range.
    pub(super) fn valid_time(&self) -> bool {
        self.hour <= 23
            && self.min <= 59
            && (0.0..60.0).contains(&self.sec)
            && self.tzo > -1440
            && self.tzo < 1440
    }
}

/// A duration as libexslt holds it: months (years included), days, and seconds in [0, 86400).
/// A negative duration has negative months and days, and its seconds count up from the day
/// below: `-PT1S` is -1 day and 86399 seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Duration {
    /// Months, years included.
    pub mon: i64,
    /// Days, hours to seconds carried in.
    pub day: i64,
    /// Seconds into the day, in [0, 86400).
    pub sec: f64,
}

/// A position in the string being parsed; past the end reads as NUL, as in C.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// The byte `k` places ahead, NUL past the end.
    fn at(&self, k: usize) -> u8 {
        self.s.get(self.i + k).copied().unwrap_or(0)
    }

    /// Whether the string is used up (an embedded NUL ends it too, as in C).
    fn at_end(&self) -> bool {
        self.at(0) == 0
    }

    /// Skips `c` if it comes next.
    fn eat(&mut self, c: u8) -> bool {
        if self.at(0) == c {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Exactly two digits whose value `valid` accepts.
    fn two_digits(&mut self, valid: impl Fn(u32) -> bool) -> Option<u32> {
        let (a, b) = (self.at(0), self.at(1));
        if !a.is_ascii_digit() || !b.is_ascii_digit() {
            return None;
        }
        let v = u32::from(a - b'0') * 10 + u32::from(b - b'0');
        self.i += 2;
        valid(v).then_some(v)
    }

    /// Digits after a decimal point, added to `num` one by one as libexslt does (each digit
    /// times a power of ten made by repeated division), so that the same double comes out.
    fn fraction_into(&mut self, num: &mut f64) {
        let mut mult = 1.0;
        while self.at(0).is_ascii_digit() {
            mult /= 10.0;
            *num += f64::from(self.at(0) - b'0') * mult;
            self.i += 1;
        }
    }
}

/// `hh:mm:ss(.s+)?` into `dt`; false (with `dt` partly filled) if it is not one.
fn parse_time(c: &mut Cursor, dt: &mut DateVal) -> bool {
    let Some(hour) = c.two_digits(|h| h <= 23) else {
        return false;
    };
    if !c.eat(b':') {
        return false;
    }
    dt.hour = hour;
    let Some(min) = c.two_digits(|m| m <= 59) else {
        return false;
    };
    dt.min = min;
    if !c.eat(b':') {
        return false;
    }
    let Some(sec) = c.two_digits(|_| true) else {
        return false;
    };
    dt.sec = f64::from(sec);
    if c.eat(b'.') {
        if !c.at(0).is_ascii_digit() {
            return false;
        }
        c.fraction_into(&mut dt.sec);
    }
    dt.valid_time()
}

/// A zone (`Z`, `±hh:mm`, or nothing at the end of the string) into `dt`. The cursor moves
/// only when it succeeds.
fn parse_zone(c: &mut Cursor, dt: &mut DateVal) -> bool {
    let mut k = *c;
    match k.at(0) {
        0 => {
            dt.tz_flag = false;
            dt.tzo = 0;
        }
        b'Z' => {
            dt.tz_flag = true;
            dt.tzo = 0;
            k.i += 1;
        }
        sign @ (b'+' | b'-') => {
            k.i += 1;
            let Some(h) = k.two_digits(|h| h <= 23) else {
                return false;
            };
            if !k.eat(b':') {
                return false;
            }
            let Some(m) = k.two_digits(|m| m <= 59) else {
                return false;
            };
            // At most 23:59, always within libexslt's (-1440, 1440).
            let offset = i32::try_from(h * 60 + m).unwrap_or(0);
            dt.tzo = if sign == b'-' { -offset } else { offset };
        }
        _ => return false,
    }
    *c = k;
    true
}

/// What trying a zone where a value may end gave.
enum Ending {
    /// No zone here: the value goes on.
    GoOn,
    /// A zone and the end: the value, or `None` if something follows the zone.
    Done(Option<DateVal>),
}

/// libexslt's `RETURN_TYPE_IF_VALID`: if a zone (or the end) comes next and parses, the value is
/// of kind `kind`, provided nothing follows.
fn try_end(c: &Cursor, dt: &DateVal, kind: Kind) -> Ending {
    if !matches!(c.at(0), 0 | b'Z' | b'+' | b'-') {
        return Ending::GoOn;
    }
    let mut k = *c;
    let mut v = *dt;
    if !parse_zone(&mut k, &mut v) {
        return Ending::GoOn;
    }
    if !k.at_end() {
        return Ending::Done(None);
    }
    v.kind = kind;
    Ending::Done(Some(v))
}

/// A value that must end here (with an optional zone).
fn end_as(c: &Cursor, dt: &DateVal, kind: Kind) -> Option<DateVal> {
    match try_end(c, dt, kind) {
        Ending::Done(v) => v,
        Ending::GoOn => None,
    }
}

/// A year of at least four digits (more only without a leading zero), optionally negative,
/// never 0; returned in astronomical numbering (`-0001` is 0).
fn parse_year(c: &mut Cursor) -> Option<i64> {
    let negative = c.eat(b'-');
    let first = c.at(0);
    let mut year: i64 = 0;
    let mut digits = 0;
    while c.at(0).is_ascii_digit() {
        if year >= i64::MAX / 10 {
            return None;
        }
        year = year * 10 + i64::from(c.at(0) - b'0');
        c.i += 1;
        digits += 1;
    }
    if digits < 4 || (digits > 4 && first == b'0') || year == 0 {
        return None;
    }
    Some(if negative { 1 - year } else { year })
}

/// Parses a date/time of any of the eight kinds; `None` for anything else.
pub(super) fn parse_date(s: &str) -> Option<DateVal> {
    let mut c = Cursor {
        s: s.as_bytes(),
        i: 0,
    };
    let mut dt = DateVal::new(Kind::DateTime);

    // Left-truncated: ---DD, --MM--, --MM-DD.
    if c.at(0) == b'-' && c.at(1) == b'-' {
        c.i += 2;
        if c.eat(b'-') {
            dt.day = c.two_digits(|d| (1..=31).contains(&d))?;
            return end_as(&c, &dt, Kind::GDay);
        }
        dt.mon = c.two_digits(|m| (1..=12).contains(&m))?;
        if !c.eat(b'-') {
            return None;
        }
        if c.eat(b'-') {
            return end_as(&c, &dt, Kind::GMonth);
        }
        dt.day = c.two_digits(|d| (1..=31).contains(&d))?;
        return end_as(&c, &dt, Kind::GMonthDay);
    }

    // A time of day, else a right-truncated date.
    if c.at(0).is_ascii_digit() {
        let mut k = c;
        let mut t = dt;
        if parse_time(&mut k, &mut t)
            && let Ending::Done(v) = try_end(&k, &t, Kind::Time)
        {
            return v;
        }
    }
    dt.year = parse_year(&mut c)?;
    if let Ending::Done(v) = try_end(&c, &dt, Kind::GYear) {
        return v;
    }
    if !c.eat(b'-') {
        return None;
    }
    dt.mon = c.two_digits(|m| (1..=12).contains(&m))?;
    if let Ending::Done(v) = try_end(&c, &dt, Kind::GYearMonth) {
        return v;
    }
    if !c.eat(b'-') {
        return None;
    }
    dt.day = c.two_digits(|d| (1..=31).contains(&d))?;
    if !dt.valid_date() {
        return None;
    }
    if let Ending::Done(v) = try_end(&c, &dt, Kind::Date) {
        return v;
    }
    if !c.eat(b'T') || !parse_time(&mut c, &mut dt) || !parse_zone(&mut c, &mut dt) {
        return None;
    }
    (c.at_end() && dt.valid_date() && dt.valid_time()).then_some(dt)
}

/// Parses an `xs:duration` as libexslt does: `-?P`, then `nY nM nD` and `T nH nM nS` in that
/// order, each optional but at least one, only seconds with a fraction (`PT.5S` and `PT0.S` pass),
/// numbers that fit a 64-bit integer. Hours, minutes and seconds are carried into days.
pub(super) fn parse_duration(s: &str) -> Option<Duration> {
    const DESIGNATORS: [u8; 6] = [b'Y', b'M', b'D', b'H', b'M', b'S'];
    let mut c = Cursor {
        s: s.as_bytes(),
        i: 0,
    };
    let negative = c.eat(b'-');
    if !c.eat(b'P') || c.at_end() {
        return None;
    }
    let mut d = Duration::default();
    let mut seq = 0;
    let mut secs: i64 = 0;
    let mut frac = 0.0;
    while !c.at_end() {
        if seq >= DESIGNATORS.len() {
            return None;
        }
        if c.eat(b'T') {
            if seq > 3 {
                return None;
            }
            seq = 3;
        } else if seq == 3 {
            return None;
        }
        let mut num: i64 = 0;
        let mut has_digits = false;
        while c.at(0).is_ascii_digit() {
            num = num
                .checked_mul(10)?
                .checked_add(i64::from(c.at(0) - b'0'))?;
            has_digits = true;
            c.i += 1;
        }
        let has_frac = c.eat(b'.');
        if has_frac {
            has_digits |= c.at(0).is_ascii_digit();
            c.fraction_into(&mut frac);
        }
        while c.at(0) != DESIGNATORS[seq] {
            seq += 1;
            if seq == 3 || seq == DESIGNATORS.len() {
                return None;
            }
        }
        c.i += 1;
        if !has_digits || (has_frac && seq != 5) {
            return None;
        }
        match seq {
            0 => d.mon = num.checked_mul(12)?,
            1 => d.mon = d.mon.checked_add(num)?,
            2 => d.day = num,
            _ => {
                let unit = [3600, 60, 1][seq - 3];
                let per_day = SECS_PER_DAY / unit;
                d.day = d.day.checked_add(num / per_day)?;
                secs += (num % per_day) * unit;
            }
        }
        seq += 1;
    }
    d.day = d.day.checked_add(secs / SECS_PER_DAY)?;
    d.sec = (secs % SECS_PER_DAY) as f64 + frac;
    if negative {
        d.mon = -d.mon;
        d.day = -d.day;
        if d.sec != 0.0 {
            d.sec = SECS_PER_DAY as f64 - d.sec;
            d.day -= 1;
        }
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<Kind> {
        parse_date(s).map(|d| d.kind)
    }

    #[test]
    fn kinds_of_every_form() {
        assert_eq!(kind("2024-02-29T10:11:12Z"), Some(Kind::DateTime));
        assert_eq!(kind("2024-02-29"), Some(Kind::Date));
        assert_eq!(kind("2024-02"), Some(Kind::GYearMonth));
        assert_eq!(kind("1999"), Some(Kind::GYear));
        assert_eq!(kind("10:11:12"), Some(Kind::Time));
        assert_eq!(kind("--02-29"), Some(Kind::GMonthDay));
        assert_eq!(kind("--02--"), Some(Kind::GMonth));
        assert_eq!(kind("---29"), Some(Kind::GDay));
        assert_eq!(kind("12345-12-31"), Some(Kind::Date));
    }

    #[test]
    fn refused_forms() {
        for s in [
            "",
            " 2024-02-29",
            "+2024-01-01",
            "024-01-01",
            "012345-01-01",
            "0000-01-01",
            "2024-13-01",
            "2023-02-29",
            "2024-02-29T24:00:00",
            "2024-02-29T10:11",
            "2024-02-29T10:11:12+0100",
            "2024-02-29T10:11:12+24:00",
            "2024-02-29z",
            "10:11:60",
            "10:11:12.",
            "1:02:03",
            "10:11:12Zx",
            "P1D",
            "nonsense",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn zones() {
        let d = parse_date("2024-02-29T23:59:59.75-05:00").expect("valid");
        assert_eq!((d.tzo, d.tz_flag, d.sec), (-300, false, 59.75));
        let z = parse_date("2024-02-29Z").expect("valid");
        assert_eq!((z.tzo, z.tz_flag), (0, true));
        let plus0 = parse_date("2024-02-29T10:11:12+00:00").expect("valid");
        assert!(!plus0.tz_flag);
        // A zone is tried first where a value may end: the year 2024 at -05:00.
        let y = parse_date("2024-05:00").expect("valid");
        assert_eq!((y.kind, y.tzo), (Kind::GYear, -300));
        assert_eq!(
            parse_date("2024-02-29T10:11:12+14:01").map(|d| d.tzo),
            Some(841)
        );
    }

    #[test]
    fn negative_years_are_astronomical() {
        assert_eq!(parse_date("-0001-01-01").map(|d| d.year), Some(0));
        assert_eq!(parse_date("-0044-03-15").map(|d| d.year), Some(-43));
    }

    fn dur(s: &str) -> Option<(i64, i64, f64)> {
        parse_duration(s).map(|d| (d.mon, d.day, d.sec))
    }

    #[test]
    fn durations_parse_and_normalise() {
        assert_eq!(dur("P1Y2M3DT4H5M6.5S"), Some((14, 3, 14706.5)));
        assert_eq!(dur("PT36H"), Some((0, 1, 43200.0)));
        assert_eq!(dur("PT9999999999S"), Some((0, 115_740, 63999.0)));
        assert_eq!(dur("-PT1S"), Some((0, -1, 86399.0)));
        assert_eq!(dur("-P1D"), Some((0, -1, 0.0)));
        assert_eq!(dur("PT.5S"), Some((0, 0, 0.5)));
        assert_eq!(dur("PT0.S"), Some((0, 0, 0.0)));
        assert_eq!(dur("P01D"), Some((0, 1, 0.0)));
        for bad in [
            "",
            "P",
            "PT",
            "P1DT",
            "p1d",
            " P1D",
            "P1W",
            "P1.5Y",
            "PT1.5M",
            "P1D1D",
            "P1M1Y",
            "PD",
            "P1H",
            "P99999999999999999999D",
            "2024-01-01",
        ] {
            assert_eq!(dur(bad), None, "{bad}");
        }
    }
}
