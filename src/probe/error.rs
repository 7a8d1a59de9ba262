//! The probe layer's one error: what went wrong, and with which URL.

use thiserror::Error;

/// Why a URL could not be probed (`webxsl probe` exits 2 for each).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProbeError {
    /// The URL (given or redirected to) is not one the probe can fetch.
    #[error("{url}: not a URL webxsl can fetch: {reason}")]
    Url {
        /// The URL as written.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The host name does not resolve.
    #[error("{url}: DNS: cannot resolve {host}: {reason}")]
    Dns {
        /// The URL.
        url: String,
        /// The host name.
        host: String,
        /// The resolver's answer.
        reason: String,
    },
    /// No address of the host accepts a connection.
    #[error("{url}: connect: {addr}: {reason}")]
    Connect {
        /// The URL.
        url: String,
        /// The address tried last.
        addr: String,
        /// The system's answer.
        reason: String,
    },
    /// The TLS handshake failed (certificate, protocol).
    #[error("{url}: TLS: {reason}")]
    Tls {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// A connect, read or write took longer than the timeout.
    #[error("{url}: timeout: {what} took longer than {secs} s")]
    Timeout {
        /// The URL.
        url: String,
        /// What was waited for.
        what: &'static str,
        /// The timeout, in seconds.
        secs: f64,
    },
    /// The server did not answer HTTP/1.x as it must.
    #[error("{url}: invalid response: {reason}")]
    InvalidResponse {
        /// The URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The response's header block is larger than the limit.
    #[error("{url}: response too large: {what} over the limit of {limit}")]
    TooLarge {
        /// The URL.
        url: String,
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A URL of the redirect chain comes back.
    #[error("{url}: redirect loop: {chain}")]
    RedirectLoop {
        /// The URL first requested.
        url: String,
        /// The chain, `a -> b -> a`.
        chain: String,
    },
    /// More redirects than allowed.
    #[error("{url}: more than {max} redirects: {chain}")]
    TooManyRedirects {
        /// The URL first requested.
        url: String,
        /// The limit.
        max: usize,
        /// The chain.
        chain: String,
    },
    /// Any other read or write failure.
    #[error("{url}: I/O: {reason}")]
    Io {
        /// The URL.
        url: String,
        /// The system's answer.
        reason: String,
    },
}

impl ProbeError {
    /// A short name of the cause, for JSON: `url`, `dns`, `connect`, `tls`, `timeout`,
    /// `invalid-response`, `too-large`, `redirect-loop`, `too-many-redirects`, `io`.
    pub fn kind(&self) -> &'static str {
        match self {
            ProbeError::Url { .. } => "url",
            ProbeError::Dns { .. } => "dns",
            ProbeError::Connect { .. } => "connect",
            ProbeError::Tls { .. } => "tls",
            ProbeError::Timeout { .. } => "timeout",
            ProbeError::InvalidResponse { .. } => "invalid-response",
            ProbeError::TooLarge { .. } => "too-large",
            ProbeError::RedirectLoop { .. } => "redirect-loop",
            ProbeError::TooManyRedirects { .. } => "too-many-redirects",
            ProbeError::Io { .. } => "io",
        }
    }

    /// The URL the error is about.
    pub fn url(&self) -> &str {
        match self {
            ProbeError::Url { url, .. }
            | ProbeError::Dns { url, .. }
            | ProbeError::Connect { url, .. }
            | ProbeError::Tls { url, .. }
            | ProbeError::Timeout { url, .. }
            | ProbeError::InvalidResponse { url, .. }
            | ProbeError::TooLarge { url, .. }
            | ProbeError::RedirectLoop { url, .. }
            | ProbeError::TooManyRedirects { url, .. }
            | ProbeError::Io { url, .. } => url,
        }
    }
}
