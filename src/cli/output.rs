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
    load_with(path, |bytes| Document::parse_owned(bytes, limits))
}

/// Reads a file and gives its bytes to `parse`; an XML error is shown with a snippet.
pub fn load_with<T>(
    path: &Path,
    parse: impl FnOnce(Vec<u8>) -> Result<T, XmlError>,
) -> Result<T, Failure> {
    let shown = path.display().to_string();
    let bytes = webxsl::xml::pages::read(path).map_err(|e| Failure {
        code: EXIT_ERROR,
        rendered: Diagnostic::error(format!("cannot read: {e}"))
            .in_file(shown.clone())
            .render(),
    })?;
    // The bytes become the document's text without a copy; an error (the rare case) reads the
    // file again for the snippet it shows.
    parse(bytes).map_err(|e| {
        let bytes = std::fs::read(path).unwrap_or_default();
        Failure::diagnostic(&xml_diagnostic(&shown, &bytes, &e))
    })
}

/// Writes a file atomically: a temporary file in the same directory, fsync, rename. The
/// original's permissions are kept when it exists. A failure never leaves a half-written file.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_file_atomic_with(path, |f| f.write_all(bytes))
}

/// [`write_file_atomic`] for output produced piece by piece: `fill` writes into a buffered
/// temporary file; nothing replaces `path` unless `fill` succeeds.
pub fn write_file_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SERIAL: AtomicUsize = AtomicUsize::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(
        ".{name}.webxsl-{}-{}.tmp",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let mut w = io::BufWriter::with_capacity(64 * 1024, &mut f);
        fill(&mut w)?;
        w.flush()?;
        drop(w);
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

/// A usage error (exit 2) with its message.
pub fn usage(message: String) -> anyhow::Error {
    Failure {
        code: EXIT_ERROR,
        rendered: format!("webxsl: error: {message}\n"),
    }
    .into()
}

/// `--min-grade`: the rank of the letter (0 is A+), or a usage error.
pub fn min_grade(arg: Option<&str>) -> anyhow::Result<Option<usize>> {
    use webxsl::validate::grade;
    match arg {
        None => Ok(None),
        Some(g) => match grade::rank(g.trim()) {
            Some(r) => Ok(Some(r)),
            None => Err(usage(format!(
                "--min-grade {g}: not a grade (one of {})",
                grade::LETTERS.join(", ")
            ))),
        },
    }
}

/// The stderr line for something graded below `--min-grade` (rank `min`), if it is.
pub fn below_min_grade(what: &str, letter: &str, min: usize) -> Option<String> {
    use webxsl::validate::grade;
    grade::rank(letter).filter(|&r| r > min).map(|_| {
        format!(
            "webxsl: {what}: grade {letter} is below --min-grade {}\n",
            grade::LETTERS[min]
        )
    })
}

/// `--ignore`: every id must name a rule of `rules` (with a did-you-mean), and not
/// `xml-malformed`.
pub fn check_ignore(
    ignore: &[String],
    rules: &[&webxsl::validate::Rule],
    command: &str,
) -> anyhow::Result<()> {
    for i in ignore {
        if i == "xml-malformed" {
            return Err(usage(
                "--ignore xml-malformed: a file that is not XML cannot be checked".into(),
            ));
        }
        if !rules.iter().any(|r| r.id == i) {
            let guess = rules
                .iter()
                .min_by_key(|r| strsim::levenshtein(r.id, i))
                .map(|r| r.id)
                .unwrap_or("");
            return Err(usage(format!(
                "--ignore {i}: no such rule (did you mean {guess}? webxsl {command} --list-rules lists them)"
            )));
        }
    }
    Ok(())
}

/// `--list-rules`: one line per rule, id, severity and summary.
pub fn list_rules(rules: &[&webxsl::validate::Rule]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rules {
        out.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    out
}

/// Threads for a batch of files: `per_core` a core. Two a core rather than one measured 7–9%
/// faster for both `apply --check` and `validate` on 1,000 small files (2-core virtual
/// machines, benches/compare.sh), and made half the context switches: most likely a thread whose
/// virtual CPU the host stops holds up one file instead of half the work left, and glibc's
/// per-thread heaps take fewer frees from another thread. A worker holds one file at a time.
pub fn batch_workers(per_core: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_mul(per_core)
}

/// Runs `f` on each item on `workers` threads (this one among them) and gives the results to
/// `sink` in the items' order, each as soon as it and those before it are done. When `sink`
/// answers `false` (its output failed), no more items are taken. A worker that cannot start
/// leaves its share to the others. This thread works too, and hands on what is due between
/// its own items, so it seldom sleeps and wakes once a result.
pub fn in_order<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R) -> bool,
) {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = workers.min(items.len());
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
        for w in 1..workers {
            let (tx, next, f) = (tx.clone(), &next, &f);
            let spawned = std::thread::Builder::new()
                .name(format!("webxsl-{w}"))
                .stack_size(super::STACK_SIZE)
                .spawn_scoped(s, move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        // A closed receiver means the output failed: stop taking items.
                        if tx.send((i, f(item))).is_err() {
                            break;
                        }
                    }
                });
            if spawned.is_err() {
                break;
            }
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut due = 0;
        // Hands on the results that are due; `false` when the sink failed.
        let mut hand_on = |pending: &mut BTreeMap<usize, R>, due: &mut usize| {
            while let Some(r) = pending.remove(due) {
                *due += 1;
                if !sink(r) {
                    return false;
                }
            }
            true
        };
        loop {
            while let Ok((i, r)) = rx.try_recv() {
                pending.insert(i, r);
            }
            if !hand_on(&mut pending, &mut due) {
                // Workers stop at their next item.
                next.store(items.len(), Ordering::Relaxed);
                return;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            pending.insert(i, f(item));
        }
        for (i, r) in rx {
            pending.insert(i, r);
            if !hand_on(&mut pending, &mut due) {
                return;
            }
        }
        hand_on(&mut pending, &mut due);
    });
}
