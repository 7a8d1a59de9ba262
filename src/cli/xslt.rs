//! `webxsl xslt`: run an XSLT 1.0 stylesheet like xsltproc.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use webxsl::xml::parse::parse_bytes_without_spans;
use webxsl::xml::{Document, Limits};
use webxsl::xpath::ExpandedName;
use webxsl::xslt::serialize::{SerializeError, serialize_to};
use webxsl::xslt::{ParamValue, Stylesheet, TransformOptions, XsltError};

use super::output::{Failure, load_with, write_file_atomic_with, xml_diagnostic};
use super::{EXIT_OK, ParamArgs};

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
    // The input is only read: its tree needs no byte spans (16 bytes a node).
    let source = if args.input == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b)?;
        match Document::parse(&b, &limits) {
            Ok(doc) => doc.into_tree(),
            Err(e) => return Err(Failure::diagnostic(&xml_diagnostic("<stdin>", &b, &e)).into()),
        }
    } else {
        load_with(Path::new(&args.input), |b| {
            parse_bytes_without_spans(b, &limits)
        })?
    };
    let opts = TransformOptions {
        params: params(&args.params),
        allow_document: args.allow_document,
        now: super::source_date_epoch(),
        document_limits: limits,
        ..TransformOptions::default()
    };
    let result = sheet.transform(&source, &opts);
    let result = match result {
        Ok(r) => r,
        Err(e) => return Err(xslt_failure(&e).into()),
    };
    for m in &result.messages {
        eprintln!("{m}");
    }
    for w in &result.warnings {
        eprint!("{}", w.to_warning().render());
    }
    // The result is encoded and written in chunks as it is serialized.
    let mut failed = None;
    let mut write = |w: &mut dyn Write| -> std::io::Result<()> {
        match serialize_to(&result.tree, &result.output, w) {
            Ok(()) => Ok(()),
            Err(SerializeError::Io(e)) => Err(e),
            Err(SerializeError::Xslt(e)) => {
                failed = Some(e);
                Err(std::io::Error::other("the result cannot be serialized"))
            }
        }
    };
    let written = match &args.output {
        Some(path) => write_file_atomic_with(path, write),
        None => {
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(anyhow::Error::from)
        }
    };
    if let Some(e) = failed {
        return Err(xslt_failure(&e).into());
    }
    written?;
    Ok(EXIT_OK)
}
