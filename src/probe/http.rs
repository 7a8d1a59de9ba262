//! The HTTP/1.1 client: one request per connection (`Connection: close`), over a
//! `TcpStream` or rustls, with every response header kept as the server sent it (order, case,
//! repeats). The head is parsed by httparse; the body is read and thrown away up to a limit
//! (Content-Length, chunked, or until the server closes), so that a response cut short shows.
//!
//! Every wait is bounded: connecting (per address), and the whole exchange after it, by
//! [`Client::timeout`]; the header block by [`Client::max_header_bytes`] and
//! [`MAX_HEADERS`]; the body by [`Client::max_body_bytes`] (past it the rest is not read).
//! This is the only file of the probe that touches sockets.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, StreamOwned};

use super::error::ProbeError;
use super::url::{Scheme, Url};

/// The most headers one response may have.
pub const MAX_HEADERS: usize = 512;

/// One response, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The URL requested.
    pub url: Url,
    /// The status code.
    pub status: u16,
    /// Every header, in the order sent, names as written; a value that is not UTF-8 is read
    /// as ISO-8859-1.
    pub headers: Vec<(String, String)>,
    /// Over HTTPS: whether the certificate was valid for the host (always true without
    /// `insecure`, where an invalid one fails the connection). Plain HTTP: true.
    pub verified: bool,
    /// Body bytes read.
    pub body_bytes: u64,
    /// Whether the body was longer than the limit (the rest was not read).
    pub body_truncated: bool,
}

impl Response {
    /// The values of header `name` (any case), in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How to connect and what to accept.
#[derive(Clone, Debug)]
pub struct Client {
    /// Connect timeout (per address), and the time the whole exchange may take after it.
    pub timeout: Duration,
    /// The largest header block accepted (status line and headers).
    pub max_header_bytes: usize,
    /// Body bytes read at most; the rest is left unread.
    pub max_body_bytes: u64,
    /// Certificates trusted.
    pub roots: Arc<RootCertStore>,
    /// Accept any certificate (and record whether it was valid).
    pub insecure: bool,
}

impl Client {
    /// A client trusting the webpki-roots store (Mozilla's) and `extra` certificates.
    pub fn new(extra: Vec<CertificateDer<'static>>) -> Result<Client, String> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for c in extra {
            roots
                .add(c)
                .map_err(|e| format!("a certificate cannot be trusted: {e}"))?;
        }
        Ok(Client {
            timeout: Duration::from_secs(10),
            max_header_bytes: 64 * 1024,
            max_body_bytes: 1024 * 1024,
            roots: Arc::new(roots),
            insecure: false,
        })
    }

    /// GETs `url` with the extra request `headers` (they replace the default ones of the
    /// same name).
    pub fn get(&self, url: &Url, headers: &[(String, String)]) -> Result<Response, ProbeError> {
        let shown = url.to_string();
        let mut stream = self.connect(url, &shown)?;
        let deadline = Instant::now() + self.timeout;
        let err = |e: io::Error, what: &'static str| self.io_error(&shown, e, what);
        stream
            .set_timeout(self.timeout)
            .map_err(|e| err(e, "setting the timeout"))?;
        let request = request(url, headers);
        stream
            .write_all(request.as_bytes())
            .and_then(|()| stream.flush())
            .map_err(|e| err(e, "sending the request"))?;
        let mut reader = Reader {
            stream: &mut stream,
            buf: Vec::new(),
            pos: 0,
            deadline,
            timeout: self.timeout,
        };
        let (status, headers) = self.head(&mut reader, &shown)?;
        let (body_bytes, body_truncated) = self.body(&mut reader, status, &headers, &shown)?;
        Ok(Response {
            url: url.clone(),
            status,
            headers,
            verified: stream.verified(),
            body_bytes,
            body_truncated,
        })
    }

    /// Resolves, connects (each address in turn), and for https does the TLS handshake.
    fn connect(&self, url: &Url, shown: &str) -> Result<Stream, ProbeError> {
        let addrs: Vec<SocketAddr> = (url.host.as_str(), url.port)
            .to_socket_addrs()
            .map_err(|e| ProbeError::Dns {
                url: shown.to_owned(),
                host: url.host.clone(),
                reason: e.to_string(),
            })?
            .collect();
        if addrs.is_empty() {
            return Err(ProbeError::Dns {
                url: shown.to_owned(),
                host: url.host.clone(),
                reason: "no address".into(),
            });
        }
        let mut last = None;
        let mut tcp = None;
        for a in &addrs {
            match TcpStream::connect_timeout(a, self.timeout) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = Some((a, e)),
            }
        }
        let tcp = match (tcp, last) {
            (Some(t), _) => t,
            (None, Some((_, e))) if is_timeout(&e) => {
                return Err(ProbeError::Timeout {
                    url: shown.to_owned(),
                    what: "connecting",
                    secs: self.timeout.as_secs_f64(),
                });
            }
            (None, Some((a, e))) => {
                return Err(ProbeError::Connect {
                    url: shown.to_owned(),
                    addr: a.to_string(),
                    reason: e.to_string(),
                });
            }
            (None, None) => unreachable!("at least one address"),
        };
        let _ = tcp.set_nodelay(true);
        match url.scheme {
            Scheme::Http => Ok(Stream::Plain(tcp)),
            Scheme::Https => self.handshake(url, shown, tcp),
        }
    }

    fn handshake(&self, url: &Url, shown: &str, mut tcp: TcpStream) -> Result<Stream, ProbeError> {
        let tls = |reason: String| ProbeError::Tls {
            url: shown.to_owned(),
            reason,
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let webpki =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), provider.clone())
                .build()
                .map_err(|e| tls(e.to_string()))?;
        let verified = Arc::new(AtomicBool::new(true));
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls(e.to_string()))?;
        let config = if self.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Permissive {
                    inner: webpki,
                    verified: verified.clone(),
                }))
                .with_no_client_auth()
        } else {
            builder.with_webpki_verifier(webpki).with_no_client_auth()
        };
        let name = match url.host.parse::<std::net::IpAddr>() {
            Ok(ip) => ServerName::IpAddress(ip.into()),
            Err(_) => ServerName::try_from(url.host.clone())
                .map_err(|e| tls(format!("{}: {e}", url.host)))?,
        };
        let mut conn =
            ClientConnection::new(Arc::new(config), name).map_err(|e| tls(e.to_string()))?;
        tcp.set_read_timeout(Some(self.timeout))
            .and_then(|()| tcp.set_write_timeout(Some(self.timeout)))
            .map_err(|e| self.io_error(shown, e, "the TLS handshake"))?;
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut tcp) {
                return Err(
                    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                        Some(r) => tls(r.to_string()),
                        None if is_timeout(&e) => ProbeError::Timeout {
                            url: shown.to_owned(),
                            what: "the TLS handshake",
                            secs: self.timeout.as_secs_f64(),
                        },
                        None if e.kind() == io::ErrorKind::UnexpectedEof => {
                            tls("the server closed the connection during the handshake".into())
                        }
                        None => tls(e.to_string()),
                    },
                );
            }
        }
        Ok(Stream::Tls(
            Box::new(StreamOwned::new(conn, tcp)),
            verified.load(Ordering::SeqCst),
        ))
    }

    /// Reads the response head, skipping interim (1xx) responses.
    fn head(
        &self,
        r: &mut Reader<'_>,
        shown: &str,
    ) -> Result<(u16, Vec<(String, String)>), ProbeError> {
        let invalid = |reason: String| ProbeError::InvalidResponse {
            url: shown.to_owned(),
            reason,
        };
        loop {
            let parsed = loop {
                let mut slots = vec![httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut resp = httparse::Response::new(&mut slots);
                match resp.parse(&r.buf[r.pos..]) {
                    Ok(httparse::Status::Complete(n)) => {
                        if n > self.max_header_bytes {
                            return Err(self.too_large(shown, "the header block"));
                        }
                        let status = resp.code.unwrap_or(0);
                        let headers = resp
                            .headers
                            .iter()
                            .map(|h| (h.name.to_owned(), text(h.value)))
                            .collect::<Vec<_>>();
                        r.pos += n;
                        break (status, headers);
                    }
                    Ok(httparse::Status::Partial) => {
                        if r.buf.len() - r.pos > self.max_header_bytes {
                            return Err(self.too_large(shown, "the header block"));
                        }
                    }
                    Err(httparse::Error::TooManyHeaders) => {
                        return Err(ProbeError::TooLarge {
                            url: shown.to_owned(),
                            what: "the number of headers",
                            limit: MAX_HEADERS,
                        });
                    }
                    Err(e) => return Err(invalid(format!("{e} in the response head"))),
                }
                let n = r
                    .fill()
                    .map_err(|e| self.io_error(shown, e, "the response"))?;
                if n == 0 {
                    return Err(invalid(if r.buf.len() == r.pos {
                        "the server closed the connection without answering".into()
                    } else {
                        "the connection closed in the middle of the response headers".into()
                    }));
                }
            };
            // 100 Continue and 103 Early Hints come before the response (101 would switch
            // protocols, which a GET without Upgrade never asks for).
            if (100..200).contains(&parsed.0) && parsed.0 != 101 {
                continue;
            }
            return Ok(parsed);
        }
    }

    /// Reads and discards the body: (bytes read, whether the limit stopped the reading).
    fn body(
        &self,
        r: &mut Reader<'_>,
        status: u16,
        headers: &[(String, String)],
        shown: &str,
    ) -> Result<(u64, bool), ProbeError> {
        let invalid = |reason: String| ProbeError::InvalidResponse {
            url: shown.to_owned(),
            reason,
        };
        let io = |e: io::Error| self.io_error(shown, e, "the response body");
        if status == 204 || status == 304 || status == 101 {
            return Ok((0, false));
        }
        let limit = self.max_body_bytes;
        let te = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .next_back();
        if let Some(te) = te {
            if te != "chunked" {
                return r.until_close(limit).map_err(io);
            }
            let mut total = 0u64;
            loop {
                let line = r.line().map_err(io)?.ok_or_else(|| {
                    invalid("the connection closed in the middle of a chunked body".into())
                })?;
                let size = line.split(';').next().unwrap_or("").trim();
                let size = u64::from_str_radix(size, 16)
                    .map_err(|_| invalid(format!("invalid chunk size {size:?}")))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    while let Some(l) = r.line().map_err(io)? {
                        if l.is_empty() {
                            break;
                        }
                    }
                    return Ok((total, false));
                }
                if total + size > limit {
                    return Ok((total, true));
                }
                let got = r.skip(size).map_err(io)?;
                total += got;
                if got < size {
                    return Err(invalid(format!(
                        "the connection closed after {got} of a chunk's {size} bytes"
                    )));
                }
                match r.line().map_err(io)? {
                    Some(l) if l.is_empty() => {}
                    _ => return Err(invalid("a chunk does not end with CRLF".into())),
                }
            }
        }
        let lengths: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .collect();
        if let Some(first) = lengths.first() {
            if lengths.iter().any(|l| l != first) {
                return Err(invalid(format!(
                    "conflicting Content-Length values: {}",
                    lengths.join(", ")
                )));
            }
            let len: u64 = first
                .parse()
                .ok()
                .filter(|_| first.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| invalid(format!("invalid Content-Length {first:?}")))?;
            let want = len.min(limit);
            let got = r.skip(want).map_err(io)?;
            if got < want {
                return Err(invalid(format!(
                    "the connection closed after {got} of {len} body bytes"
                )));
            }
            return Ok((got, len > limit));
        }
        r.until_close(limit).map_err(io)
    }

    fn too_large(&self, shown: &str, what: &'static str) -> ProbeError {
        ProbeError::TooLarge {
            url: shown.to_owned(),
            what,
            limit: self.max_header_bytes,
        }
    }

    fn io_error(&self, shown: &str, e: io::Error, what: &'static str) -> ProbeError {
        if let Some(r) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            return ProbeError::Tls {
                url: shown.to_owned(),
                reason: r.to_string(),
            };
        }
        if is_timeout(&e) {
            return ProbeError::Timeout {
                url: shown.to_owned(),
                what,
                secs: self.timeout.as_secs_f64(),
            };
        }
        ProbeError::Io {
            url: shown.to_owned(),
            reason: format!("{what}: {e}"),
        }
    }
}

/// The request: GET with Host, a User-Agent and Accept as a browser sends them, and
/// `Connection: close`; `extra` headers replace those of the same name.
fn request(url: &Url, extra: &[(String, String)]) -> String {
    let mut headers: Vec<(String, String)> = vec![
        ("Host".into(), url.host_header()),
        (
            "User-Agent".into(),
            concat!("webxsl-probe/", env!("CARGO_PKG_VERSION")).into(),
        ),
        (
            "Accept".into(),
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8".into(),
        ),
        ("Connection".into(), "close".into()),
    ];
    for (n, v) in extra {
        headers.retain(|(h, _)| !h.eq_ignore_ascii_case(n));
        headers.push((n.clone(), v.clone()));
    }
    let mut out = format!("GET {} HTTP/1.1\r\n", url.path);
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out
}

/// A header value as text: UTF-8, or else ISO-8859-1 (one character per byte).
fn text(v: &[u8]) -> String {
    match std::str::from_utf8(v) {
        Ok(s) => s.to_owned(),
        Err(_) => v.iter().map(|&b| b as char).collect(),
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// A plain or TLS connection.
enum Stream {
    Plain(TcpStream),
    /// With whether the certificate was valid.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>, bool),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s, _) => &s.sock,
        }
    }

    fn set_timeout(&self, d: Duration) -> io::Result<()> {
        let d = Some(d.max(Duration::from_millis(1)));
        self.tcp().set_read_timeout(d)?;
        self.tcp().set_write_timeout(d)
    }

    fn verified(&self) -> bool {
        match self {
            Stream::Plain(_) => true,
            Stream::Tls(_, v) => *v,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s, _) => match s.read(buf) {
                // Servers often close without close_notify: that is the end of the response
                // (a body cut short still shows against Content-Length or chunking).
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                r => r,
            },
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s, _) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s, _) => s.flush(),
        }
    }
}

/// Buffered reading under a deadline.
struct Reader<'a> {
    stream: &'a mut Stream,
    buf: Vec<u8>,
    pos: usize,
    deadline: Instant,
    timeout: Duration,
}

impl Reader<'_> {
    /// Reads more bytes into the buffer; 0 at the end of the stream.
    fn fill(&mut self) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline"));
        }
        self.stream.set_timeout(left.min(self.timeout))?;
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = loop {
            match self.stream.read(&mut chunk) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Skips `n` bytes: how many there were.
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let mut done = 0u64;
        while done < n {
            if self.pos == self.buf.len() && self.fill()? == 0 {
                break;
            }
            let take = ((self.buf.len() - self.pos) as u64).min(n - done);
            self.pos += take as usize;
            done += take;
        }
        Ok(done)
    }

    /// A line without its CRLF (or LF); `None` at the end of the stream. Lines are short in
    /// chunked framing: one over 4 KiB is an error.
    fn line(&mut self) -> io::Result<Option<String>> {
        loop {
            if let Some(i) = self.buf[self.pos..].iter().position(|&b| b == b'\n') {
                let raw = &self.buf[self.pos..self.pos + i];
                let line =
                    String::from_utf8_lossy(raw.strip_suffix(b"\r").unwrap_or(raw)).into_owned();
                self.pos += i + 1;
                return Ok(Some(line));
            }
            if self.buf.len() - self.pos > 4096 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a chunk-size line over 4 KiB",
                ));
            }
            if self.fill()? == 0 {
                return Ok(None);
            }
        }
    }

    /// Reads until the server closes, at most `limit` bytes.
    fn until_close(&mut self, limit: u64) -> io::Result<(u64, bool)> {
        let mut total = (self.buf.len() - self.pos) as u64;
        self.pos = self.buf.len();
        while total <= limit {
            let n = self.fill()?;
            if n == 0 {
                return Ok((total, false));
            }
            total += n as u64;
            self.pos = self.buf.len();
        }
        Ok((limit, true))
    }
}

/// `--insecure`: accepts any certificate, and records whether the real verifier would have.
#[derive(Debug)]
struct Permissive {
    inner: Arc<WebPkiServerVerifier>,
    verified: Arc<AtomicBool>,
}

impl ServerCertVerifier for Permissive {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let ok = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .is_ok();
        self.verified.store(ok, Ordering::SeqCst);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
