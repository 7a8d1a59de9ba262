//! `webxsl validate`: rules, grade and reports for web.config files.

use std::io::Read as _;
use std::path::PathBuf;

use webxsl::validate::{self, FileReport, RULES, ValidateOptions, report};

use super::apply::{expand_files, read_failure};
use super::output::{
    batch_workers, below_min_grade, check_ignore, in_order, list_rules, min_grade,
    write_file_atomic, write_stdout,
};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, IisArg};

/// `webxsl validate`
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// web.config files or glob patterns (none or `-`: standard input)
    files: Vec<String>,
    /// Also check that the headers of this profile (preset name or TOML/JSON file) are set
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// Output format (html: one self-contained page)
    #[arg(long, value_enum, default_value_t = ValidateFormat::Human)]
    format: ValidateFormat,
    /// Also write an SVG badge with the grade (the lowest, with several files) to this file
    #[arg(long, value_name = "FILE.svg")]
    badge: Option<PathBuf>,
    /// Exit 1 when a file grades lower than this (A+, A, A-, B+, B, B-, C+, C, C-, D+, D, D-, F)
    #[arg(long, value_name = "GRADE")]
    min_grade: Option<String>,
    /// Drop the findings of a rule (repeat, or separate ids with commas)
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Whose server defaults to assume: entries IIS's default applicationHost.config defines
    /// cannot be added again without a <remove>
    #[arg(long, value_enum, value_name = "VERSION", default_value_t = IisArg::V10)]
    iis_version: IisArg,
    /// List the rules and exit
    #[arg(long)]
    list_rules: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ValidateFormat {
    Human,
    Json,
    Sarif,
    Html,
}

pub fn run(args: ValidateArgs) -> anyhow::Result<i32> {
    let rules: Vec<_> = RULES.iter().collect();
    if args.list_rules {
        write_stdout(list_rules(&rules).as_bytes())?;
        return Ok(EXIT_OK);
    }
    let min_rank = min_grade(args.min_grade.as_deref())?;
    check_ignore(&args.ignore, &rules, "validate")?;
    let opts = ValidateOptions {
        profile: match &args.profile {
            Some(p) => Some(super::profiles::load(p)?),
            None => None,
        },
        ignore: args.ignore.clone(),
        iis: args.iis_version.version(),
    };
    let mut code = EXIT_OK;
    let mut reports: Vec<FileReport> = Vec::new();
    // The human report's part of each file, rendered where the file was validated.
    let human = args.format == ValidateFormat::Human;
    let mut parts = String::new();
    if args.files.is_empty() || args.files == ["-"] {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input)?;
        reports.push(validate::validate_owned("<stdin>", input, &opts));
        if human {
            report::human_file(&reports[0], &mut parts);
        }
    } else {
        let files = expand_files(&args.files)?;
        // Files are validated on every core; reports and read errors come out in file order,
        // and the human report's part of each file is written as soon as those before it are.
        let mut output_error = None;
        in_order(
            &files,
            batch_workers(2),
            |f| {
                let name = f.display().to_string();
                match webxsl::xml::pages::read(f) {
                    Ok(bytes) => {
                        let mut r = validate::validate_owned(&name, bytes, &opts);
                        let mut part = String::new();
                        if human {
                            report::human_file(&r, &mut part);
                            // The rest needs only the severities and the grade: what goes is
                            // freed here, where the next file reuses it.
                            r.text = String::new();
                            r.headers = Vec::new();
                            for f in &mut r.findings {
                                f.message = String::new();
                                f.hint = String::new();
                            }
                        }
                        Ok((r, part))
                    }
                    Err(e) => Err(read_failure(&name, &e).rendered),
                }
            },
            |o| {
                match o {
                    Ok((r, part)) => {
                        reports.push(r);
                        parts.push_str(&part);
                    }
                    Err(rendered) => {
                        eprint!("{rendered}");
                        code = EXIT_ERROR;
                    }
                }
                if parts.len() >= 1 << 16 {
                    if let Err(e) = write_stdout(parts.as_bytes()) {
                        output_error = Some(e);
                        return false;
                    }
                    parts.clear();
                }
                true
            },
        );
        if let Some(e) = output_error {
            return Err(e.into());
        }
    }
    let mut out = match args.format {
        ValidateFormat::Human => {
            parts.push_str(&report::human_totals(&reports));
            parts
        }
        ValidateFormat::Json => serde_json::to_string_pretty(&report::json(&reports))?,
        ValidateFormat::Sarif => serde_json::to_string_pretty(&report::sarif(&reports))?,
        ValidateFormat::Html => webxsl::html::validate::page(&reports),
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let mut below = Vec::new();
    if let Some(min) = min_rank {
        for r in &reports {
            if let Some(g) = &r.grade {
                below.extend(below_min_grade(&r.path, g.letter, min));
            }
        }
    }
    write_stdout(out.as_bytes())?;
    if let Some(path) = &args.badge {
        let graded: Vec<_> = reports
            .iter()
            .map(|r| (r.path.as_str(), r.grade.as_ref()))
            .collect();
        write_file_atomic(path, webxsl::html::badge::svg("file", &graded).as_bytes())?;
    }
    for b in &below {
        eprint!("{b}");
    }
    if code == EXIT_OK && (reports.iter().any(FileReport::has_errors) || !below.is_empty()) {
        code = EXIT_FINDINGS;
    }
    Ok(code)
}
