//! The command line: argument parsing (clap), dispatch, exit codes and error printing.
//!
//! This module is compiled into the binary only (it is the one place that uses `anyhow`); every
//! real piece of work is a call into the library.
//!
//! Exit codes: 0 ok / compliant; 1 `--check` found changes or validation found errors; 2 usage,
//! parse or I/O error. A closed pipe on stdout (`webxsl ... | head`) is not an error.

mod apply;
mod csp;
mod diff;
mod inspect;
mod manifest;
mod output;
mod probe;
mod profiles;
mod validate;
mod xslt;

use clap::{Parser, Subcommand};

/// Exit code: success / compliant.
pub const EXIT_OK: i32 = 0;
/// Exit code: `--check` found changes, or validation found errors.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage, parse or I/O error.
pub const EXIT_ERROR: i32 = 2;

/// Harden IIS web.config files: generate, apply (with a minimal diff), diff and validate HTTP
/// security headers, with a built-in XSLT 1.0 engine.
#[derive(Parser, Debug)]
#[command(name = "webxsl", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Apply an XSLT stylesheet or a header profile to web.config files, keeping the diff minimal
    Apply(Lazy<apply::ApplyArgs>),
    /// Run an XSLT 1.0 stylesheet on an XML file, like xsltproc
    Xslt(Lazy<xslt::XsltArgs>),
    /// Compare two web.config files: unified diff plus headers added, removed and changed
    Diff(Lazy<diff::DiffArgs>),
    /// Generate a shared-configuration template (XSL or XDT) from a header profile
    Generate(Lazy<profiles::GenerateArgs>),
    /// List the built-in header profiles, or show one as TOML
    Profiles(Lazy<profiles::ProfilesArgs>),
    /// Check web.config files: IIS rules, header syntax, security grade
    Validate(Lazy<validate::ValidateArgs>),
    /// Check every web.config webxsl.toml covers: the diff to what it makes of them, findings, grades
    Check(Lazy<manifest::CheckArgs>),
    /// Write what webxsl.toml makes of every web.config it covers (what check would change)
    Sync(Lazy<manifest::SyncArgs>),
    /// Write a starter webxsl.toml for the web.config files of a repository
    Init(Lazy<manifest::InitArgs>),
    /// Parse web.config files and show their encoding, layout and structure
    Inspect(Lazy<inspect::InspectArgs>),
    /// Content-Security-Policy reports: learn a policy change from them, or collect them
    Csp(Lazy<csp::CspArgs>),
    /// Fetch live URLs and check what they really send: rules, drift, grade
    Probe(Lazy<probe::ProbeArgs>),
}

/// A subcommand's arguments, declared only when that subcommand is parsed (or its help
/// shown): clap would otherwise build every subcommand's arguments on every run, a tenth of the
/// instructions of `apply` on a small file.
#[derive(Debug)]
struct Lazy<T>(T);

impl<T: clap::Args> clap::Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|c| keep_about(c, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|c| keep_about(c, T::augment_args_for_update))
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

/// Adds the arguments, keeping the subcommand's description: the subcommand's own (the enum
/// variant's) was set first and must win over the argument struct's, as when the arguments
/// were added before it.
fn keep_about(c: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    use clap::builder::Resettable;
    let (about, long_about) = (c.get_about().cloned(), c.get_long_about().cloned());
    // `None` resets what the argument struct set.
    augment(c)
        .about(Resettable::from(about))
        .long_about(Resettable::from(long_about))
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(m).map(Lazy)
    }
    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(m).map(Lazy)
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(m)
    }
    fn update_from_arg_matches_mut(&mut self, m: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(m)
    }
}

/// Stylesheet parameters, as xsltproc takes them.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct ParamArgs {
    /// Pass a parameter whose value is an XPath expression
    #[arg(long, num_args = 2, value_names = ["NAME", "XPATH"], action = clap::ArgAction::Append)]
    pub(crate) param: Vec<String>,
    /// Pass a parameter whose value is a string
    #[arg(long, num_args = 2, value_names = ["NAME", "VALUE"], action = clap::ArgAction::Append)]
    pub(crate) stringparam: Vec<String>,
}

/// `--iis-version`: whose server-level defaults (default applicationHost.config) to assume.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum IisArg {
    /// IIS 8.5 (Windows Server 2012 R2)
    #[value(name = "8.5")]
    V85,
    /// IIS 10 (Windows Server 2016 and later)
    #[default]
    #[value(name = "10")]
    V10,
}

impl IisArg {
    pub(crate) fn version(self) -> webxsl::iis::IisVersion {
        match self {
            IisArg::V85 => webxsl::iis::IisVersion::Iis85,
            IisArg::V10 => webxsl::iis::IisVersion::Iis10,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Stack for worker threads: template recursion is bounded (3000 levels by default), and each
/// level takes some stack; the memory is only committed when used.
pub const STACK_SIZE: usize = 256 * 1024 * 1024;

/// Parses the arguments, runs the command and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => output::report(e),
    }
}

/// The current time for EXSLT's date functions from `SOURCE_DATE_EPOCH` (seconds since
/// 1970-01-01T00:00:00Z), as xsltproc reads it, so that reproducible builds stay reproducible;
/// unset or not a whole number of seconds: the clock.
fn source_date_epoch() -> Option<i64> {
    let v = std::env::var("SOURCE_DATE_EPOCH").ok()?;
    let secs = v.trim().parse::<i64>();
    if secs.is_err() {
        eprintln!(
            "webxsl: warning: SOURCE_DATE_EPOCH={v:?} is not a whole number of seconds; the date functions read the clock"
        );
    }
    secs.ok()
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Inspect(Lazy(args)) => inspect::run(args),
        Command::Apply(Lazy(args)) => apply::run(args),
        Command::Xslt(Lazy(args)) => xslt::run(args),
        Command::Diff(Lazy(args)) => diff::run(args),
        Command::Generate(Lazy(args)) => profiles::run_generate(args),
        Command::Profiles(Lazy(args)) => profiles::run_profiles(args),
        Command::Validate(Lazy(args)) => validate::run(args),
        Command::Check(Lazy(args)) => manifest::run_check(args),
        Command::Sync(Lazy(args)) => manifest::run_sync(args),
        Command::Init(Lazy(args)) => manifest::run_init(args),
        Command::Csp(Lazy(args)) => csp::run(args),
        Command::Probe(Lazy(args)) => probe::run(args),
    }
}
