//! Test servers for `webxsl probe`: plain TCP or TLS on 127.0.0.1 port 0, answering each
//! request with scripted raw bytes (so duplicate headers, odd case, invalid bytes, huge heads,
//! a close in the middle and slow answers are all possible). Every server serves a bounded
//! number of connections and stops after a few seconds on its own.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// One step of an answer.
#[derive(Clone, Debug)]
pub enum Step {
    /// Send these bytes.
    Send(Vec<u8>),
    /// Wait.
    Sleep(Duration),
}

/// Bytes to send.
pub fn send(s: impl AsRef<[u8]>) -> Step {
    Step::Send(s.as_ref().to_vec())
}

/// A whole response: status line, headers as given (order, case, repeats), an empty body.
pub fn response(status: u16, headers: &[(&str, &str)]) -> Vec<Step> {
    let mut s = format!("HTTP/1.1 {status} X\r\n");
    for (n, v) in headers {
        s.push_str(&format!("{n}: {v}\r\n"));
    }
    s.push_str("Content-Length: 2\r\nConnection: close\r\n\r\nok");
    vec![send(s)]
}

/// A redirect.
pub fn redirect(status: u16, location: &str) -> Vec<Step> {
    response(status, &[("Location", location)])
}

/// What a script sees of a request.
#[derive(Clone, Debug)]
pub struct Request {
    /// The request target (path and query).
    pub path: String,
    /// The whole head, as received.
    pub head: String,
}

type Script = dyn Fn(&Request) -> Vec<Step> + Send + Sync;

/// A running server.
pub struct Server {
    /// Its address.
    pub addr: SocketAddr,
    /// `http` or `https`.
    scheme: &'static str,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// The URL of a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.addr)
    }

    /// The URL with `localhost` for the host (another host name for the same server).
    pub fn url_localhost(&self, path: &str) -> String {
        format!("{}://localhost:{}{path}", self.scheme, self.addr.port())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// At most this many connections per server, and this long alive.
const MAX_CONNECTIONS: usize = 64;
const LIFETIME: Duration = Duration::from_secs(20);

/// Starts a plain HTTP server.
pub fn http(script: impl Fn(&Request) -> Vec<Step> + Send + Sync + 'static) -> Server {
    start(None, Arc::new(script))
}

/// Starts an HTTPS server with the test certificate.
pub fn https(tls: &Tls, script: impl Fn(&Request) -> Vec<Step> + Send + Sync + 'static) -> Server {
    start(Some(tls.config.clone()), Arc::new(script))
}

fn start(tls: Option<Arc<ServerConfig>>, script: Arc<Script>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let scheme = if tls.is_some() { "https" } else { "http" };
    {
        let stop = stop.clone();
        let served = AtomicUsize::new(0);
        thread::spawn(move || {
            let born = Instant::now();
            while !stop.load(Ordering::SeqCst)
                && born.elapsed() < LIFETIME
                && served.load(Ordering::SeqCst) < MAX_CONNECTIONS
            {
                match listener.accept() {
                    Ok((sock, _)) => {
                        served.fetch_add(1, Ordering::SeqCst);
                        let script = script.clone();
                        let tls = tls.clone();
                        thread::spawn(move || {
                            let _ = serve_one(sock, tls, &*script);
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
    }
    Server { addr, scheme, stop }
}

fn serve_one(
    sock: TcpStream,
    tls: Option<Arc<ServerConfig>>,
    script: &Script,
) -> std::io::Result<()> {
    sock.set_nonblocking(false)?;
    sock.set_read_timeout(Some(Duration::from_secs(5)))?;
    sock.set_write_timeout(Some(Duration::from_secs(5)))?;
    match tls {
        None => answer(sock, script),
        Some(cfg) => {
            let conn = rustls::ServerConnection::new(cfg).map_err(std::io::Error::other)?;
            let mut s = rustls::StreamOwned::new(conn, sock);
            answer(&mut s, script)?;
            s.conn.send_close_notify();
            let _ = s.flush();
            Ok(())
        }
    }
}

fn answer(mut s: impl Read + Write, script: &Script) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
    for step in script(&Request { path, head }) {
        match step {
            Step::Send(b) => {
                s.write_all(&b)?;
                s.flush()?;
            }
            Step::Sleep(d) => thread::sleep(d),
        }
    }
    Ok(())
}

/// A test CA and a certificate it issued for `localhost` and `127.0.0.1`.
pub struct Tls {
    /// The server configuration.
    pub config: Arc<ServerConfig>,
    /// The CA certificate, as a PEM file.
    pub ca_pem: PathBuf,
}

/// Makes the certificates (in `dir`).
pub fn tls(dir: &Path) -> Tls {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "webxsl test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key).unwrap();
    let ca_pem = dir.join("ca.pem");
    std::fs::write(&ca_pem, ca.pem()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(leaf.der().to_vec())], key)
        .unwrap();
    Tls {
        config: Arc::new(config),
        ca_pem,
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
