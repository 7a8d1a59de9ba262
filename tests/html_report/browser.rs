//! Headless Chromium for the HTML report tests: load a page from a file:// URL, dump its DOM or
//! take a screenshot, each run bounded in time, and read what it logged for console messages and
//! blocked resources.
//!
//! Debian's `chromium` (installed by scripts/setup), or the browser `WEBXSL_CHROMIUM` names.
//! Without one the tests that need it say so and return — unless `CI` is set: there a missing
//! browser fails them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long one browser run may take.
const LIMIT: Duration = Duration::from_secs(90);

/// The browser, or `None` (after saying why) when the tests may skip it.
pub fn find() -> Option<PathBuf> {
    let named = std::env::var_os("WEBXSL_CHROMIUM").map(PathBuf::from);
    let found = named.or_else(|| {
        let paths = std::env::var_os("PATH")?;
        std::env::split_paths(&paths)
            .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required under CI (bash scripts/setup installs it; WEBXSL_CHROMIUM names another)"
        );
        eprintln!(
            "skipped: no chromium on PATH (bash scripts/setup installs it; WEBXSL_CHROMIUM names another)"
        );
    }
    found
}

/// What one run left.
pub struct Run {
    /// Standard output (the DOM, with `--dump-dom`).
    pub stdout: String,
    /// Standard error: the browser's log.
    pub stderr: String,
}

/// Runs the browser on `page` with `args`, in a fresh profile under `dir`, within [`LIMIT`].
/// Output goes to files rather than pipes, so that a helper process that outlives the browser
/// cannot hold the test.
fn run(browser: &Path, dir: &Path, page: &Path, args: &[String]) -> Run {
    let profile = dir.join(format!(
        "profile-{}",
        page.file_stem().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).unwrap();
    let (out, err) = (profile.join("stdout"), profile.join("stderr"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(file_url(page))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let status = crate::support::wait_bounded(&mut child, LIMIT).unwrap_or_else(|| {
        panic!(
            "chromium took more than {LIMIT:?} on {}; its log:\n{}",
            page.display(),
            std::fs::read_to_string(&err).unwrap_or_default()
        )
    });
    let run = Run {
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
    };
    // A profile takes a few megabytes: only what it printed is kept.
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        status.success(),
        "chromium failed ({status}) on {}:\n{}",
        page.display(),
        run.stderr
    );
    run
}

/// The page's `file://` URL (an absolute path, `/`-separated, with the bytes a URL cannot hold
/// as they are percent-encoded).
pub fn file_url(page: &Path) -> String {
    let abs = std::fs::canonicalize(page).unwrap();
    let mut s = abs.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    let mut url = String::from("file://");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Loads the page and returns the DOM as the browser built it.
pub fn dump_dom(browser: &Path, dir: &Path, page: &Path) -> Run {
    run(browser, dir, page, &["--dump-dom".to_owned()])
}

/// Loads the page in a `width`×`height` window and writes a PNG screenshot to `png`.
pub fn screenshot(
    browser: &Path,
    dir: &Path,
    page: &Path,
    png: &Path,
    (width, height): (u32, u32),
) -> Run {
    let _ = std::fs::remove_file(png);
    run(
        browser,
        dir,
        page,
        &[
            "--hide-scrollbars".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--screenshot={}", png.display()),
        ],
    )
}

/// The lines of a browser log that show a console message (the pages have no script, so any is
/// a problem), a resource or style the page's policy blocked, an uncaught error or a failed
/// load.
pub fn console_problems(log: &str) -> Vec<&str> {
    const SIGNS: &[&str] = &[
        ":CONSOLE",
        "Refused to",
        "Content Security Policy",
        "Content-Security-Policy",
        "has been blocked",
        "Uncaught",
        "net::ERR_",
        "Failed to load resource",
    ];
    log.lines()
        .filter(|l| SIGNS.iter().any(|s| l.contains(s)))
        .collect()
}
