//! `webxsl csp collect` through the real binary: each test starts its own collector on
//! 127.0.0.1 port 0 and talks to it with a real HTTP client (ureq), or with a raw socket where
//! the client must misbehave. Only the loopback address is ever contacted; every loop is bounded.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{temp_dir, webxsl};

/// A running collector.
struct Collector {
    child: Child,
    addr: SocketAddr,
    out: PathBuf,
    stderr: Arc<Mutex<String>>,
}

impl Collector {
    fn start(name: &str, extra: &[&str]) -> Collector {
        let dir = temp_dir(name);
        let out = dir.join("reports.jsonl");
        let mut child = webxsl()
            .args(["csp", "collect", "--listen", "127.0.0.1:0", "--out"])
            .arg(&out)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start webxsl csp collect");
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        err.read_line(&mut first).unwrap();
        let addr = first
            .strip_prefix("listening on ")
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| panic!("the first line on stderr says where it listens: {first:?}"));
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = err.read_to_string(&mut rest);
            sink.lock().unwrap().push_str(&rest);
        });
        Collector {
            child,
            addr,
            out,
            stderr,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The lines written so far, each parsed.
    fn lines(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        text.lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("a corrupt line {l:?}: {e}"))
            })
            .collect()
    }

    /// Waits (at most `limit`) for the process to end by itself; its exit code.
    fn wait(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that reports every status as a response, never uses a proxy and gives up
/// after a few seconds.
fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// A csp-report body whose page names `id`.
fn csp_report(id: &str) -> String {
    format!(
        r#"{{"csp-report":{{"document-uri":"https://shop.example.com/{id}","referrer":"","violated-directive":"img-src","effective-directive":"img-src","original-policy":"default-src 'self'","disposition":"enforce","blocked-uri":"https://images.cdn-shop.example/{id}.png","status-code":200}}}}"#
    )
}

/// A Reporting API batch of one report whose page names `id`.
fn reports_json(id: &str) -> String {
    format!(
        r#"[{{"type":"csp-violation","age":10,"url":"https://shop.example.com/{id}","user_agent":"Test/1","body":{{"documentURL":"https://shop.example.com/{id}","blockedURL":"https://fonts.example/{id}.woff2","effectiveDirective":"font-src","disposition":"report","originalPolicy":"default-src 'self'","statusCode":200}}}}]"#
    )
}

fn post(agent: &ureq::Agent, url: &str, content_type: &str, body: &[u8]) -> u16 {
    agent
        .post(url)
        .header("Content-Type", content_type)
        .send(body)
        .expect("an answer")
        .status()
        .as_u16()
}

#[test]
fn every_rejection_has_its_status_and_nothing_is_written() {
    let c = Collector::start("collect-rejections", &[]);
    let agent = client();
    let url = c.url("/csp-reports");
    let get = agent.get(&url).call().unwrap();
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(get.headers()["allow"], "POST, OPTIONS");
    assert_eq!(
        post(&agent, &url, "text/plain", csp_report("a").as_bytes()),
        415
    );
    let big = format!(
        "{{\"csp-report\":{{\"document-uri\":\"{}\"}}}}",
        "x".repeat(70 * 1024)
    );
    assert_eq!(
        post(&agent, &url, "application/csp-report", big.as_bytes()),
        413
    );
    assert_eq!(
        post(
            &agent,
            &url,
            "application/csp-report",
            b"{\"csp-report\": {"
        ),
        400
    );
    assert_eq!(
        post(
            &agent,
            &url,
            "application/csp-report",
            b"{\"csp-report\": {\"document-uri\": \"\xff\xfe\"}}"
        ),
        400
    );
    assert_eq!(
        post(
            &agent,
            &url,
            "application/reports+json",
            b"[{\"hello\": 1}]"
        ),
        400
    );
    assert_eq!(
        post(
            &agent,
            &url,
            "application/csp-report",
            b"{\"csp-report\": {\"document-uri\": \"https://a.example/\"}}"
        ),
        400,
        "no directive"
    );
    // A batch of other report types is taken and nothing is written.
    assert_eq!(
        post(
            &agent,
            &url,
            "application/reports+json",
            br#"[{"type":"deprecation","body":{"id":"x"}}]"#
        ),
        204
    );
    let pre = agent
        .options(&url)
        .header("Origin", "https://shop.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .call()
        .unwrap();
    assert_eq!(pre.status().as_u16(), 204);
    let h = pre.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    assert_eq!(h["access-control-allow-methods"], "POST, OPTIONS");
    assert_eq!(h["access-control-allow-headers"], "Content-Type");
    // Without a Content-Length (chunked), the limit holds as the body is read.
    let chunk = "x".repeat(16 * 1024);
    let mut chunked = b"POST /r HTTP/1.1\r\nHost: x\r\nContent-Type: application/csp-report\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..5 {
        chunked.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (answer, _) = raw(c.addr, &chunked, Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    assert!(c.lines().is_empty(), "{:?}", c.lines());
}

#[test]
fn both_content_types_are_taken_on_any_path() {
    let c = Collector::start("collect-types", &[]);
    let agent = client();
    let ok = agent
        .post(c.url("/csp-reports"))
        .header("Content-Type", "application/csp-report")
        .header("User-Agent", "Firefox/133")
        .send(csp_report("one"))
        .unwrap();
    assert_eq!(ok.status().as_u16(), 204);
    assert_eq!(ok.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        post(
            &agent,
            &c.url("/a/b/c?x=1"),
            "application/reports+json; charset=utf-8",
            reports_json("two").as_bytes()
        ),
        204
    );
    let lines = c.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["format"], "csp-report");
    assert_eq!(lines[0]["document-uri"], "https://shop.example.com/one");
    assert_eq!(lines[0]["effective-directive"], "img-src");
    assert_eq!(lines[0]["user-agent"], "Firefox/133");
    assert!(
        lines[0]["received"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(lines[1]["format"], "reports+json");
    assert_eq!(lines[1]["disposition"], "report");
    assert_eq!(lines[1]["age"], 10);
    assert_eq!(lines[1]["user-agent"], "Test/1");
    // What the collector writes, learn reads.
    let o = support::run(&["csp", "learn", "--format", "json", c.out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let learned: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(learned["reports"], 2);
    assert_eq!(learned["bad-lines"].as_array().unwrap().len(), 0);
}

#[test]
fn a_thousand_concurrent_reports_are_all_written_whole() {
    let c = Collector::start("collect-thousand", &[]);
    let url = c.url("/r");
    let threads: Vec<_> = (0..20)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                let agent = client();
                for i in 0..50 {
                    let id = format!("t{t}-r{i}");
                    let (ct, body) = if i % 2 == 0 {
                        ("application/csp-report", csp_report(&id))
                    } else {
                        ("application/reports+json", reports_json(&id))
                    };
                    assert_eq!(post(&agent, &url, ct, body.as_bytes()), 204, "{id}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Every answer came after its line was written: the file is complete now.
    let lines = c.lines();
    assert_eq!(lines.len(), 1000);
    let mut ids: Vec<String> = lines
        .iter()
        .map(|l| {
            assert!(l["effective-directive"].is_string(), "{l}");
            l["document-uri"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000);
    for t in 0..20 {
        for i in 0..50 {
            assert!(
                ids.binary_search(&format!("t{t}-r{i}")).is_ok(),
                "t{t}-r{i} lost"
            );
        }
    }
}

/// Sends raw bytes and returns what the server answers until it closes (or `limit` passes).
fn raw(addr: SocketAddr, bytes: &[u8], limit: Duration) -> (String, Duration) {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(limit)).unwrap();
    // The server may answer (413) and close before it has read everything.
    let _ = s.write_all(bytes);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        if start.elapsed() > limit {
            break;
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), start.elapsed())
}

#[test]
fn a_client_that_stops_mid_body_leaves_nothing_and_the_server_stays_up() {
    let c = Collector::start("collect-mid-body", &[]);
    let body = csp_report("cut");
    {
        let mut s = TcpStream::connect(c.addr).unwrap();
        let head = format!(
            "POST /r HTTP/1.1\r\nHost: x\r\nContent-Type: application/csp-report\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&body.as_bytes()[..body.len() / 2]).unwrap();
        s.shutdown(std::net::Shutdown::Both).unwrap();
    }
    // The server is still there and takes the next report.
    assert_eq!(
        post(
            &client(),
            &c.url("/r"),
            "application/csp-report",
            csp_report("whole").as_bytes()
        ),
        204
    );
    let lines = c.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["document-uri"], "https://shop.example.com/whole");
}

#[test]
fn slow_clients_are_cut_off() {
    let c = Collector::start("collect-slow", &["--read-timeout", "0.5"]);
    // Headers that never end: the connection is closed.
    let (answer, took) = raw(
        c.addr,
        b"POST /r HTTP/1.1\r\nHost: x\r\n",
        Duration::from_secs(5),
    );
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
    assert!(
        took >= Duration::from_millis(400),
        "closed after {took:?}: {answer:?}"
    );
    // A body that never comes: 408.
    let (answer, took) = raw(
        c.addr,
        b"POST /r HTTP/1.1\r\nHost: x\r\nContent-Type: application/csp-report\r\nContent-Length: 100\r\n\r\n{\"csp",
        Duration::from_secs(5),
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(c.lines().is_empty());
}

#[test]
fn max_reports_ends_the_collector_with_everything_written() {
    let mut c = Collector::start("collect-max", &["--max-reports", "3"]);
    let agent = client();
    for i in 0..3 {
        assert_eq!(
            post(
                &agent,
                &c.url("/r"),
                "application/csp-report",
                csp_report(&format!("m{i}")).as_bytes()
            ),
            204
        );
    }
    assert_eq!(c.wait(Duration::from_secs(10)), Some(0), "{}", c.stderr());
    assert_eq!(c.lines().len(), 3);
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        c.stderr().contains("3 reports written to"),
        "{}",
        c.stderr()
    );
    assert!(
        c.stderr().contains("--max-reports reached"),
        "{}",
        c.stderr()
    );
}

#[cfg(unix)]
#[test]
fn sigterm_ends_the_collector_with_everything_written() {
    let mut c = Collector::start("collect-sigterm", &[]);
    let agent = client();
    for i in 0..5 {
        assert_eq!(
            post(
                &agent,
                &c.url("/r"),
                "application/reports+json",
                reports_json(&format!("s{i}")).as_bytes()
            ),
            204
        );
    }
    // An idle keep-alive connection stays open: the collector must still stop.
    let _idle = TcpStream::connect(c.addr).unwrap();
    // SAFETY: sending a signal to the child this test started.
    unsafe {
        libc::kill(c.child.id() as libc::pid_t, libc::SIGTERM);
    }
    assert_eq!(c.wait(Duration::from_secs(10)), Some(0), "{}", c.stderr());
    assert_eq!(c.lines().len(), 5);
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        c.stderr().contains("5 reports written to"),
        "{}",
        c.stderr()
    );
}

#[test]
fn a_bad_address_or_output_fails_with_exit_2() {
    let o = support::run(&[
        "csp",
        "collect",
        "--listen",
        "not-an-address",
        "--out",
        "x.jsonl",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("--listen not-an-address"),
        "{}",
        support::stderr(&o)
    );
    let dir = temp_dir("collect-bad-out");
    let out: &Path = &dir.join("missing-dir").join("r.jsonl");
    let o = support::run(&[
        "csp",
        "collect",
        "--listen",
        "127.0.0.1:0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("cannot open"),
        "{}",
        support::stderr(&o)
    );
}
