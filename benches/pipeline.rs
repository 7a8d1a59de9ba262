//! Benchmarks of each stage of the pipeline, on a typical web.config (a bundled sample, a few
//! KB) and on a large generated one (~20 MB: appSettings, handlers and thousands of
//! `<location>` sections; `examples/gen-configs.rs`).
//!
//! ```text
//! cargo bench --bench pipeline                 # everything (about two minutes)
//! cargo bench --bench pipeline -- transform    # benchmarks whose name contains "transform"
//! ```
//!
//! Each benchmark takes 10 samples of one run: a run on the large input lasts up to a second.
//!
//! `roxmltree_parse` is the floor: a bare parse of the same bytes with no positions kept and
//! nothing converted. `benches/compare.sh` times whole processes against xsltproc.

use std::path::Path;
use std::sync::LazyLock;

use divan::{Bencher, black_box};
use webxsl::apply::{
    ApplyOptions, ProfileTransform, apply_profile, apply_stylesheet, apply_transforms,
    profile_stylesheet,
};
use webxsl::validate::{ValidateOptions, validate};
use webxsl::xml::{Document, Limits};
use webxsl::xpath::{SimpleEnv, XPath};
use webxsl::xslt::{Stylesheet, TransformOptions, serialize};

#[path = "../examples/gen-configs.rs"]
#[allow(dead_code)]
mod gen_configs;

fn main() {
    divan::main();
}

static SMALL: LazyLock<Vec<u8>> = LazyLock::new(|| {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/aspnet-mvc/web.config"))
        .unwrap()
});

static LARGE: LazyLock<Vec<u8>> = LazyLock::new(|| gen_configs::large(20_000_000).into_bytes());

static FACTORY: LazyLock<Stylesheet> = LazyLock::new(|| {
    Stylesheet::from_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/factory-configuration.xsl"),
    )
    .unwrap()
});

const SIZES: &[&str] = &["small", "large"];

fn input(size: &str) -> &'static [u8] {
    match size {
        "small" => &SMALL,
        _ => &LARGE,
    }
}

fn bytes(size: &str) -> divan::counter::BytesCount {
    divan::counter::BytesCount::new(input(size).len())
}

#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn roxmltree_parse(b: Bencher, size: &str) {
    let text = std::str::from_utf8(input(size)).unwrap();
    b.counter(bytes(size)).bench(|| {
        roxmltree::Document::parse(black_box(text))
            .unwrap()
            .descendants()
            .count()
    });
}

#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn parse(b: Bencher, size: &str) {
    b.counter(bytes(size))
        .bench(|| Document::parse(black_box(input(size)), &Limits::default()).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn xpath(b: Bencher, size: &str) {
    let doc = Document::parse(input(size), &Limits::default()).unwrap();
    let e = XPath::compile(
        "count(//location[system.webServer/security]) + count(/configuration/appSettings/add[starts-with(@key, 'Tenant.1')]) + count(//add[@name='X-Frame-Options'])",
    )
    .unwrap();
    b.counter(bytes(size)).bench(|| {
        let mut env = SimpleEnv::new(doc.tree());
        e.evaluate(&mut env).unwrap()
    });
}

#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn transform(b: Bencher, size: &str) {
    let doc = Document::parse(input(size), &Limits::default()).unwrap();
    b.counter(bytes(size)).bench(|| {
        FACTORY
            .transform(doc.tree(), &TransformOptions::default())
            .unwrap()
    });
}

#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn serialize_result(b: Bencher, size: &str) {
    let doc = Document::parse(input(size), &Limits::default()).unwrap();
    let r = FACTORY
        .transform(doc.tree(), &TransformOptions::default())
        .unwrap();
    b.counter(bytes(size))
        .bench(|| serialize(&r.tree, &r.output).unwrap());
}

/// The whole of `webxsl xslt`: parse, transform, serialize.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn xslt_end_to_end(b: Bencher, size: &str) {
    b.counter(bytes(size)).bench(|| {
        let doc = Document::parse(input(size), &Limits::default()).unwrap();
        let r = FACTORY
            .transform(doc.tree(), &TransformOptions::default())
            .unwrap();
        serialize(&r.tree, &r.output).unwrap()
    });
}

/// The main job: the Factory Configuration template as a minimal edit.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn apply_minimal(b: Bencher, size: &str) {
    b.counter(bytes(size))
        .bench(|| apply_stylesheet(&FACTORY, input(size), &ApplyOptions::default()).unwrap());
}

/// A profile through its generated stylesheet, compiled once.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn apply_recommended(b: Bencher, size: &str) {
    let p = webxsl::profile::presets::get("recommended").unwrap();
    let sheet = profile_stylesheet(&p);
    b.counter(bytes(size))
        .bench(|| apply_stylesheet(&sheet, input(size), &ApplyOptions::default()).unwrap());
}

/// A profile applied natively (what `apply --profile` does), without the stylesheet.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn apply_recommended_native(b: Bencher, size: &str) {
    let p = webxsl::profile::presets::get("recommended").unwrap();
    let t = ProfileTransform::new(&p);
    b.counter(bytes(size))
        .bench(|| t.apply(input(size), &ApplyOptions::default()).unwrap());
}

/// The `recommended` profile as an XDT transform (`generate --format xdt`), parsed once.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn apply_xdt(b: Bencher, size: &str) {
    let p = webxsl::profile::presets::get("recommended").unwrap();
    let xdt = webxsl::xdt::XdtTransform::from_str(&webxsl::generate::xdt(&p), "x.config").unwrap();
    b.counter(bytes(size))
        .bench(|| apply_transforms(&[&xdt], input(size), &ApplyOptions::default()).unwrap());
}

/// A profile on one small file, from the profile (what one file costs).
#[divan::bench]
fn apply_recommended_small() {
    let p = webxsl::profile::presets::get("recommended").unwrap();
    apply_profile(&p, black_box(&SMALL), &ApplyOptions::default()).unwrap();
}

#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn validate_file(b: Bencher, size: &str) {
    b.counter(bytes(size))
        .bench(|| validate("web.config", input(size), &ValidateOptions::default()));
}

/// `csp learn` on a day of a busy site's reports: 50,000 JSON lines (14 MB) as a collector
/// writes them, parsed and learned from.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn csp_learn(b: Bencher) {
    use webxsl::reports::{learn, parse};
    let text: String = (0..50_000)
        .map(|i| {
            format!(
                concat!(
                    r#"{{"csp-report":{{"document-uri":"https://shop.example.com/p/{}","#,
                    r#""violated-directive":"script-src-elem","effective-directive":"script-src-elem","#,
                    r#""original-policy":"default-src 'self'","disposition":"enforce","#,
                    r#""blocked-uri":"https://cdn{}.example.net/lib/{}.js","status-code":200}}}}"#,
                    "\n"
                ),
                i % 1000,
                i % 300,
                i % 50
            )
        })
        .collect();
    let opts = learn::LearnOptions {
        site: Some("https://shop.example.com".into()),
    };
    b.counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| learn::learn(&parse::parse_text("reports.jsonl", &text).reports, &opts));
}
