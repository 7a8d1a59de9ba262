//! `webxsl validate`: rules, grade and reports for web.config files.

use std::io::Read as _;
use std::path::PathBuf;

use webxsl::validate::{self, FileReport, RULES, ValidateOptions, report};

use super::apply::{expand_files, read_failure};
use super::output::{
    below_min_grade, check_ignore, list_rules, map_in_order, min_grade, write_file_atomic,
    write_stdout,
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
    if args.files.is_empty() || args.files == ["-"] {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input)?;
        reports.push(validate::validate_owned("<stdin>", input, &opts));
    } else {
        let files = expand_files(&args.files)?;
        // Files are validated on every core; reports and read errors come out in file order.
        let outcomes = map_in_order(&files, |f| {
            let name = f.display().to_string();
            match std::fs::read(f) {
                Ok(bytes) => Ok(validate::validate_owned(&name, bytes, &opts)),
                Err(e) => Err(read_failure(&name, &e).rendered),
            }
        });
        for o in outcomes {
            match o {
                Ok(r) => reports.push(r),
                Err(rendered) => {
                    eprint!("{rendered}");
                    code = EXIT_ERROR;
                }
            }
        }
    }
    let mut out = match args.format {
        ValidateFormat::Human => report::human(&reports),
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
