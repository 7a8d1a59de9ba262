//! `webxsl probe`: what a deployed site really sends, checked like a web.config.
//!
//! A web.config is not what browsers receive: IIS's server level, a reverse proxy, a CDN or the
//! application add, drop or duplicate headers. The probe fetches each URL and checks the
//! response:
//!
//! ```text
//! URL ──fetch (http.rs: TcpStream + rustls + httparse, every header as sent)──▶ chain of
//!     responses, redirects followed (cookies kept, loops detected)              url.rs, cookies.rs
//! http://host/ (or --http-url) ──fetch──▶ the http:// chain (none if nothing answers)
//!                      │
//!                      ▼  Observed { chain, http }
//! validate's header rules on the final response (validate::served)
//! + response rules: duplicates, leaks, cookies, HSTS over HTTP, redirects       rules.rs
//! + drift against a web.config or a profile (served-drift)                      drift.rs
//! + the Observatory's grade with its redirection and cookies tests              grade.rs
//!                      ▼
//!                   Target ──▶ human, JSON, SARIF (report.rs)
//! ```
//!
//! Several URLs are probed at once ([`probe_all`], a few threads); each one's failure (DNS,
//! connect, TLS, timeout, an invalid or too large response, a redirect loop) is a
//! [`ProbeError`] naming the cause and the URL.
//!
//! ```no_run
//! use webxsl::probe::{ProbeOptions, probe};
//!
//! let opts = ProbeOptions::new(Vec::new()).unwrap();
//! let target = probe("https://www.example.com/", &opts)?;
//! println!("{} {:?}", target.status(), target.grade.map(|g| g.letter));
//! for f in &target.findings {
//!     println!("{}[{}]: {}", f.severity.as_str(), f.rule, f.message);
//! }
//! # Ok::<(), webxsl::probe::ProbeError>(())
//! ```

pub mod cookies;
pub mod drift;
pub mod error;
pub mod grade;
pub mod http;
pub mod report;
pub mod rules;
pub mod url;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use error::ProbeError;
pub use http::{Client, Response};
pub use url::Url;

use crate::diag::Severity;
use crate::validate::grade::Grade;
use crate::validate::served::{self, ServedFinding};
use cookies::Jar;

/// A finding on a probed URL: a rule of `validate` or of [`rules::RULES`], placed at a
/// header of the final response or at the response as a whole.
pub type Finding = ServedFinding;

/// How to probe.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// The HTTP client: timeouts, limits, trust.
    pub client: Client,
    /// Redirects followed at most (each chain).
    pub max_redirects: usize,
    /// Request headers added to every request (`--header`).
    pub headers: Vec<(String, String)>,
    /// Where to check that plain HTTP redirects to HTTPS (default: `http://` and port 80 of
    /// the URL's host; not checked for an `http://` URL, whose own chain tells).
    pub http_url: Option<Url>,
    /// Drift: what a config or profile means to send.
    pub expected: Option<drift::Expected>,
    /// URLs probed at once at most.
    pub jobs: usize,
}

impl ProbeOptions {
    /// Defaults (10 s timeout, 10 redirects, 64 KiB of headers, 1 MiB of body read, 4 URLs at
    /// once), trusting the webpki-roots store and `extra_roots`.
    pub fn new(
        extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    ) -> Result<ProbeOptions, String> {
        Ok(ProbeOptions {
            client: Client::new(extra_roots)?,
            max_redirects: 10,
            headers: Vec::new(),
            http_url: None,
            expected: None,
            jobs: 4,
        })
    }
}

/// What a probe saw.
#[derive(Clone, Debug)]
pub struct Observed {
    /// Every response from the URL given to the final one, redirects in between.
    pub chain: Vec<Response>,
    /// The http:// check's chain (for an `http://` URL, the chain itself); `None` when nothing
    /// answered on http://.
    pub http: Option<Vec<Response>>,
    /// Why the http:// check got no answer.
    pub http_error: Option<ProbeError>,
}

impl Observed {
    /// The final response.
    pub fn last(&self) -> &Response {
        self.chain
            .last()
            .expect("a chain has at least one response")
    }
}

/// The result of probing one URL.
#[derive(Clone, Debug)]
pub struct Target {
    /// The URL, as given.
    pub url: String,
    /// What was fetched.
    pub observed: Observed,
    /// The findings: those about the response as a whole first, then by header.
    pub findings: Vec<Finding>,
    /// The Observatory's grade; `None` when the final status is one it does not grade (it
    /// grades 2xx, 3xx, 401 and 403).
    pub grade: Option<Grade>,
}

impl Target {
    /// The final URL.
    pub fn final_url(&self) -> String {
        self.observed.last().url.to_string()
    }

    /// The final status.
    pub fn status(&self) -> u16 {
        self.observed.last().status
    }

    /// The final response's headers, as sent.
    pub fn headers(&self) -> &[(String, String)] {
        &self.observed.last().headers
    }

    /// The redirects: URL and status of every response before the final one.
    pub fn redirects(&self) -> Vec<(String, u16)> {
        let c = &self.observed.chain;
        c[..c.len() - 1]
            .iter()
            .map(|r| (r.url.to_string(), r.status))
            .collect()
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Fetches `start` and follows its redirects (301, 302, 303, 307, 308 with a Location),
/// sending back the cookies received on the way. A URL requested twice with the same cookies
/// is a loop.
pub fn follow(start: &Url, opts: &ProbeOptions) -> Result<Vec<Response>, ProbeError> {
    let mut chain: Vec<Response> = Vec::new();
    let mut jar = Jar::default();
    let mut seen: Vec<(Url, Option<String>)> = Vec::new();
    let mut url = start.clone();
    let user_cookie = opts
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("cookie"));
    let route = |chain: &[Response], next: &Url| {
        let mut v: Vec<String> = chain.iter().map(|r| r.url.to_string()).collect();
        v.push(next.to_string());
        v.join(" -> ")
    };
    loop {
        let cookie = if user_cookie {
            None
        } else {
            jar.header_for(&url)
        };
        let key = (url.clone(), cookie.clone());
        if seen.contains(&key) {
            return Err(ProbeError::RedirectLoop {
                url: start.to_string(),
                chain: route(&chain, &url),
            });
        }
        seen.push(key);
        let mut headers = opts.headers.clone();
        if let Some(c) = cookie {
            headers.push(("Cookie".into(), c));
        }
        let r = opts.client.get(&url, &headers)?;
        for v in r.values("set-cookie") {
            jar.set(v, &url);
        }
        let location = matches!(r.status, 301 | 302 | 303 | 307 | 308)
            .then(|| r.values("location").next().map(str::to_owned))
            .flatten();
        chain.push(r);
        let Some(location) = location else {
            return Ok(chain);
        };
        let next = url.join(&location).map_err(|reason| ProbeError::Url {
            url: location.clone(),
            reason: format!("{reason} (Location of {url})"),
        })?;
        if chain.len() > opts.max_redirects {
            return Err(ProbeError::TooManyRedirects {
                url: start.to_string(),
                max: opts.max_redirects,
                chain: route(&chain, &next),
            });
        }
        url = next;
    }
}

/// Probes one URL: fetch, the http:// check, rules, drift, grade.
pub fn probe(url: &str, opts: &ProbeOptions) -> Result<Target, ProbeError> {
    let start = Url::parse(url).map_err(|reason| ProbeError::Url {
        url: url.to_owned(),
        reason,
    })?;
    let chain = follow(&start, opts)?;
    let (http, http_error) = if !start.is_https() {
        (Some(chain.clone()), None)
    } else {
        let http_url = opts
            .http_url
            .clone()
            .unwrap_or_else(|| start.with_scheme(url::Scheme::Http));
        match follow(&http_url, opts) {
            Ok(c) => (Some(c), None),
            // As the Observatory does, a certificate error on the way is retried without
            // verification (and counted: the chain is not verified).
            Err(ProbeError::Tls { .. }) if !opts.client.insecure => {
                let mut lax = opts.clone();
                lax.client.insecure = true;
                match follow(&http_url, &lax) {
                    Ok(c) => (Some(c), None),
                    Err(e) => (None, Some(e)),
                }
            }
            Err(e) => (None, Some(e)),
        }
    };
    let observed = Observed {
        chain,
        http,
        http_error,
    };
    Ok(check(url, observed, opts))
}

/// The findings and grade of what was observed.
pub fn check(url: &str, observed: Observed, opts: &ProbeOptions) -> Target {
    let last = observed.last();
    let mut findings = served::check(&last.headers, last.url.is_https());
    rules::duplicates(last, &mut findings);
    rules::leaks(last, &mut findings);
    rules::cookies(&observed, &mut findings);
    rules::hsts_over_http(&observed, &mut findings);
    rules::redirects(&observed, &mut findings);
    if let Some(want) = &opts.expected {
        drift::check(want, last, &mut findings);
    }
    findings.sort_by_key(|f| f.place.header().map_or(0, |i| i + 1));
    let graded = matches!(last.status, 200..=399 | 401 | 403);
    let grade = graded.then(|| grade::grade(&grade::Recorded::from(&observed)));
    Target {
        url: url.to_owned(),
        observed,
        findings,
        grade,
    }
}

/// One URL probed, or why it could not be.
#[derive(Clone, Debug)]
pub struct Probed {
    /// The URL, as given.
    pub url: String,
    /// What came of it.
    pub result: Result<Target, ProbeError>,
}

/// Probes every URL, `opts.jobs` at a time; the results in the order of `urls`.
pub fn probe_all(urls: &[String], opts: &ProbeOptions) -> Vec<Probed> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Target, ProbeError>>>> =
        Mutex::new((0..urls.len()).map(|_| None).collect());
    let workers = opts.jobs.clamp(1, urls.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(url) = urls.get(i) else { break };
                    let r = probe(url, opts);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .zip(urls)
        .map(|(r, url)| Probed {
            url: url.clone(),
            result: r.expect("every URL was probed"),
        })
        .collect()
}
