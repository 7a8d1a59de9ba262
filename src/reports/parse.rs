//! Reading violation reports in every shape browsers and collectors produce, into [`Report`]s.
//!
//! | input | example |
//! | --- | --- |
//! | `application/csp-report` body (report-uri) | `{"csp-report": {"document-uri": …, "blocked-uri": …}}` |
//! | `application/reports+json` batch (report-to) | `[{"type": "csp-violation", "age": 10, "body": {"documentURL": …}}]` |
//! | a bare body, or `collect`'s normalised line | `{"document-uri": …, "effective-directive": …}` |
//! | JSON lines, JSON arrays, pretty-printed objects one after the other | |
//! | log lines: JSON after a prefix (time, level, logger) | `2026-11-30T10:15:02Z INFO csp {"csp-report": …}` |
//!
//! Field names are matched loosely (`document-uri`, `documentURL` and `document_url` are one),
//! so the older Chrome and Safari spellings read too. Reports of other types in a Reporting API
//! batch (`deprecation`, `intervention`...) are counted and skipped. A line that holds nothing
//! usable becomes a [`BadLine`] with its file and line: never an error for the whole run.

use serde_json::{Map, Value};

use super::{Report, time};
use crate::diag::LineIndex;

/// What one input gave.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// The reports, in input order.
    pub reports: Vec<Report>,
    /// Lines that held no report.
    pub bad: Vec<BadLine>,
    /// Reporting API reports of other types (`deprecation`, `intervention`, ...), skipped.
    pub other_types: usize,
}

impl Parsed {
    /// Adds another input's results.
    pub fn extend(&mut self, other: Parsed) {
        self.reports.extend(other.reports);
        self.bad.extend(other.bad);
        self.other_types += other.other_types;
    }
}

/// A line (or JSON value) that held no usable report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// The input, as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// Why.
    pub error: BadReport,
}

impl std::fmt::Display for BadLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.error)
    }
}

/// Why a line or a JSON value is not a report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadReport {
    /// The bytes are not UTF-8.
    #[error("not UTF-8 text")]
    NotUtf8,
    /// No `{` or `[` starts JSON on the line.
    #[error("no JSON on this line")]
    NoJson,
    /// JSON that does not parse; the column is where the parser stopped.
    #[error("malformed JSON at column {column}: {message}")]
    Json {
        /// 1-based column in the line.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// JSON that is not a CSP report.
    #[error("not a CSP violation report ({0})")]
    NotAReport(String),
    /// A report that names no directive.
    #[error("a report without effective-directive or violated-directive")]
    NoDirective,
}

/// Reads every report in a file's bytes.
pub fn parse_bytes(file: &str, bytes: &[u8]) -> Parsed {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_text(file, text),
        Err(_) => {
            // Line by line, so that only the lines with bad bytes are lost.
            let mut out = Parsed::default();
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                let n = i as u32 + 1;
                match std::str::from_utf8(line) {
                    Ok(l) => out.extend(parse_line(file, n, l)),
                    Err(_) => out.bad.push(BadLine {
                        file: file.to_owned(),
                        line: n,
                        error: BadReport::NotUtf8,
                    }),
                }
            }
            out
        }
    }
}

/// Reads every report in a text: first as a stream of JSON values (one document, JSON lines,
/// pretty-printed objects), and when that fails, line by line (log lines, broken lines).
pub fn parse_text(file: &str, text: &str) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(out) = parse_stream(file, text) {
        return out;
    }
    let mut out = Parsed::default();
    for (i, line) in text.split('\n').enumerate() {
        out.extend(parse_line(file, i as u32 + 1, line));
    }
    out
}

/// The text as a sequence of JSON values, or `None` if any part is not JSON.
fn parse_stream(file: &str, text: &str) -> Option<Parsed> {
    let mut out = Parsed::default();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    // Lines found by an index of the text, not counted from its start for each value (which
    // made a day of reports quadratic).
    let lines = LineIndex::new(text);
    loop {
        // The value starts at the first non-blank byte after the previous one.
        let before = stream.byte_offset();
        let start = before + (text[before..].len() - text[before..].trim_start().len());
        match stream.next() {
            None => return Some(out),
            Some(Err(_)) => return None,
            Some(Ok(v)) => {
                let line = lines.pos(text, start).line;
                collect_value(file, line, v, None, &mut out);
            }
        }
    }
}

/// How many places on a log line are tried as the start of its JSON.
const MAX_STARTS: usize = 16;

/// One line: blank, JSON, or JSON after a prefix.
fn parse_line(file: &str, line: u32, text: &str) -> Parsed {
    let mut out = Parsed::default();
    let text = text.trim_end_matches('\r');
    if text.trim().is_empty() {
        return out;
    }
    let bad = |error| BadLine {
        file: file.to_owned(),
        line,
        error,
    };
    // Every `{`, and every `[` that opens an array of objects, may start the JSON; a log
    // prefix may hold brackets of its own (`[INFO]`, `[30/Nov/2026:...]`).
    let mut first_error = None;
    // A bounded number of tries: a long broken line full of braces stays linear.
    let starts = text.char_indices().filter(|&(at, c)| {
        c == '{' || (c == '[' && text[at + 1..].trim_start().starts_with(['{', ']']))
    });
    for (at, _) in starts.take(MAX_STARTS) {
        let mut stream = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let prefix = &text[..at];
                let when = time::find_in_prefix(prefix).map(time::format_rfc3339);
                collect_value(file, line, v, when, &mut out);
                return out;
            }
            Some(Err(e)) => {
                first_error.get_or_insert(BadReport::Json {
                    column: text[..at].chars().count() + e.column(),
                    message: strip_position(&e.to_string()),
                });
            }
            None => {}
        }
    }
    out.bad.push(bad(first_error.unwrap_or(BadReport::NoJson)));
    out
}

/// serde_json's message without its own ` at line 1 column 7`.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The reports in one JSON value found at `line`; `when`: the time a log prefix gave.
fn collect_value(file: &str, line: u32, v: Value, when: Option<String>, out: &mut Parsed) {
    let mut bad = |error| {
        out.bad.push(BadLine {
            file: file.to_owned(),
            line,
            error,
        })
    };
    let mut found = Vec::new();
    match reports_in(v, &mut found) {
        Ok(other) => out.other_types += other,
        Err(e) => {
            bad(e);
            return;
        }
    }
    for r in found {
        match r {
            Ok(mut r) => {
                if r.received.is_none() {
                    r.received.clone_from(&when);
                }
                out.reports.push(r);
            }
            Err(e) => bad(e),
        }
    }
}

/// The reports in a JSON value (a report, a batch, an array of either): pushes each report
/// or its error; returns the number of reports of other types skipped, or an error when the
/// value is not a report of any shape.
pub fn reports_in(v: Value, out: &mut Vec<Result<Report, BadReport>>) -> Result<usize, BadReport> {
    match v {
        Value::Array(items) => {
            let mut other = 0;
            for item in items {
                match item {
                    Value::Object(o) => match report_of(o) {
                        Shape::Report(r) => out.push(*r),
                        Shape::OtherType => other += 1,
                        Shape::Unknown(why) => out.push(Err(BadReport::NotAReport(why))),
                    },
                    other => out.push(Err(BadReport::NotAReport(format!(
                        "an array item is {}",
                        kind(&other)
                    )))),
                }
            }
            Ok(other)
        }
        Value::Object(o) => match report_of(o) {
            Shape::Report(r) => {
                out.push(*r);
                Ok(0)
            }
            Shape::OtherType => Ok(1),
            Shape::Unknown(why) => Err(BadReport::NotAReport(why)),
        },
        other => Err(BadReport::NotAReport(format!(
            "{} is not an object",
            kind(&other)
        ))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What a JSON object is.
enum Shape {
    Report(Box<Result<Report, BadReport>>),
    /// A Reporting API report of another type.
    OtherType,
    Unknown(String),
}

/// Field names compared loosely: `documentURL`, `document-url`, `document_uri` are one.
fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect::<String>()
        .replace("url", "uri")
}

fn report_of(mut o: Map<String, Value>) -> Shape {
    if let Some(body) = o.remove("csp-report") {
        let Value::Object(body) = body else {
            return Shape::Unknown("csp-report is not an object".into());
        };
        return Shape::Report(Box::new(from_body(&body, Some("csp-report"))));
    }
    if let Some(t) = o.get("type") {
        if t.as_str() != Some("csp-violation") {
            return match t {
                Value::String(_) if o.contains_key("body") => Shape::OtherType,
                _ => Shape::Unknown("\"type\" is not a Reporting API report type".into()),
            };
        }
        let Some(Value::Object(body)) = o.get("body") else {
            return Shape::Unknown("a csp-violation report without a body".into());
        };
        let mut r = from_body(body, Some("reports+json"));
        if let Ok(r) = &mut r {
            r.age = o.get("age").and_then(Value::as_u64).or(r.age);
            if r.user_agent.is_none() {
                r.user_agent = string(o.get("user_agent"));
            }
            if r.document_uri.is_empty() {
                r.document_uri = string(o.get("url")).unwrap_or_default();
            }
        }
        return Shape::Report(Box::new(r));
    }
    let keys: Vec<String> = o.keys().map(|k| norm(k)).collect();
    let looks_like_body = keys
        .iter()
        .any(|k| k == "effectivedirective" || k == "violateddirective" || k == "blockeduri");
    if looks_like_body {
        return Shape::Report(Box::new(from_body(&o, None)));
    }
    Shape::Unknown("no csp-report, csp-violation body or directive".into())
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A report from the fields of a body (either spelling), or a normalised line.
fn from_body(body: &Map<String, Value>, format: Option<&str>) -> Result<Report, BadReport> {
    let mut r = Report {
        format: format.map(str::to_owned),
        ..Report::default()
    };
    for (k, v) in body {
        let s = || string(Some(v));
        let n = || {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        };
        match norm(k).as_str() {
            "received" => r.received = s(),
            "age" => r.age = n(),
            "format" => r.format = s().or(r.format.take()),
            "documenturi" => r.document_uri = s().unwrap_or_default(),
            "referrer" => r.referrer = s().filter(|s| !s.is_empty()),
            "blockeduri" => r.blocked_uri = s().unwrap_or_default(),
            "effectivedirective" => r.effective_directive = s().unwrap_or_default(),
            "violateddirective" => r.violated_directive = s(),
            "originalpolicy" => r.original_policy = s(),
            "disposition" => r.disposition = s().map(|d| d.to_ascii_lowercase()),
            "statuscode" => r.status_code = n().and_then(|n| u16::try_from(n).ok()),
            "sourcefile" => r.source_file = s().filter(|s| !s.is_empty()),
            "linenumber" | "lineno" => r.line_number = n().and_then(|n| u32::try_from(n).ok()),
            "columnnumber" | "colno" => r.column_number = n().and_then(|n| u32::try_from(n).ok()),
            "scriptsample" | "sample" => r.script_sample = s().filter(|s| !s.is_empty()),
            "useragent" => r.user_agent = s(),
            _ => {}
        }
    }
    // Older browsers (Safari before 15.4, Firefox before 69) send only violated-directive, and
    // some send the whole directive there ("script-src 'self'").
    let directive = if r.effective_directive.trim().is_empty() {
        r.violated_directive.as_deref().unwrap_or("")
    } else {
        &r.effective_directive
    };
    let directive = directive
        .split_ascii_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if directive.is_empty() {
        return Err(BadReport::NoDirective);
    }
    r.effective_directive = directive;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Report {
        let p = parse_text("t", text);
        assert!(p.bad.is_empty(), "{:?}", p.bad);
        assert_eq!(p.reports.len(), 1, "{p:?}");
        p.reports.into_iter().next().unwrap()
    }

    #[test]
    fn csp_report_bodies() {
        let r = one(
            r#"{"csp-report":{"document-uri":"https://a.example/p","referrer":"","violated-directive":"img-src","effective-directive":"img-src","original-policy":"default-src 'self'","disposition":"enforce","blocked-uri":"https://img.example/x.png","line-number":3,"column-number":"14","source-file":"https://a.example/app.js","status-code":200,"script-sample":""}}"#,
        );
        assert_eq!(r.document_uri, "https://a.example/p");
        assert_eq!(r.blocked_uri, "https://img.example/x.png");
        assert_eq!(r.effective_directive, "img-src");
        assert_eq!(r.format.as_deref(), Some("csp-report"));
        assert_eq!((r.line_number, r.column_number), (Some(3), Some(14)));
        assert_eq!(r.referrer, None);
        assert_eq!(r.script_sample, None);
        assert!(!r.is_report_only());
    }

    /// In a stream of JSON values, each value that is not a report is reported at the line it
    /// starts on (counted on from value to value).
    #[test]
    fn values_of_a_stream_are_placed_on_their_lines() {
        let good = r#"{"csp-report":{"document-uri":"https://a.example/","effective-directive":"img-src","blocked-uri":"https://i.example/"}}"#;
        let text =
            format!("{good}\n\n\n{{\"x\": 1}}\n{good} {good}\n\n   {{\"y\":\n2}} {{\"z\": 3}}\n");
        let p = parse_text("t", &text);
        assert_eq!(p.reports.len(), 3);
        let lines: Vec<u32> = p.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [4, 7, 8]);
    }

    #[test]
    fn old_browsers_send_only_the_violated_directive() {
        let r = one(
            r#"{"csp-report":{"document-uri":"https://a.example/","violated-directive":"script-src 'self' https://x.example","blocked-uri":""}}"#,
        );
        assert_eq!(r.effective_directive, "script-src");
    }

    #[test]
    fn reporting_api_batches() {
        let p = parse_text(
            "t",
            r#"[{"type":"csp-violation","age":12,"url":"https://a.example/","user_agent":"UA","body":{"documentURL":"https://a.example/","blockedURL":"inline","effectiveDirective":"script-src-elem","disposition":"report","sample":"alert(1)","lineNumber":9}},
               {"type":"deprecation","age":1,"url":"https://a.example/","body":{"id":"x"}},
               {"type":"csp-violation","body":{"documentURL":"https://a.example/b","blockedURL":"eval","effectiveDirective":"script-src"}}]"#,
        );
        assert!(p.bad.is_empty(), "{:?}", p.bad);
        assert_eq!(p.other_types, 1);
        assert_eq!(p.reports.len(), 2);
        let r = &p.reports[0];
        assert_eq!(r.format.as_deref(), Some("reports+json"));
        assert_eq!((r.age, r.user_agent.as_deref()), (Some(12), Some("UA")));
        assert_eq!(r.script_sample.as_deref(), Some("alert(1)"));
        assert!(r.is_report_only());
        assert_eq!(p.reports[1].blocked_uri, "eval");
    }

    #[test]
    fn json_lines_arrays_and_pretty_objects_keep_their_line() {
        let text = "{\"csp-report\":{\"document-uri\":\"https://a.example/\",\"effective-directive\":\"img-src\",\"blocked-uri\":\"data\"}}\n\n{\n  \"csp-report\": {\n    \"document-uri\": \"https://a.example/\",\n    \"effective-directive\": \"font-src\",\n    \"blocked-uri\": \"https://f.example/a.woff2\"\n  }\n}\n[1]\n";
        let p = parse_text("t", text);
        assert_eq!(p.reports.len(), 2);
        assert_eq!(p.reports[1].effective_directive, "font-src");
        assert_eq!(p.bad.len(), 1);
        assert_eq!(p.bad[0].line, 10);
        assert!(matches!(p.bad[0].error, BadReport::NotAReport(_)));
    }

    #[test]
    fn log_lines_with_prefixes_and_broken_lines() {
        let text = "2026-11-30T10:15:02.250Z INFO [csp] {\"csp-report\":{\"document-uri\":\"https://a.example/\",\"effective-directive\":\"img-src\",\"blocked-uri\":\"https://i.example/a.png\"}}\n\
            [INFO] [30/Nov/2026:11:15:03 +0100] {\"csp-report\":{\"document-uri\":\"https://a.example/\",\"violated-directive\":\"font-src\",\"blocked-uri\":\"https://f.example/\"}} 204\n\
            2026-11-30T10:15:04Z INFO {\"csp-report\":{\"document-uri\":\"https://a.example/\",\"effective-directive\"\n\
            2026-11-30T10:15:05Z INFO nothing to see\n\
            2026-11-30T10:15:06Z INFO {\"hello\": 1}\n\
            {\"csp-report\":{\"document-uri\":\"https://a.example/\",\"blocked-uri\":\"x\"}}\r\n";
        let p = parse_text("app.log", text);
        assert_eq!(p.reports.len(), 2, "{p:?}");
        assert_eq!(
            p.reports[0].received.as_deref(),
            Some("2026-11-30T10:15:02.250Z")
        );
        assert_eq!(
            p.reports[1].received.as_deref(),
            Some("2026-11-30T10:15:03.000Z")
        );
        assert_eq!(p.reports[1].effective_directive, "font-src");
        let lines: Vec<u32> = p.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(
            matches!(p.bad[0].error, BadReport::Json { column, .. } if column > 20),
            "{:?}",
            p.bad[0]
        );
        assert_eq!(p.bad[1].error, BadReport::NoJson);
        assert!(matches!(p.bad[2].error, BadReport::NotAReport(_)));
        assert_eq!(p.bad[3].error, BadReport::NoDirective);
        assert_eq!(
            p.bad[3].to_string(),
            "app.log:6: a report without effective-directive or violated-directive"
        );
    }

    #[test]
    fn invalid_utf8_loses_only_its_line() {
        let mut bytes = b"{\"csp-report\":{\"document-uri\":\"https://a.example/\",\"effective-directive\":\"img-src\",\"blocked-uri\":\"data\"}}\n".to_vec();
        bytes.extend_from_slice(b"\xff\xfe{}\n");
        let p = parse_bytes("t", &bytes);
        assert_eq!(p.reports.len(), 1);
        assert_eq!(p.bad.len(), 1);
        assert_eq!((p.bad[0].line, &p.bad[0].error), (2, &BadReport::NotUtf8));
    }

    #[test]
    fn normalised_lines_read_back_as_written() {
        let r = Report {
            received: Some("2026-11-30T10:15:02.000Z".into()),
            age: Some(5),
            format: Some("reports+json".into()),
            document_uri: "https://a.example/".into(),
            blocked_uri: "wasm-eval".into(),
            effective_directive: "script-src".into(),
            disposition: Some("report".into()),
            user_agent: Some("UA".into()),
            ..Report::default()
        };
        let line = serde_json::to_string(&r).unwrap();
        assert_eq!(one(&line), r);
    }
}
