//! `webxsl apply`: run a stylesheet, a profile or XDT transforms on web.config files with a
//! minimal diff.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use webxsl::apply::{
    Applied, ApplyError, ApplyOptions, BrokenEntry, ProfileTransform, apply_stylesheet,
    apply_stylesheet_owned, apply_transforms,
};
use webxsl::diag::Diagnostic;
use webxsl::diff::unified;
use webxsl::xdt::{XdtError, XdtTransform};
use webxsl::xml::Limits;
use webxsl::xslt::{Stylesheet, TransformOptions};

use super::output::{
    Failure, batch_workers, in_order, write_file_atomic, write_stdout, xml_diagnostic,
};
use super::xslt::{compile, params};
use super::{ColorChoice, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, IisArg, ParamArgs};

/// `webxsl apply`
#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("what").required(true).multiple(false))]
pub struct ApplyArgs {
    /// XSLT 1.0 stylesheet to apply
    #[arg(long, value_name = "FILE", group = "what")]
    xsl: Option<PathBuf>,
    /// Header profile to apply: a preset name or a TOML/JSON file
    #[arg(long, value_name = "NAME|FILE", group = "what")]
    profile: Option<String>,
    /// XDT transform to apply (Web.Release.config...); repeat to chain them, in order
    #[arg(long, value_name = "FILE", group = "what", action = clap::ArgAction::Append,
          conflicts_with_all = ["faithful", "allow_document", "param", "stringparam"])]
    xdt: Vec<PathBuf>,
    /// With --xdt: treat warnings (a target that matches nothing...) as errors
    #[arg(long, requires = "xdt")]
    strict: bool,
    /// web.config files or glob patterns such as 'sites/**/web.config' (none or `-`: stdin to
    /// stdout)
    #[arg(value_name = "FILE")]
    files: Vec<String>,
    /// Write the result here instead of stdout (one input only)
    #[arg(short, long, value_name = "OUT", conflicts_with_all = ["in_place", "check"])]
    output: Option<PathBuf>,
    /// Rewrite the files in place (atomically: temporary file, fsync, rename; permissions kept)
    #[arg(long, conflicts_with = "check")]
    in_place: bool,
    /// With --in-place, keep the original as FILE.bak
    #[arg(long, requires = "in_place")]
    backup: bool,
    /// Write nothing; print the diff of each file that would change; exit 1 if any would
    #[arg(long)]
    check: bool,
    /// Print the unified diff of the change (instead of the result, unless --in-place)
    #[arg(long)]
    diff: bool,
    /// Colour the diff
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Write the stylesheet's own serialization instead of a minimal edit
    #[arg(long)]
    faithful: bool,
    /// Allow document() to read local files
    #[arg(long)]
    allow_document: bool,
    /// Write a result even when it adds an entry IIS refuses (HTTP 500.19: a duplicate key)
    #[arg(long)]
    allow_broken: bool,
    /// Whose server defaults the duplicate check assumes (entries IIS's default
    /// applicationHost.config already defines)
    #[arg(long, value_enum, value_name = "VERSION", default_value_t = IisArg::V10)]
    iis_version: IisArg,
    #[command(flatten)]
    params: ParamArgs,
}

/// Expands the file arguments: glob patterns (`*`, `?`, `[...]`, `**`) are expanded by webxsl
/// itself, so they work the same from cmd.exe; other arguments are taken as they are. Every
/// pattern that matches nothing or cannot be read is reported (exit code 2).
pub fn expand_files(args: &[String]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for a in args {
        if a.contains(['*', '?', '[']) {
            match glob::glob(a) {
                Ok(paths) => {
                    let mut found: Vec<PathBuf> = paths
                        .filter_map(Result::ok)
                        .filter(|p| p.is_file())
                        .collect();
                    found.sort();
                    if found.is_empty() {
                        errors.push(
                            Diagnostic::error("no file matches this pattern").in_file(a.clone()),
                        );
                    }
                    out.extend(found);
                }
                Err(e) => errors
                    .push(Diagnostic::error(format!("invalid pattern: {e}")).in_file(a.clone())),
            }
        } else {
            out.push(PathBuf::from(a));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Failure {
            code: EXIT_ERROR,
            rendered: errors.iter().map(Diagnostic::render).collect(),
        })
    }
}

/// Whether to colour output for a `--color` choice.
pub fn use_color_choice(choice: ColorChoice) -> bool {
    use_color(choice)
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// Renders a per-file error for the user.
pub fn apply_error(name: &str, input: &[u8], e: &ApplyError) -> String {
    match e {
        ApplyError::Xml(x) => xml_diagnostic(name, input, x).render(),
        ApplyError::Xslt(x) => {
            // Errors located in the stylesheet keep its position; others belong to the input.
            let mut d = x.to_diagnostic();
            if x.file.is_none() && x.pos.is_none() {
                d = d.in_file(name.to_owned());
            }
            format!("{name}: while transforming:\n{}", d.render())
        }
        ApplyError::Xdt(x) => xdt_messages(name, &x.0),
        ApplyError::BreaksIis(entries) => {
            let mut s = Diagnostic::error(format!(
                "{e}; nothing was written (--allow-broken writes it anyway)"
            ))
            .in_file(name.to_owned())
            .render();
            s.push_str(&broken_entries(
                name,
                entries,
                webxsl::diag::Severity::Error,
                "the result",
            ));
            s
        }
        ApplyError::Encode(x) => Diagnostic::error(format!(
            "cannot write the result in the file's encoding: {x}"
        ))
        .in_file(name.to_owned())
        .render(),
        ApplyError::UnsafeHeader { message, pos } => {
            let mut d = Diagnostic::error(message.clone()).in_file(name.to_owned());
            if let Some(p) = pos {
                d = d.at(*p);
                if let Ok((text, _)) = webxsl::xml::encoding::decode(input) {
                    d = d.with_source(&text);
                }
            }
            d.render()
        }
    }
}

/// Renders duplicate entries (`where` says which text the positions are in).
fn broken_entries(
    name: &str,
    entries: &[BrokenEntry],
    severity: webxsl::diag::Severity,
    place: &str,
) -> String {
    entries
        .iter()
        .map(|b| {
            let mut d = Diagnostic::error(format!("{} (in {place})", b.message))
                .severity(severity)
                .code(b.rule)
                .in_file(name.to_owned())
                .at(b.pos);
            d.source_line = Some(b.line.clone());
            d.hint = b.hint.clone();
            d.render()
        })
        .collect()
}

/// Renders XDT errors and warnings about one input: those located in a transform file name it,
/// the others the input.
fn xdt_messages(name: &str, messages: &[XdtError]) -> String {
    let rendered: String = messages
        .iter()
        .map(|m| m.to_diagnostic(name).render())
        .collect();
    // A message located in a transform does not say which input it is about (in a batch, the
    // same transform runs on every file): say it first, as for stylesheets.
    if messages.iter().any(|m| m.file.is_some()) {
        format!("{name}: while transforming:\n{rendered}")
    } else {
        rendered
    }
}

/// What turns one input into output.
enum Transform {
    /// A stylesheet.
    Xsl(Box<Stylesheet>),
    /// A header profile (applied natively, or through its generated stylesheet).
    Profile(Box<ProfileTransform>),
    /// XDT transforms, applied in order.
    Xdt(Vec<XdtTransform>),
}

/// The work done on every input.
pub struct Job {
    transform: Transform,
    opts: ApplyOptions,
    /// XDT warnings fail the file.
    strict: bool,
}

impl Job {
    fn run(&self, input: &[u8]) -> Result<Applied, ApplyError> {
        match &self.transform {
            Transform::Xsl(sheet) => apply_stylesheet(sheet, input, &self.opts),
            Transform::Profile(p) => p.apply(input, &self.opts),
            Transform::Xdt(chain) => {
                let chain: Vec<&XdtTransform> = chain.iter().collect();
                let applied = apply_transforms(&chain, input, &self.opts)?;
                if self.strict && !applied.warnings.is_empty() {
                    let as_errors = applied.warnings.into_iter().map(XdtError::error).collect();
                    return Err(ApplyError::Xdt(webxsl::xdt::XdtErrors(as_errors)));
                }
                Ok(applied)
            }
        }
    }

    /// [`Job::run`] for input given up: a stylesheet then reads UTF-8 without a copy.
    fn run_owned(&self, input: Vec<u8>) -> Result<Applied, ApplyError> {
        match &self.transform {
            Transform::Xsl(sheet) => apply_stylesheet_owned(sheet, input, &self.opts),
            Transform::Profile(p) => p.apply_owned(input, &self.opts),
            Transform::Xdt(_) => self.run(&input),
        }
    }
}

/// Loads the XDT transforms; their load warnings are printed once (errors with --strict).
fn load_transforms(paths: &[PathBuf], strict: bool) -> Result<Vec<XdtTransform>, Failure> {
    let mut out = Vec::new();
    let mut rendered = String::new();
    let mut failed = false;
    for p in paths {
        let name = p.display().to_string();
        let bytes = std::fs::read(p).map_err(|e| read_failure(&name, &e))?;
        match XdtTransform::parse(&bytes, &name, &Limits::default()) {
            Ok(t) => {
                for w in t.warnings() {
                    let w = if strict { w.clone().error() } else { w.clone() };
                    failed |= strict;
                    rendered.push_str(&w.to_diagnostic(&name).render());
                }
                out.push(t);
            }
            Err(e) => {
                for m in &e.0 {
                    rendered.push_str(&m.to_diagnostic(&name).render());
                }
                failed = true;
            }
        }
    }
    if failed {
        return Err(Failure {
            code: EXIT_ERROR,
            rendered,
        });
    }
    eprint!("{rendered}");
    Ok(out)
}

pub fn run(args: ApplyArgs) -> anyhow::Result<i32> {
    let transform = match (&args.xsl, &args.profile) {
        (Some(xsl), _) => Transform::Xsl(Box::new(compile(xsl)?)),
        (None, Some(p)) => {
            Transform::Profile(Box::new(ProfileTransform::new(&super::profiles::load(p)?)))
        }
        (None, None) => Transform::Xdt(load_transforms(&args.xdt, args.strict)?),
    };
    let job = Job {
        transform,
        strict: args.strict,
        opts: ApplyOptions {
            faithful: args.faithful,
            transform: TransformOptions {
                params: params(&args.params),
                allow_document: args.allow_document,
                now: super::source_date_epoch(),
                ..TransformOptions::default()
            },
            allow_broken: args.allow_broken,
            iis: args.iis_version.version(),
            // The texts only serve the diff.
            skip_texts: !(args.check || args.diff),
            ..ApplyOptions::default()
        },
    };
    let code = run_job(&job, &args);
    // The process ends now: freeing a compiled stylesheet (a profile's has thousands of
    // expression nodes) would only cost time.
    std::mem::forget(job);
    code
}

fn run_job(job: &Job, args: &ApplyArgs) -> anyhow::Result<i32> {
    let color = use_color(args.color);
    let stdin = args.files.is_empty() || args.files == ["-"];
    if stdin {
        if args.in_place {
            return Err(usage("--in-place needs files, not standard input"));
        }
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input)?;
        return one(job, "<stdin>", Input::Stdin(input), args, color, None);
    }
    let files = expand_files(&args.files)?;
    if files.len() > 1 && !(args.in_place || args.check || args.diff) {
        return Err(usage("several files need --in-place, --check or --diff"));
    }
    if files.len() == 1 && !args.in_place && !args.check {
        let name = files[0].display().to_string();
        let input = webxsl::xml::pages::read(&files[0]).map_err(|e| read_failure(&name, &e))?;
        return one(
            job,
            &name,
            Input::File(input, &files[0]),
            args,
            color,
            args.output.as_deref(),
        );
    }
    batch(job, &files, args, color)
}

fn usage(message: &str) -> anyhow::Error {
    Failure {
        code: EXIT_ERROR,
        rendered: format!("webxsl: error: {message}\n"),
    }
    .into()
}

pub fn read_failure(name: &str, e: &std::io::Error) -> Failure {
    Failure {
        code: EXIT_ERROR,
        rendered: Diagnostic::error(format!("cannot read: {e}"))
            .in_file(name.to_owned())
            .render(),
    }
}

fn notes(name: &str, a: &Applied) {
    eprint!("{}", notes_text(name, a));
}

/// The stylesheet's messages and webxsl's notes about one file.
fn notes_text(name: &str, a: &Applied) -> String {
    let mut s = String::new();
    for m in &a.messages {
        s.push_str(&format!("{name}: message: {m}\n"));
    }
    for w in &a.stylesheet_warnings {
        s.push_str(&format!(
            "{name}: while transforming:\n{}",
            w.to_warning().render()
        ));
    }
    s.push_str(&xdt_messages(name, &a.warnings));
    let warn = webxsl::diag::Severity::Warning;
    s.push_str(&broken_entries(
        name,
        &a.broken_before,
        warn,
        "the input already",
    ));
    s.push_str(&broken_entries(
        name,
        &a.broken_allowed,
        warn,
        "the result, written anyway: --allow-broken",
    ));
    if let Some(reason) = &a.fallback {
        s.push_str(&format!(
            "webxsl: note: {name}: the result is not a plain edit of the input ({reason}); writing the stylesheet's own serialization\n"
        ));
    }
    s
}

/// The unified diff of one file's change (`None` when nothing changed).
fn diff_of(name: &str, applied: &Applied, color: bool) -> Option<String> {
    unified(
        &applied.old_text,
        &applied.new_text,
        &format!("a/{name}"),
        &format!("b/{name}"),
        color,
    )
}

/// The input of [`one`].
enum Input<'a> {
    Stdin(Vec<u8>),
    /// The bytes of this file.
    File(Vec<u8>, &'a Path),
}

/// One input to stdout (or `-o`), or its diff, or its check.
fn one(
    job: &Job,
    name: &str,
    input: Input,
    args: &ApplyArgs,
    color: bool,
    output: Option<&Path>,
) -> anyhow::Result<i32> {
    let failure = |input: &[u8], e: &ApplyError| Failure {
        code: EXIT_ERROR,
        rendered: apply_error(name, input, e),
    };
    let applied = match input {
        Input::Stdin(bytes) => job.run(&bytes).map_err(|e| failure(&bytes, &e))?,
        // The bytes become the document's text without a copy; an error (the rare case) reads
        // the file again for the snippets it shows.
        Input::File(bytes, path) => job
            .run_owned(bytes)
            .map_err(|e| failure(&std::fs::read(path).unwrap_or_default(), &e))?,
    };
    notes(name, &applied);
    if args.check || args.diff {
        if let Some(d) = diff_of(name, &applied, color) {
            write_stdout(d.as_bytes())?;
        }
        if args.check {
            return Ok(if applied.changed {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            });
        }
        return Ok(EXIT_OK);
    }
    match output {
        Some(path) => write_file_atomic(path, &applied.bytes)?,
        None => write_stdout(&applied.bytes)?,
    }
    Ok(EXIT_OK)
}

/// What became of one file of a batch; printed in file order.
#[derive(Default)]
struct Outcome {
    /// Diagnostics and notes.
    stderr: String,
    /// The diff, with --check or --diff.
    stdout: String,
    failed: bool,
    changed: bool,
}

/// Applies the job to one file of a batch (on a worker thread).
fn process(job: &Job, path: &Path, args: &ApplyArgs, color: bool) -> Outcome {
    let mut o = Outcome::default();
    let name = path.display().to_string();
    let input = match webxsl::xml::pages::read(path) {
        Ok(b) => b,
        Err(e) => {
            o.stderr = read_failure(&name, &e).rendered;
            o.failed = true;
            return o;
        }
    };
    // Only a write needs the bytes read once the job has them (to back them up and to see
    // that the file still holds them): otherwise the job takes them without a copy, and an
    // error (the rare case) reads the file again for the snippets it shows.
    let (result, input) = if args.in_place {
        (job.run(&input), Some(input))
    } else {
        (job.run_owned(input), None)
    };
    let applied = match result {
        Ok(a) => a,
        Err(e) => {
            let input = input.unwrap_or_else(|| std::fs::read(path).unwrap_or_default());
            o.stderr = apply_error(&name, &input, &e);
            o.failed = true;
            return o;
        }
    };
    o.stderr = notes_text(&name, &applied);
    if !applied.changed {
        return o;
    }
    o.changed = true;
    if (args.check || args.diff)
        && let Some(d) = diff_of(&name, &applied, color)
    {
        o.stdout = d;
    }
    if let Some(input) = input {
        let write = || -> anyhow::Result<()> {
            if args.backup {
                let mut bak = path.as_os_str().to_owned();
                bak.push(".bak");
                write_file_atomic(Path::new(&bak), &input)?;
            }
            // The file may have changed or vanished since it was read: write only over what
            // was read.
            match std::fs::read(path) {
                Ok(now) if now == input => {}
                Ok(_) => anyhow::bail!(
                    "{name}: the file changed while webxsl was working on it; left as it is"
                ),
                Err(e) => {
                    anyhow::bail!("{name}: cannot read it again before writing: {e}; left as it is")
                }
            }
            // Replacing the file would bypass its mode: honour a read-only file.
            if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
                anyhow::bail!("{name}: the file is read-only; left as it is")
            }
            write_file_atomic(path, &applied.bytes)
        };
        if let Err(e) = write() {
            o.stderr.push_str(&format!("webxsl: error: {e:#}\n"));
            o.failed = true;
            o.changed = false;
        }
    }
    o
}

/// Many files: --check, --diff or --in-place. One failing file does not stop the others. Files
/// are processed on every core; what they print comes out in the order they were given.
fn batch(job: &Job, files: &[PathBuf], args: &ApplyArgs, color: bool) -> anyhow::Result<i32> {
    // More with --in-place: a file spends most of its time waiting for fsync, and those waits
    // overlap.
    let workers = batch_workers(if args.in_place { 4 } else { 2 });
    let mut failed = 0usize;
    let mut changed = 0usize;
    let mut output_error = None;
    in_order(
        files,
        workers,
        |path| process(job, path, args, color),
        |o: Outcome| {
            eprint!("{}", o.stderr);
            failed += usize::from(o.failed);
            changed += usize::from(o.changed);
            if !o.stdout.is_empty()
                && let Err(e) = write_stdout(o.stdout.as_bytes())
            {
                output_error = Some(e);
                return false;
            }
            true
        },
    );
    if let Some(e) = output_error {
        return Err(e.into());
    }
    if files.len() > 1 {
        let verb = if args.in_place {
            "changed"
        } else {
            "would change"
        };
        eprintln!(
            "webxsl: {changed} of {} file{} {verb}{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            if failed > 0 {
                format!(", {failed} failed")
            } else {
                String::new()
            }
        );
    }
    Ok(if failed > 0 {
        EXIT_ERROR
    } else if args.check && changed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
