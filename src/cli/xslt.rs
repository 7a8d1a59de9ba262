//! `webxsl xslt`: run an XSLT 1.0 stylesheet like xsltproc.

use std::io::Read;
use std::path::{Path, PathBuf};

use webxsl::xml::{Document, Limits};
use webxsl::xpath::ExpandedName;
use webxsl::xslt::{ParamValue, Stylesheet, TransformOptions, XsltError, serialize};

use super::output::{Failure, write_file_atomic, write_stdout, xml_diagnostic};
use super::{EXIT_ERROR, EXIT_OK, ParamArgs};

/// `webxsl xslt`
#[derive(clap::Args, Debug)]
pub struct XsltArgs {
    /// The stylesheet
    stylesheet: PathBuf,
    /// The input document (`-` for stdin)
    input: String,
    /// Write the result here instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Allow document() to read local files
    #[arg(long)]
    allow_document: bool,
    /// Accept a DTD in the input (internal subset only; external entities are never read)
    #[arg(long)]
    allow_dtd: bool,
    #[command(flatten)]
    params: ParamArgs,
}

/// Compiles a stylesheet, turning errors into positioned diagnostics.
pub fn compile(path: &Path) -> Result<Stylesheet, Failure> {
    let sheet = Stylesheet::from_file(path).map_err(|e| xslt_failure(&e))?;
    for w in sheet.warnings() {
        eprint!("{}", w.to_warning().render());
    }
    Ok(sheet)
}

pub fn xslt_failure(e: &XsltError) -> Failure {
    Failure::diagnostic(&e.to_diagnostic())
}

/// Stylesheet parameters from `--param` and `--stringparam`.
pub fn params(p: &ParamArgs) -> Vec<(ExpandedName, ParamValue)> {
    let mut out = Vec::new();
    for pair in p.param.chunks(2) {
        out.push((
            ExpandedName::local(&pair[0]),
            ParamValue::XPath(pair[1].clone()),
        ));
    }
    for pair in p.stringparam.chunks(2) {
        out.push((
            ExpandedName::local(&pair[0]),
            ParamValue::String(pair[1].clone()),
        ));
    }
    out
}

pub fn run(args: XsltArgs) -> anyhow::Result<i32> {
    let sheet = compile(&args.stylesheet)?;
    let limits = if args.allow_dtd {
        Limits::with_dtd()
    } else {
        Limits::default()
    };
    let (name, bytes) = if args.input == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b)?;
        ("<stdin>".to_owned(), b)
    } else {
        let b = std::fs::read(&args.input).map_err(|e| Failure {
            code: EXIT_ERROR,
            rendered: webxsl::diag::Diagnostic::error(format!("cannot read: {e}"))
                .in_file(args.input.clone())
                .render(),
        })?;
        (args.input.clone(), b)
    };
    let doc = Document::parse(&bytes, &limits)
        .map_err(|e| Failure::diagnostic(&xml_diagnostic(&name, &bytes, &e)))?;
    let opts = TransformOptions {
        params: params(&args.params),
        allow_document: args.allow_document,
        document_limits: limits,
        ..TransformOptions::default()
    };
    let result = sheet.transform(doc.tree(), &opts);
    let result = match result {
        Ok(r) => r,
        Err(e) => return Err(xslt_failure(&e).into()),
    };
    for m in &result.messages {
        eprintln!("{m}");
    }
    let bytes = serialize(&result.tree, &result.output).map_err(|e| xslt_failure(&e))?;
    match &args.output {
        Some(path) => write_file_atomic(path, &bytes)?,
        None => write_stdout(&bytes)?,
    }
    Ok(EXIT_OK)
}
