//! Output helpers: stdout that tolerates a closed pipe, diagnostics on stderr, file loading with
//! positioned errors.

use std::io::{self, Write};
use std::path::Path;

use webxsl::diag::Diagnostic;
use webxsl::xml::{Document, Limits, XmlError};

use super::{EXIT_ERROR, EXIT_OK};

/// An error that has been rendered for the user, with the exit code it implies.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: i32,
    /// What to print on stderr (already formatted, may be several diagnostics).
    pub rendered: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.rendered.trim_end())
    }
}

impl std::error::Error for Failure {}

impl Failure {
    /// A failure from one diagnostic, exit code 2.
    pub fn diagnostic(d: &Diagnostic) -> Failure {
        Failure {
            code: EXIT_ERROR,
            rendered: d.render(),
        }
    }
}

/// Prints an error and returns the exit code it implies.
pub fn report(e: anyhow::Error) -> i32 {
    if is_broken_pipe(&e) {
        return EXIT_OK;
    }
    if let Some(f) = e.downcast_ref::<Failure>() {
        eprint!("{}", f.rendered);
        return f.code;
    }
    eprintln!("webxsl: error: {e:#}");
    EXIT_ERROR
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Writes bytes to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

/// The diagnostic for an XML error in a file, with the offending line from its bytes.
pub fn xml_diagnostic(path: &str, bytes: &[u8], e: &XmlError) -> Diagnostic {
    let text = match webxsl::xml::encoding::decode(bytes) {
        Ok((t, _)) => t,
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    e.to_diagnostic(Some(path), Some(&text))
}

/// Reads and parses an XML file, turning every error into a positioned [`Failure`].
pub fn load_document(path: &Path, limits: &Limits) -> Result<Document, Failure> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Failure {
        code: EXIT_ERROR,
        rendered: Diagnostic::error(format!("cannot read: {e}"))
            .in_file(shown.clone())
            .render(),
    })?;
    Document::parse(&bytes, limits)
        .map_err(|e| Failure::diagnostic(&xml_diagnostic(&shown, &bytes, &e)))
}

/// Writes a file atomically: a temporary file in the same directory, fsync, rename. The
/// original's permissions are kept when it exists. A failure never leaves a half-written file.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.webxsl-{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("{}: cannot write", path.display()))
}
