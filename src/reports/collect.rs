//! A small report collector: an HTTP/1.1 server (hyper) that takes the POSTs browsers send for
//! `report-uri` and `report-to` and appends one normalised JSON line per report to a file.
//!
//! ```text
//!  accept (≤ max_connections, a Semaphore) ─▶ hyper http1 (header read timeout)
//!      ─▶ handle: method, content type, Content-Length, body (Limited, read timeout),
//!         UTF-8, JSON, reports ─▶ channel ─▶ the one writer thread: a line per report,
//!         one write each, flushed, acknowledged ─▶ 204
//! ```
//!
//! | request | answer |
//! | --- | --- |
//! | `POST` (any path), `application/csp-report`, `application/reports+json` or `application/json`, reports in the body | 204, every report written before the answer |
//! | `OPTIONS` (CORS preflight) | 204 with `Access-Control-Allow-Origin: *`, `-Methods: POST, OPTIONS`, `-Headers: Content-Type` |
//! | another method | 405 with `Allow: POST, OPTIONS` |
//! | another content type | 415 |
//! | a body over [`CollectOptions::max_body`] (64 KiB) | 413 |
//! | a body not UTF-8, not JSON, or not reports | 400, nothing written |
//! | a body slower than [`CollectOptions::read_timeout`] | 408 |
//! | reports past `--max-reports` | 503, not written |
//!
//! Headers slower than the read timeout close the connection (idle keep-alive connections too).
//! A request's reports are written whole or not at all, and lines are never interleaved: one
//! thread writes, each line in one `write` on a file opened for appending. SIGINT and SIGTERM
//! (and `--max-reports`) stop accepting, let requests in flight finish, write everything
//! received, and return.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

use super::parse::{BadReport, reports_in};
use super::{Report, time};

/// How the collector runs.
#[derive(Clone, Debug)]
pub struct CollectOptions {
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// The JSON-lines file reports are appended to (created if missing).
    pub out: PathBuf,
    /// Stop after writing this many reports.
    pub max_reports: Option<u64>,
    /// The largest body accepted (413 beyond).
    pub max_body: usize,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, and its body.
    pub read_timeout: Duration,
}

/// The body limit: 64 KiB, far above a report batch (a few KiB).
pub const MAX_BODY: usize = 64 * 1024;

impl CollectOptions {
    /// Defaults: 64 KiB bodies, 64 connections, 10-second reads.
    pub fn new(listen: SocketAddr, out: PathBuf) -> CollectOptions {
        CollectOptions {
            listen,
            out,
            max_reports: None,
            max_body: MAX_BODY,
            max_connections: 64,
            read_timeout: Duration::from_secs(10),
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The address it listened on.
    pub addr: SocketAddr,
    /// Reports written.
    pub written: u64,
    /// Why it stopped.
    pub stopped_by: Stop,
}

/// Why the collector stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT (Ctrl-C) or SIGTERM.
    Signal,
    /// `--max-reports` reached.
    MaxReports,
}

/// Why the collector could not run.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The output cannot be opened.
    #[error("{}: cannot open: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A write failed: the collector stops, what was written stays.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime or the signal handlers could not start.
    #[error("cannot start the server: {0}")]
    Start(std::io::Error),
}

/// Reports of one request, and where to say how many were written.
struct Batch {
    lines: Vec<String>,
    done: oneshot::Sender<usize>,
}

/// What every request handler shares.
struct Shared {
    writer: mpsc::Sender<Batch>,
    max_body: usize,
    read_timeout: Duration,
}

/// Runs the collector until a signal or `max_reports`; `on_listening` is called with the bound
/// address before the first request is taken.
pub fn run(
    opts: &CollectOptions,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<Summary, CollectError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&opts.out)
        .map_err(|source| CollectError::Open {
            path: opts.out.clone(),
            source,
        })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(CollectError::Start)?;
    let (stop_tx, stop_rx) = watch::channel(None::<Stop>);
    let (tx, rx) = mpsc::channel::<Batch>(256);
    let out = opts.out.clone();
    let max = opts.max_reports;
    let stop_writer = stop_tx.clone();
    let writer = std::thread::Builder::new()
        .name("webxsl-collect-writer".into())
        .spawn(move || write_lines(file, &out, rx, max, &stop_writer))
        .map_err(CollectError::Start)?;
    let shared = Arc::new(Shared {
        writer: tx,
        max_body: opts.max_body,
        read_timeout: opts.read_timeout,
    });
    let served = runtime.block_on(serve(opts, shared, stop_tx, stop_rx.clone(), on_listening));
    // Tasks still running after the grace period are dropped with the runtime, and with them
    // the last senders: the writer then drains the channel and returns.
    drop(runtime);
    let written = writer.join().unwrap_or(Ok(0));
    let addr = served?;
    let written = written?;
    let stopped_by = stop_rx.borrow().unwrap_or(Stop::Signal);
    Ok(Summary {
        addr,
        written,
        stopped_by,
    })
}

async fn serve(
    opts: &CollectOptions,
    shared: Arc<Shared>,
    stop_tx: watch::Sender<Option<Stop>>,
    mut stop: watch::Receiver<Option<Stop>>,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<SocketAddr, CollectError> {
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| CollectError::Listen {
            addr: opts.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(CollectError::Start)?;
    spawn_signal_watch(stop_tx)?;
    on_listening(addr);
    let limit = opts.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(limit));
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = stopped(&mut stop) => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let shared = shared.clone();
        let mut stop = stop.clone();
        let read_timeout = opts.read_timeout;
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(req, shared.clone()));
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(read_timeout)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped(&mut stop) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    // Requests in flight finish (their reads are bounded by the read timeout).
    let grace = opts.read_timeout + Duration::from_secs(1);
    let _ = tokio::time::timeout(grace, slots.acquire_many(limit as u32)).await;
    Ok(addr)
}

/// Resolves once the collector is told to stop.
async fn stopped(stop: &mut watch::Receiver<Option<Stop>>) {
    // The guard `wait_for` gives is dropped here, not held across the caller's awaits.
    let _ = stop.wait_for(Option::is_some).await.map(|_| ());
}

/// SIGINT everywhere, SIGTERM where there is one: both stop the collector.
fn spawn_signal_watch(stop: watch::Sender<Option<Stop>>) -> Result<(), CollectError> {
    // The handlers are installed here, before the address is announced: a signal sent as soon
    // as the collector says it listens is already caught.
    #[cfg(unix)]
    let (mut int, mut term) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).map_err(CollectError::Start)?,
            signal(SignalKind::terminate()).map_err(CollectError::Start)?,
        )
    };
    #[cfg(windows)]
    let mut ctrl_c = tokio::signal::windows::ctrl_c().map_err(CollectError::Start)?;
    tokio::spawn(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        #[cfg(windows)]
        ctrl_c.recv().await;
        #[cfg(not(any(unix, windows)))]
        let _ = tokio::signal::ctrl_c().await;
        stop.send_if_modified(|s| s.get_or_insert(Stop::Signal) == &Stop::Signal);
    });
    Ok(())
}

/// The writer: one line per report, each in one write, in the order requests completed.
fn write_lines(
    mut file: std::fs::File,
    path: &Path,
    mut rx: mpsc::Receiver<Batch>,
    max: Option<u64>,
    stop: &watch::Sender<Option<Stop>>,
) -> Result<u64, CollectError> {
    let mut written = 0u64;
    let mut failure = None;
    while let Some(batch) = rx.blocking_recv() {
        let mut n = 0;
        if failure.is_none() {
            for line in &batch.lines {
                if max.is_some_and(|m| written >= m) {
                    break;
                }
                let mut bytes = Vec::with_capacity(line.len() + 1);
                bytes.extend_from_slice(line.as_bytes());
                bytes.push(b'\n');
                if let Err(source) = file.write_all(&bytes).and_then(|()| file.flush()) {
                    failure = Some(CollectError::Write {
                        path: path.to_owned(),
                        source,
                    });
                    stop.send_if_modified(|s| s.get_or_insert(Stop::Signal) == &Stop::Signal);
                    break;
                }
                written += 1;
                n += 1;
            }
        }
        let _ = batch.done.send(n);
        if max.is_some_and(|m| written >= m) {
            stop.send_if_modified(|s| {
                let first = s.is_none();
                s.get_or_insert(Stop::MaxReports);
                first
            });
        }
    }
    let _ = file.sync_all();
    match failure {
        Some(e) => Err(e),
        None => Ok(written),
    }
}

type Answer = Response<Full<Bytes>>;

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Answer, Infallible> {
    let mut answer = match *req.method() {
        Method::OPTIONS => {
            let mut a = reply(StatusCode::NO_CONTENT, "");
            let h = a.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Content-Type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
            a
        }
        Method::POST => post(req, &shared).await,
        _ => {
            let mut a = reply(
                StatusCode::METHOD_NOT_ALLOWED,
                "reports are sent with POST\n",
            );
            a.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
            a
        }
    };
    // Reports are sent in CORS mode: without this header the browser counts them as failed.
    answer.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(answer)
}

fn reply(status: StatusCode, text: &str) -> Answer {
    let mut a = Response::new(Full::new(Bytes::from(text.to_owned())));
    *a.status_mut() = status;
    if !text.is_empty() {
        a.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    a
}

/// The content types reports come in (`application/json`: older browsers' report-uri).
pub static CONTENT_TYPES: &[&str] = &[
    "application/csp-report",
    "application/reports+json",
    "application/json",
];

async fn post(req: Request<Incoming>, shared: &Shared) -> Answer {
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let format = match media.as_deref() {
        Some("application/csp-report") => "csp-report",
        Some("application/reports+json") => "reports+json",
        Some("application/json") => "json",
        _ => {
            return reply(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected Content-Type application/csp-report or application/reports+json\n",
            );
        }
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        return too_large(shared.max_body);
    }
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = Limited::new(req.into_body(), shared.max_body);
    let bytes = match tokio::time::timeout(shared.read_timeout, body.collect()).await {
        Ok(Ok(c)) => c.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return too_large(shared.max_body);
        }
        // The client went away or broke the framing: nothing to write.
        Ok(Err(_)) => return reply(StatusCode::BAD_REQUEST, "incomplete body\n"),
        Err(_) => return reply(StatusCode::REQUEST_TIMEOUT, "the body came too slowly\n"),
    };
    let lines = match reports_of(&bytes, format, user_agent) {
        Ok(lines) => lines,
        Err(why) => return reply(StatusCode::BAD_REQUEST, &format!("{why}\n")),
    };
    if lines.is_empty() {
        return reply(StatusCode::NO_CONTENT, "");
    }
    let wanted = lines.len();
    let (done, written) = oneshot::channel();
    if shared.writer.send(Batch { lines, done }).await.is_err() {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "the collector is stopping\n",
        );
    }
    match written.await {
        Ok(n) if n == wanted => reply(StatusCode::NO_CONTENT, ""),
        _ => reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "the collector has stopped taking reports\n",
        ),
    }
}

fn too_large(max: usize) -> Answer {
    reply(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the body is larger than {max} bytes\n"),
    )
}

/// Why a body is refused (400).
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Not UTF-8.
    #[error("the body is not UTF-8 (invalid byte at offset {0})")]
    NotUtf8(usize),
    /// Not JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// Where.
        line: usize,
        /// Where.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// JSON, but not reports.
    #[error("{0}")]
    NotReports(#[from] BadReport),
}

/// The normalised lines of a body's reports (none for a batch of other report types).
pub fn reports_of(
    body: &[u8],
    format: &str,
    user_agent: Option<String>,
) -> Result<Vec<String>, BodyError> {
    let text = std::str::from_utf8(body).map_err(|e| BodyError::NotUtf8(e.valid_up_to()))?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| BodyError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut found = Vec::new();
    reports_in(value, &mut found)?;
    let received = time::format_rfc3339(time::now_ms());
    let mut lines = Vec::with_capacity(found.len());
    for r in found {
        let mut r: Report = r?;
        r.received = Some(received.clone());
        if r.format.is_none() {
            r.format = Some(format.to_owned());
        }
        if r.user_agent.is_none() {
            r.user_agent.clone_from(&user_agent);
        }
        lines.push(serde_json::to_string(&r).expect("a report serializes"));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_become_normalised_lines() {
        let lines = reports_of(
            br#"{"csp-report":{"document-uri":"https://a.example/","effective-directive":"img-src","blocked-uri":"data"}}"#,
            "csp-report",
            Some("UA/1".into()),
        )
        .unwrap();
        assert_eq!(lines.len(), 1);
        let r: Report = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(r.format.as_deref(), Some("csp-report"));
        assert_eq!(r.user_agent.as_deref(), Some("UA/1"));
        assert!(r.received.as_deref().is_some_and(|t| t.ends_with('Z')));
        assert!(matches!(
            reports_of(b"\xff{}", "json", None),
            Err(BodyError::NotUtf8(0))
        ));
        assert!(matches!(
            reports_of(b"{\"csp-report\":", "json", None),
            Err(BodyError::Json { .. })
        ));
        assert!(matches!(
            reports_of(b"{\"hello\":1}", "json", None),
            Err(BodyError::NotReports(_))
        ));
        let none = reports_of(
            br#"[{"type":"deprecation","body":{"id":"x"}}]"#,
            "reports+json",
            None,
        )
        .unwrap();
        assert!(none.is_empty());
    }
}
