//! `webxsl probe` against real servers on 127.0.0.1 (plain HTTP, and HTTPS with a certificate
//! made here and trusted through `--ca-cert`), started by each test and answering scripted raw
//! bytes: headers kept as sent, redirect chains and loops, the http:// check, cookies, a slow
//! server, a huge header, invalid header bytes, a close mid-response, drift, the JSON shape,
//! SARIF and exit codes. Never an outside address.

#[path = "probe/server.rs"]
mod server;
mod support;

use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use server::{Step, redirect, response, send};
use webxsl::probe::{ProbeOptions, Url, rules};

/// A clean site's headers: no finding, A+ (validate's clean set).
const GOOD: &[(&str, &str)] = support::CLEAN_HEADERS;

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = GOOD.to_vec();
    v.extend_from_slice(extra);
    v
}

fn opts() -> ProbeOptions {
    ProbeOptions::new(Vec::new()).unwrap()
}

fn webxsl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_webxsl"))
        .arg("probe")
        .args(args)
        .output()
        .expect("run webxsl")
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn rules_of(target: &Value) -> Vec<String> {
    target["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

fn dir(name: &str) -> std::path::PathBuf {
    support::temp_dir(&format!("probe-{name}"))
}

/// An HTTPS server answering `headers`, and an http:// entry point redirecting to it.
fn https_site(
    tls: &server::Tls,
    headers: Vec<(&'static str, &'static str)>,
) -> (server::Server, server::Server) {
    let s = server::https(tls, move |_| response(200, &headers));
    let to = s.url("/");
    let h = server::http(move |_| redirect(301, &to));
    (s, h)
}

#[test]
fn an_https_site_is_fetched_checked_and_graded() {
    let d = dir("https");
    let tls = server::tls(&d);
    let (s, h) = https_site(&tls, GOOD.to_vec());
    let ca = tls.ca_pem.display().to_string();
    let http_url = h.url("/");
    let url = s.url("/");
    let o = webxsl(&[
        &url,
        "--ca-cert",
        &ca,
        "--http-url",
        &http_url,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json_of(&o);
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["targets"]
    );
    let t = &v["targets"][0];
    assert_eq!(
        t.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "url",
            "final_url",
            "redirects",
            "status",
            "grade",
            "score",
            "headers",
            "findings"
        ]
    );
    assert_eq!(t["url"], url.as_str());
    assert_eq!(t["final_url"], url.as_str());
    assert_eq!(t["status"], 200);
    assert_eq!(t["grade"], "A+");
    assert_eq!(t["findings"], serde_json::json!([]));
    assert_eq!(
        t["headers"][0],
        serde_json::json!([
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains"
        ])
    );

    // Human output: the chain, the http:// check and the grade.
    let o = webxsl(&[&url, "--ca-cert", &ca, "--http-url", &http_url]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&format!("{url} 200")), "{out}");
    assert!(
        out.contains(&format!("  http: {http_url} 301 -> {url} 200")),
        "{out}"
    );
    assert!(out.contains("grade A+"), "{out}");
    assert!(
        out.contains("1 URL: 0 errors, 0 warnings, 0 infos"),
        "{out}"
    );

    // Without the CA: a TLS error, exit 2, the cause named.
    let o = webxsl(&[&url, "--http-url", &http_url, "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("TLS: invalid peer certificate"),
        "{}",
        stderr(&o)
    );
    let v = json_of(&o);
    assert_eq!(v["targets"][0]["error"]["kind"], "tls");
    assert_eq!(v["targets"][0]["grade"], Value::Null);

    // --insecure fetches it, and the grade counts the invalid certificate.
    let o = webxsl(&[
        &url,
        "--insecure",
        "--http-url",
        &http_url,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json_of(&o);
    // hsts-invalid-cert -20, and the http:// check's redirect reaches the same certificate:
    // redirection-invalid-cert -20; under 90, no bonus counts.
    assert_eq!(v["targets"][0]["score"], 60, "{v}");
}

#[test]
fn headers_are_kept_as_sent() {
    let s = server::http(|_| {
        vec![send(
            b"HTTP/1.1 200 OK\r\nx-FRAME-options: DENY\r\nX-Custom: a\r\nX-Frame-Options: SAMEORIGIN\r\nX-Latin: caf\xe9\r\nContent-Length: 0\r\n\r\n"
                .as_slice(),
        )]
    });
    let url = s.url("/");
    let o = webxsl(&[&url, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = &json_of(&o)["targets"][0];
    assert_eq!(
        t["headers"],
        serde_json::json!([
            ["x-FRAME-options", "DENY"],
            ["X-Custom", "a"],
            ["X-Frame-Options", "SAMEORIGIN"],
            ["X-Latin", "café"],
            ["Content-Length", "0"]
        ])
    );
    let rules = rules_of(t);
    assert!(
        rules.contains(&"served-duplicate-header".to_owned()),
        "{rules:?}"
    );
    // Plain HTTP that does not redirect.
    assert!(
        rules.contains(&"redirect-not-https".to_owned()),
        "{rules:?}"
    );
    // The human report points at the header, as a line of the response head.
    let o = webxsl(&[&url]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!("{url}:4:1: warning[served-duplicate-header]")),
        "{out}"
    );
    assert!(out.contains(" 4 | X-Frame-Options: SAMEORIGIN"), "{out}");
}

#[test]
fn redirects_are_followed_and_recorded() {
    let s = server::http(|r| match r.path.as_str() {
        "/a" => redirect(301, "/b"),
        "/b" => redirect(302, "c?x=1"),
        "/c?x=1" => response(200, GOOD),
        "/loop1" => redirect(302, "/loop2"),
        "/loop2" => redirect(302, "/loop1"),
        p if p.starts_with("/n") => {
            let n: u32 = p[2..].parse().unwrap_or(0);
            redirect(302, &format!("/n{}", n + 1))
        }
        _ => response(404, &[]),
    });
    let o = webxsl(&[&s.url("/a"), "--format", "json"]);
    let t = &json_of(&o)["targets"][0];
    assert_eq!(t["final_url"], s.url("/c?x=1").as_str());
    assert_eq!(
        t["redirects"],
        serde_json::json!([
            {"url": s.url("/a"), "status": 301},
            {"url": s.url("/b"), "status": 302}
        ])
    );

    let o = webxsl(&[&s.url("/loop1"), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json_of(&o)["targets"][0]["error"]["kind"], "redirect-loop");
    assert!(stderr(&o).contains("redirect loop"), "{}", stderr(&o));

    // An error on a redirect names the hop; the report keeps the URL given.
    let gone = format!("http://127.0.0.1:{}/", server::closed_port());
    let s2 = server::http(move |_| redirect(302, &gone));
    let o = webxsl(&[&s2.url("/"), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let t = &json_of(&o)["targets"][0];
    assert_eq!(t["url"], s2.url("/").as_str());
    assert_eq!(t["error"]["kind"], "connect");

    let o = webxsl(&[&s.url("/n0"), "--max-redirects", "3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("more than 3 redirects"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn http_must_redirect_to_https_on_the_same_host_first() {
    let d = dir("http-first");
    let tls = server::tls(&d);
    let s = server::https(&tls, |_| response(200, GOOD));
    let ca = tls.ca_pem.display().to_string();
    let (https_same, https_other) = (s.url("/"), s.url_localhost("/"));
    // Another HTTPS server, whose certificate nobody trusts.
    let untrusted = server::https(&server::tls(&dir("http-first-other")), |_| {
        response(200, GOOD)
    });
    let bad_cert = untrusted.url("/");
    let h = server::http(move |r| match r.path.as_str() {
        "/bad-cert" => redirect(301, &bad_cert),
        "/via-http" => redirect(301, "/still-http"),
        "/still-http" => redirect(301, &https_same),
        "/off-host" => redirect(301, &https_other),
        "/stays" => response(200, &[("Strict-Transport-Security", "max-age=63072000")]),
        _ => response(404, &[]),
    });
    let run = |entry: &str| {
        let o = webxsl(&[
            &s.url("/"),
            "--ca-cert",
            &ca,
            "--http-url",
            &h.url(entry),
            "--format",
            "json",
        ]);
        json_of(&o)["targets"][0].clone()
    };
    let t = run("/via-http");
    assert!(rules_of(&t).contains(&"redirect-not-https".into()), "{t}");
    assert_eq!(t["score"], 115 - 10, "{t}");
    let t = run("/off-host");
    assert!(
        rules_of(&t).contains(&"redirect-cross-origin-first".into()),
        "{t}"
    );
    assert_eq!(t["score"], 115 - 5, "{t}");
    // A certificate error on the way is retried without verification, and counted.
    let t = run("/bad-cert");
    assert_eq!(t["score"], 100 - 20, "{t}");
    let t = run("/stays");
    let r = rules_of(&t);
    assert!(
        r.contains(&"redirect-not-https".into()) && r.contains(&"hsts-over-http".into()),
        "{t}"
    );
    assert_eq!(t["grade"], "B+", "{t}");
    // Nothing listening on http://: not needed, no finding, no cost.
    let o = webxsl(&[
        &s.url("/"),
        "--ca-cert",
        &ca,
        "--http-url",
        &format!("http://127.0.0.1:{}/", server::closed_port()),
        "--format",
        "json",
    ]);
    let t = &json_of(&o)["targets"][0];
    assert_eq!(t["grade"], "A+", "{t}");
    assert!(rules_of(t).is_empty(), "{t}");
}

#[test]
fn cookies_are_checked_along_the_chain() {
    let s = server::http(|r| match r.path.as_str() {
        "/" => {
            let mut h = with(&[
                (
                    "Set-Cookie",
                    "first=1; Path=/; Secure; HttpOnly; SameSite=Lax",
                ),
                ("Location", "/home"),
            ]);
            h.retain(|(n, _)| *n != "Strict-Transport-Security");
            response(302, &h)
        }
        _ => response(
            200,
            &with(&[
                ("Set-Cookie", "ASP.NET_SessionId=abc; path=/"),
                ("Set-Cookie", "__Secure-x=1; Path=/; SameSite=Strict"),
                ("Set-Cookie", "theme=dark; Secure; SameSite=Bogus"),
            ]),
        ),
    });
    let o = webxsl(&[&s.url("/"), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "cookie-prefix is an error: {}",
        stderr(&o)
    );
    let t = &json_of(&o)["targets"][0];
    let findings = t["findings"].as_array().unwrap();
    let has = |rule: &str, what: &str| {
        findings
            .iter()
            .any(|f| f["rule"] == rule && f["message"].as_str().unwrap().contains(what))
    };
    assert!(has("cookie-not-secure", "ASP.NET_SessionId"), "{t}");
    assert!(has("cookie-not-httponly", "ASP.NET_SessionId"), "{t}");
    assert!(
        has("cookie-samesite", "ASP.NET_SessionId has no SameSite"),
        "{t}"
    );
    assert!(has("cookie-prefix", "__Secure-x"), "{t}");
    assert!(
        has("cookie-samesite", "theme has an invalid SameSite"),
        "{t}"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("first")),
        "{t}"
    );
    // The Observatory: no HTTPS (-20), no redirect to it (-20), a session cookie without
    // Secure (-40); bonuses do not count under 90.
    assert_eq!(t["score"], 20, "{t}");
}

#[test]
fn a_slow_server_times_out() {
    let s = server::http(|_| {
        let mut v = vec![Step::Sleep(Duration::from_millis(2500))];
        v.extend(response(200, GOOD));
        v
    });
    let started = std::time::Instant::now();
    let o = webxsl(&[&s.url("/"), "--timeout", "1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json_of(&o)["targets"][0]["error"]["kind"], "timeout");
    assert!(stderr(&o).contains("timeout"), "{}", stderr(&o));
    assert!(
        started.elapsed() < Duration::from_millis(2400),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn broken_responses_are_errors_with_their_cause() {
    let huge = format!("X-Big: {}", "a".repeat(100 * 1024));
    let s = server::http(move |r| match r.path.as_str() {
        "/huge" => vec![send(format!(
            "HTTP/1.1 200 OK\r\n{huge}\r\nContent-Length: 0\r\n\r\n"
        ))],
        "/bytes" => vec![send(
            b"HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nContent-Length: 0\r\n\r\n".as_slice(),
        )],
        "/cut-body" => vec![send(
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789",
        )],
        "/cut-head" => vec![send("HTTP/1.1 200 OK\r\nX-Frame-Opt")],
        "/cut-chunk" => vec![send(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123",
        )],
        "/nothing" => vec![],
        "/not-http" => vec![send("SSH-2.0-OpenSSH_9.6\r\n\r\n")],
        _ => response(404, &[]),
    });
    for (path, kind, says) in [
        (
            "/huge",
            "too-large",
            "the header block over the limit of 65536",
        ),
        ("/bytes", "invalid-response", "invalid header value"),
        (
            "/cut-body",
            "invalid-response",
            "closed after 10 of 100 body bytes",
        ),
        (
            "/cut-head",
            "invalid-response",
            "in the middle of the response headers",
        ),
        (
            "/cut-chunk",
            "invalid-response",
            "closed after 4 of a chunk's 16 bytes",
        ),
        ("/nothing", "invalid-response", "without answering"),
        ("/not-http", "invalid-response", "in the response head"),
    ] {
        let o = webxsl(&[&s.url(path), "--format", "json"]);
        assert_eq!(o.status.code(), Some(2), "{path}");
        let e = &json_of(&o)["targets"][0]["error"];
        assert_eq!(e["kind"], kind, "{path}: {e}");
        assert!(e["message"].as_str().unwrap().contains(says), "{path}: {e}");
    }
    let o = webxsl(&[&format!("http://127.0.0.1:{}/", server::closed_port())]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(": connect: 127.0.0.1:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bodies_are_read_by_their_framing() {
    let s = server::http(|r| match r.path.as_str() {
        "/chunked" => vec![
            send(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Frame-Options: DENY\r\n\r\n",
            ),
            send("5\r\nhello\r\n"),
            Step::Sleep(Duration::from_millis(50)),
            send("6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"),
        ],
        "/close" => vec![send(
            "HTTP/1.1 200 OK\r\nX-Frame-Options: DENY\r\n\r\nuntil the end",
        )],
        _ => response(404, &[]),
    });
    let mut o = opts();
    o.http_url = None;
    for path in ["/chunked", "/close"] {
        let url = Url::parse(&s.url(path)).unwrap();
        let chain = webxsl::probe::follow(&url, &o).unwrap();
        let r = &chain[0];
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.values("x-frame-options").collect::<Vec<_>>(),
            ["DENY"],
            "{path}"
        );
        assert_eq!(
            r.body_bytes,
            if path == "/chunked" { 11 } else { 13 },
            "{path}"
        );
    }
    // The body limit stops the reading, not the probe.
    o.client.max_body_bytes = 4;
    let chain = webxsl::probe::follow(&Url::parse(&s.url("/close")).unwrap(), &o).unwrap();
    assert!(chain[0].body_truncated);
}

#[test]
fn drift_from_a_config_and_a_profile() {
    let d = dir("drift");
    let config = d.join("web.config");
    std::fs::write(
        &config,
        r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <system.webServer>
    <httpProtocol>
      <customHeaders>
        <remove name="X-Powered-By" />
        <add name="X-Frame-Options" value="DENY" />
        <add name="X-Content-Type-Options" value="nosniff" />
        <add name="Cross-Origin-Opener-Policy" value="same-origin" />
      </customHeaders>
    </httpProtocol>
    <security><requestFiltering removeServerHeader="true" /></security>
  </system.webServer>
</configuration>
"#,
    )
    .unwrap();
    let s = server::http(|_| {
        response(
            200,
            &with(&[
                ("Server", "Microsoft-IIS/10.0"),
                ("X-Powered-By", "ASP.NET"),
            ])
            .into_iter()
            .map(|(n, v)| {
                if n == "X-Frame-Options" {
                    (n, "SAMEORIGIN")
                } else {
                    (n, v)
                }
            })
            .collect::<Vec<_>>(),
        )
    });
    let cfg = config.display().to_string();
    let o = webxsl(&[&s.url("/"), "--config", &cfg, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let t = &json_of(&o)["targets"][0];
    let drift: Vec<String> = t["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "served-drift")
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    let want = [
        format!("X-Frame-Options is served as \"SAMEORIGIN\"; {cfg}:7 sets \"DENY\""),
        format!("Cross-Origin-Opener-Policy is not served; {cfg}:9 sets it to \"same-origin\""),
        format!("X-Powered-By: ASP.NET is served; {cfg}:6 (<remove>) removes it"),
        format!(
            "Server: Microsoft-IIS/10.0 is served; {cfg}:12 (requestFiltering removeServerHeader=\"true\") removes it"
        ),
    ];
    for w in &want {
        assert!(drift.contains(w), "missing {w:?} in {drift:#?}");
    }
    assert_eq!(drift.len(), want.len(), "{drift:#?}");

    let o = webxsl(&[&s.url("/"), "--profile", "recommended", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let t = &json_of(&o)["targets"][0];
    assert!(
        t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "served-drift"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("profile recommended")),
        "{t}"
    );
}

#[test]
fn exit_codes_min_grade_ignore_and_request_headers() {
    let s = server::http(|r| {
        if r.head.contains("\r\nX-Probe: yes\r\n") && r.head.contains("\r\nUser-Agent: custom\r\n")
        {
            response(200, GOOD)
        } else {
            response(200, &[("X-Frame-Options", "DENY")])
        }
    });
    let url = s.url("/");
    // Warnings only: 0. The request headers reach the server.
    let o = webxsl(&[
        &url,
        "-H",
        "X-Probe: yes",
        "--header",
        "User-Agent: custom",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        rules_of(&json_of(&o)["targets"][0]),
        ["redirect-not-https", "hsts-over-http"]
    );
    // Below --min-grade: 1, said on stderr.
    let o = webxsl(&[&url, "--min-grade", "A"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is below --min-grade A"),
        "{}",
        stderr(&o)
    );
    // --ignore drops a rule; unknown ones are usage errors with a did-you-mean.
    let o = webxsl(&[
        &url,
        "--ignore",
        "missing-header,redirect-not-https",
        "--format",
        "json",
    ]);
    assert!(
        !rules_of(&json_of(&o)["targets"][0])
            .iter()
            .any(|r| r == "missing-header")
    );
    let o = webxsl(&[&url, "--ignore", "served-drfit"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean served-drift"),
        "{}",
        stderr(&o)
    );
    // Usage errors: 2.
    for bad in [
        vec!["ftp://127.0.0.1/"],
        vec![url.as_str(), "--min-grade", "Z"],
        vec![url.as_str(), "--header", "no colon"],
        vec![url.as_str(), "--timeout", "0"],
        vec![url.as_str(), "--ca-cert", "/nonexistent/ca.pem"],
    ] {
        let o = webxsl(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
    }
    // --list-rules lists validate's rules and the probe's.
    let o = webxsl(&["--list-rules"]);
    let out = String::from_utf8_lossy(&o.stdout);
    for r in webxsl::validate::RULES.iter().chain(rules::RULES) {
        assert!(out.contains(r.id), "{}", r.id);
    }
}

#[test]
fn several_urls_are_probed_at_once_and_reported_in_order() {
    let busy = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let servers: Vec<server::Server> = (0..3)
        .map(|i| {
            let (busy, most) = (busy.clone(), most.clone());
            server::http(move |_| {
                let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(300));
                busy.fetch_sub(1, Ordering::SeqCst);
                let status = [200, 401, 403][i];
                response(status, GOOD)
            })
        })
        .collect();
    let urls: Vec<String> = servers.iter().map(|s| s.url("/")).collect();
    let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
    args.extend(["--format", "json"]);
    let o = webxsl(&args);
    let v = json_of(&o);
    let got: Vec<&str> = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["url"].as_str().unwrap())
        .collect();
    assert_eq!(got, urls.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(v["targets"][1]["status"], 401);
    assert!(
        most.load(Ordering::SeqCst) >= 2,
        "the URLs were probed one after the other"
    );
}

#[test]
fn sarif_output_passes_the_sarif_2_1_0_schema() {
    let s = server::http(|_| {
        response(
            200,
            &[
                ("X-Frame-Options", "ALLOWALL"),
                ("Set-Cookie", "__Host-a=1"),
            ],
        )
    });
    let o = webxsl(&[
        &s.url("/"),
        &format!("http://127.0.0.1:{}/", server::closed_port()),
        "--format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    let validator = support::sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(log.clone()).unwrap();
    assert_eq!(typed.runs.len(), 1);
    let run = &log["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        webxsl::validate::RULES.len() + rules::RULES.len()
    );
    let xfo = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "xfo-invalid")
        .unwrap();
    let region = &xfo["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(18))
    );
    assert_eq!(region["snippet"]["text"], "X-Frame-Options: ALLOWALL");
    assert_eq!(run["properties"]["errors"][0]["kind"], "connect");
}
