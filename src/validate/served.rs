//! `validate`'s header rules on the headers a server sent, in the order it sent them: the same
//! rule ids, messages and hints as on a web.config, placed at the index of the header in the
//! response instead of a position in a file.
//!
//! ```
//! use webxsl::validate::served::{Place, check};
//!
//! let sent = vec![("X-Frame-Options".to_string(), "ALLOWALL".to_string())];
//! let findings = check(&sent, true);
//! let xfo = findings.iter().find(|f| f.rule == "xfo-invalid").unwrap();
//! assert_eq!(xfo.place, Place::Value(0, 0));
//! assert!(findings.iter().any(|f| f.rule == "missing-header"));
//! ```

use super::rule_by_id;
use super::values::{self, Spot};
use crate::diag::Severity;

/// Where a finding on served headers points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// The response as a whole (a header it lacks, say).
    Response,
    /// Header `i` of the response (0-based, in the order sent).
    Header(usize),
    /// Byte `b` of the value of header `i`.
    Value(usize, usize),
}

impl Place {
    /// The index of the header the finding is about, if any.
    pub fn header(self) -> Option<usize> {
        match self {
            Place::Response => None,
            Place::Header(i) | Place::Value(i, _) => Some(i),
        }
    }
}

/// A finding on served headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServedFinding {
    /// Rule id.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Where.
    pub place: Place,
    /// What.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl ServedFinding {
    /// A finding of a rule of [`super::RULES`], with the rule's severity and hint.
    pub fn new(rule: &'static str, place: Place, message: String) -> ServedFinding {
        let r = rule_by_id(rule);
        ServedFinding {
            rule: r.id,
            severity: r.severity,
            place,
            message,
            hint: r.hint.to_owned(),
        }
    }
}

/// Runs the header rules on the headers of one response: each header's value rules in the
/// order sent, then Clear-Site-Data and the recommended headers it lacks. `https`: whether the
/// response came over HTTPS (Strict-Transport-Security is only expected there).
pub fn check(headers: &[(String, String)], https: bool) -> Vec<ServedFinding> {
    let mut out = Vec::new();
    for (i, (name, value)) in headers.iter().enumerate() {
        values::check_header(name, value, &mut |rule, spot, message| {
            let place = match spot {
                Spot::Header => Place::Header(i),
                Spot::Value(b) => Place::Value(i, b),
            };
            out.push(ServedFinding::new(rule, place, message));
        });
    }
    if let Some(i) = headers
        .iter()
        .position(|(n, _)| n.eq_ignore_ascii_case("Clear-Site-Data"))
    {
        out.push(ServedFinding::new(
            "clear-site-data-sitewide",
            Place::Header(i),
            values::clear_site_data(&headers[i].1),
        ));
    }
    let sent: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    for message in values::missing(&sent, https) {
        out.push(ServedFinding::new(
            "missing-header",
            Place::Response,
            message,
        ));
    }
    out
}
