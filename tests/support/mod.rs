//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use std::process::{Child, Command, ExitStatus, Output};
use std::time::{Duration, Instant};
use webxsl::diag::Severity;
use webxsl::xml::{Document, Limits, NodeId, NodeKind, Tree};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `samples/*/web.config`, sorted.
pub fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("web.config"))
        .filter(|p| p.exists())
        .collect();
    v.sort();
    v
}

/// `../shared` beside the repository (conformance suites, references). Tests that need it fail
/// loudly when it is missing: nothing is skipped silently.
pub fn shared() -> PathBuf {
    let p = root().join("..").join("shared");
    assert!(
        p.join("conformance").is_dir(),
        "../shared (conformance suites and references) must sit beside the repository: {}",
        p.display()
    );
    p
}

/// The path of `xsltproc`; panics with an install hint when it is missing (the differential
/// tests must not pass by skipping).
pub fn xsltproc() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("xsltproc"))
            .find(|p| p.is_file())
    });
    found.expect("xsltproc is required by the differential tests: apt-get install xsltproc")
}

/// Runs xsltproc; returns stdout, or panics with its stderr.
pub fn run_xsltproc(xsl: &Path, xml: &Path, extra: &[&str]) -> Vec<u8> {
    let out = Command::new(xsltproc())
        .args(extra)
        .arg(xsl)
        .arg(xml)
        .output()
        .expect("run xsltproc");
    assert!(
        out.status.success(),
        "xsltproc {} {} failed: {}",
        xsl.display(),
        xml.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The webxsl binary of this build, as a command.
pub fn webxsl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_webxsl"))
}

/// Runs the binary with arguments.
pub fn run(args: &[&str]) -> Output {
    webxsl().args(args).output().expect("run webxsl")
}

/// A run's standard output, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A run's standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `(line, column, severity)` of the positioned warnings and errors in a log of Microsoft's XDT
/// engine: lines like `transform.config (43, 4) warning: Unknown tag 'xct:Foo'`.
pub fn xdt_log_positions(log: &str) -> Vec<(u32, u32, Severity)> {
    log.trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| {
            let (_, rest) = l.split_once(" (")?;
            let (pos, rest) = rest.split_once(") ")?;
            let (line, col) = pos.split_once(", ")?;
            let severity = if rest.starts_with("warning:") {
                Severity::Warning
            } else if rest.starts_with("error:") {
                Severity::Error
            } else {
                return None;
            };
            Some((line.parse().ok()?, col.parse().ok()?, severity))
        })
        .collect()
}

/// Writes `text` to `dir/name` and returns the path as a string (for command lines).
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// A scratch directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("webxsl-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small deterministic PRNG (xorshift64*), so generated cases are reproducible from a seed.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `p` percent.
    pub fn chance(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

/// XML-escapes text for an attribute value in double quotes.
pub fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// Canonical form of an XML text: expanded names, attributes sorted, namespace declarations
/// and the prolog dropped; fragments (several roots, top-level text) are accepted. `None` when
/// the text is not XML.
pub fn canonical(text: &str) -> Option<String> {
    fn canon(t: &Tree, n: NodeId, out: &mut String) {
        for c in t.children(n) {
            match t.kind(c) {
                NodeKind::Element => {
                    let name = format!("{{{}}}{}", t.namespace_uri(c), t.local_name(c));
                    out.push('<');
                    out.push_str(&name);
                    let mut attrs: Vec<(String, String)> = t
                        .attributes(c)
                        .map(|a| {
                            (
                                format!("{{{}}}{}", t.namespace_uri(a), t.local_name(a)),
                                t.value(a).to_owned(),
                            )
                        })
                        .collect();
                    attrs.sort();
                    for (k, v) in attrs {
                        out.push_str(&format!(" {k}=\"{}\"", esc(&v)));
                    }
                    out.push('>');
                    canon(t, c, out);
                    out.push_str(&format!("</{name}>"));
                }
                NodeKind::Text => out.push_str(&esc(t.value(c))),
                NodeKind::Comment => out.push_str(&format!("<!--{}-->", t.value(c))),
                NodeKind::ProcessingInstruction => {
                    out.push_str(&format!("<?{} {}?>", t.local_name(c), t.value(c)))
                }
                _ => {}
            }
        }
    }
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\r', "&#13;")
    }
    // Outputs may be fragments (several roots, top-level text): wrap them after the prolog.
    let mut body = text;
    if body.starts_with("<?xml") {
        body = body.split_once("?>").map_or(body, |(_, r)| r);
    }
    let trimmed = body.trim_start();
    let (doctype, rest) = if trimmed.starts_with("<!DOCTYPE") {
        match trimmed.find('>') {
            Some(i) if !trimmed[..i].contains('[') => (&trimmed[..i + 1], &trimmed[i + 1..]),
            _ => ("", trimmed),
        }
    } else {
        ("", body)
    };
    let _ = doctype;
    let wrapped = format!("<canonical-wrapper>{rest}</canonical-wrapper>");
    let doc = Document::parse_str(&wrapped, &Limits::with_dtd()).ok()?;
    let t = doc.tree();
    let mut out = String::new();
    canon(t, t.root_element()?, &mut out);
    // Top-level whitespace between nodes is not significant.
    Some(out.trim().to_owned())
}

/// Like [`canonical`], but white space between elements is dropped and text is trimmed: the
/// equality `webxsl apply` promises (formatting aside, the same content as the stylesheet's own
/// output).
pub fn canonical_content(bytes: &[u8]) -> Option<String> {
    fn canon(t: &Tree, n: NodeId, out: &mut String) {
        for c in t.children(n) {
            match t.kind(c) {
                NodeKind::Element => {
                    let name = format!("{{{}}}{}", t.namespace_uri(c), t.local_name(c));
                    let mut attrs: Vec<(String, String)> = t
                        .attributes(c)
                        .map(|a| {
                            (
                                format!("{{{}}}{}", t.namespace_uri(a), t.local_name(a)),
                                t.value(a).to_owned(),
                            )
                        })
                        .collect();
                    attrs.sort();
                    out.push_str(&format!("<{name}"));
                    for (k, v) in attrs {
                        out.push_str(&format!(" {k}={v:?}"));
                    }
                    out.push('>');
                    canon(t, c, out);
                    out.push_str(&format!("</{name}>"));
                }
                NodeKind::Text => {
                    let v = t.value(c).trim();
                    if !v.is_empty() {
                        out.push_str(&format!("{v:?}"));
                    }
                }
                NodeKind::Comment => out.push_str(&format!("<!--{}-->", t.value(c))),
                NodeKind::ProcessingInstruction => {
                    out.push_str(&format!("<?{} {}?>", t.local_name(c), t.value(c)))
                }
                _ => {}
            }
        }
    }
    let doc = Document::parse(bytes, &Limits::default()).ok()?;
    let mut out = String::new();
    canon(doc.tree(), NodeId::ROOT, &mut out);
    Some(out)
}

/// libxml2's `xmlXPathFormatNumber`, emulated exactly: how xsltproc writes a number (15
/// significant digits, exponents outside [1e-5, 1e9]), for comparing webxsl's shortest
/// round-trip numbers with xsltproc's output.
pub fn libxml2_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if x == 0.0 {
        return "0".into();
    }
    if x > f64::from(i32::MIN) && x < f64::from(i32::MAX) && x == x.trunc() {
        return format!("{}", x as i32);
    }
    let abs = x.abs();
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s.to_owned()
        }
    };
    if !(1e-5..=1e9).contains(&abs) {
        let s = format!("{x:.14e}");
        let (mant, exp) = s.split_once('e').expect("exponent format");
        let exp: i32 = exp.parse().expect("exponent");
        format!(
            "{}e{}{:02}",
            trim(mant),
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    } else {
        let integer_place = abs.log10() as i32;
        let fraction = if integer_place > 0 {
            15 - integer_place - 1
        } else {
            15 - integer_place
        };
        trim(&format!("{x:.*}", fraction as usize))
    }
}

/// The official SARIF 2.1.0 schema, as shipped by the serde-sarif crate (a dev-dependency),
/// found through `cargo metadata` (offline, for this machine's platform only).
pub fn sarif_schema() -> serde_json::Value {
    let rustc = Command::new("rustc").arg("-vV").output().unwrap();
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc -vV prints the host");
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .expect("serde-sarif in cargo metadata")["manifest_path"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = Path::new(&manifest)
        .parent()
        .unwrap()
        .join("src/schema.json");
    let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    schema
}

/// A validator for SARIF 2.1.0 logs: the official schema, as serde-sarif ships it.
pub fn sarif_validator() -> jsonschema::Validator {
    let mut schema = sarif_schema();
    // The published schema's `language` patterns have a stray `]`
    // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which the validator's regex engine refuses;
    // use the intended pattern (webxsl never writes `language`).
    fn fix_language(v: &mut serde_json::Value) -> usize {
        match v {
            serde_json::Value::Object(m) => {
                let mut n = 0;
                if let Some(p) = m.get_mut("pattern")
                    && p == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"
                {
                    *p = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                    n += 1;
                }
                n + m.values_mut().map(fix_language).sum::<usize>()
            }
            serde_json::Value::Array(a) => a.iter_mut().map(fix_language).sum(),
            _ => 0,
        }
    }
    assert!(fix_language(&mut schema) > 0);
    jsonschema::validator_for(&schema).unwrap()
}

/// The headers of a clean site: every recommended header with a good value; validate and probe
/// find nothing in them, and they grade A+.
pub const CLEAN_HEADERS: &[(&str, &str)] = &[
    (
        "Strict-Transport-Security",
        "max-age=63072000; includeSubDomains",
    ),
    (
        "Content-Security-Policy",
        "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), geolocation=()"),
];

/// Waits for a child process at most `limit`; past it the child is killed and reaped, and
/// `None` says so (the caller panics with what it knows).
pub fn wait_bounded(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
