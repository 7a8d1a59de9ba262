//! `webxsl profiles` and `webxsl generate`.

use std::path::PathBuf;

use webxsl::diag::Diagnostic;
use webxsl::manifest::Manifest;
use webxsl::profile::{self, Profile, ProfileError, presets};

use super::output::{Failure, write_file_atomic, write_stdout};
use super::{EXIT_ERROR, EXIT_OK};

/// `webxsl profiles`
#[derive(clap::Args, Debug)]
pub struct ProfilesArgs {
    #[command(subcommand)]
    action: Option<ProfilesAction>,
}

#[derive(clap::Subcommand, Debug)]
enum ProfilesAction {
    /// Print a preset, or a profile of webxsl.toml resolved, as TOML
    Show {
        /// Preset or webxsl.toml profile name
        name: String,
    },
}

/// `webxsl generate`
#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// Header profile: a preset name or a TOML/JSON file
    #[arg(long, value_name = "NAME|FILE")]
    profile: String,
    /// Template format: XSLT 1.0 for Factory Configuration, or an XDT Web.config transform
    #[arg(long, value_enum, default_value_t = TemplateFormat::Xsl)]
    format: TemplateFormat,
    /// Write the template here instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum TemplateFormat {
    Xsl,
    Xdt,
}

/// Loads a profile — one the repository's webxsl.toml defines, a preset or a file — turning
/// errors into positioned diagnostics.
pub fn load(name: &str) -> Result<Profile, Failure> {
    if let Some(m) = manifest_defining(name)? {
        return m
            .profile(name)
            .map_err(|e| Failure::diagnostic(e.diagnostic()));
    }
    profile::load(name).map_err(|e: ProfileError| Failure::diagnostic(&e.to_diagnostic()))
}

/// The manifest above the current directory, if it defines profile `name`.
fn manifest_defining(name: &str) -> Result<Option<Manifest>, Failure> {
    let Some(path) = std::env::current_dir()
        .ok()
        .and_then(|d| Manifest::find(&d))
    else {
        return Ok(None);
    };
    // Only a manifest that names the profile is loaded (its errors then matter).
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    if !text.contains(name) {
        return Ok(None);
    }
    let m = Manifest::load(&path).map_err(|e| Failure::diagnostic(e.diagnostic()))?;
    let defines = m.profile_names().any(|n| n == name);
    Ok(defines.then_some(m))
}

pub fn run_profiles(args: ProfilesArgs) -> anyhow::Result<i32> {
    match args.action {
        None => {
            let mut out = String::new();
            let width = presets::NAMES.iter().map(|n| n.len()).max().unwrap_or(0);
            for n in presets::NAMES {
                let p = presets::get(n).expect("listed presets exist");
                out.push_str(&format!("{n:width$}  {}\n", p.description));
            }
            out.push_str("\nwebxsl profiles show NAME prints one as TOML; webxsl generate --profile NAME writes its template.\n");
            write_stdout(out.as_bytes())?;
            Ok(EXIT_OK)
        }
        Some(ProfilesAction::Show { name }) => {
            if let Some(m) = manifest_defining(&name)? {
                let text = m
                    .profile_toml(&name)
                    .map_err(|e| Failure::diagnostic(e.diagnostic()))?;
                write_stdout(format!("# {name}, resolved from {}\n{text}", m.shown()).as_bytes())?;
                return Ok(EXIT_OK);
            }
            show_preset(&name)
        }
    }
}

/// Prints a preset as written.
fn show_preset(name: &str) -> anyhow::Result<i32> {
    match presets::text(name) {
        Some(t) => {
            write_stdout(t.as_bytes())?;
            Ok(EXIT_OK)
        }
        None => {
            eprintln!(
                "webxsl: error: no preset named \"{name}\" (presets: {})",
                presets::NAMES.join(", ")
            );
            Ok(EXIT_ERROR)
        }
    }
}

pub fn run_generate(args: GenerateArgs) -> anyhow::Result<i32> {
    let p = load(&args.profile)?;
    // Never hand out a template that would take a site down (HTTP 500.19).
    if let Err(why) = webxsl::apply::check_generated(&p, args.format == TemplateFormat::Xdt) {
        return Err(Failure {
            code: EXIT_ERROR,
            rendered: Diagnostic::error(why)
                .in_file(args.profile.clone())
                .render(),
        }
        .into());
    }
    let text = match args.format {
        TemplateFormat::Xsl => webxsl::generate::xsl(&p),
        TemplateFormat::Xdt => webxsl::generate::xdt(&p),
    };
    match &args.output {
        Some(path) => write_file_atomic(path, text.as_bytes())?,
        None => write_stdout(text.as_bytes())?,
    }
    Ok(EXIT_OK)
}
