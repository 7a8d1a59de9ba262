//! What every process pays before `main`: the shared libraries the dynamic loader opens.
//! Every run of webxsl (a deployment script may start one per file) loads and relocates each
//! of them, so a library only some commands need is opened when they need it
//! (`src/xslt/ext/cmath.rs` for the C math library).

mod support;

use support::{stdout, temp_dir, webxsl};

/// The binary needs glibc's C library and the unwinder only: not `libm.so.6`, which it opens
/// when a stylesheet calls a math function.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_binary_loads_the_c_library_only() {
    let bin = env!("CARGO_BIN_EXE_webxsl");
    let o = std::process::Command::new("ldd")
        .arg(bin)
        .output()
        .expect("ldd (glibc's libc-bin) runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listed = String::from_utf8_lossy(&o.stdout);
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect();
    assert!(names.contains(&"libc.so.6"), "{listed}");
    for name in &names {
        assert!(
            ["linux-vdso.so.1", "libgcc_s.so.1", "libc.so.6"].contains(name)
                || name.starts_with("ld-linux"),
            "{name} is loaded by every process:\n{listed}"
        );
    }
}

/// The math functions work where the library is opened on first use, with C's results.
#[test]
fn math_functions_in_a_stylesheet() {
    let dir = temp_dir("startup-math");
    let xsl = dir.join("m.xsl");
    std::fs::write(
        &xsl,
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:math="http://exslt.org/math" xmlns:date="http://exslt.org/dates-and-times">
  <xsl:output method="text"/>
  <xsl:template match="/">
    <xsl:value-of select="concat(math:exp(1), ' ', math:power(2, 0.5), ' ', math:atan2(1, 0),
                                 ' ', math:log(10), ' ', date:seconds('PT0.25S'),
                                 ' ', date:duration(1.5))"/>
  </xsl:template>
</xsl:stylesheet>"#,
    )
    .unwrap();
    let xml = dir.join("a.xml");
    std::fs::write(&xml, "<a/>").unwrap();
    let o = webxsl()
        .args(["xslt", xsl.to_str().unwrap(), xml.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        stdout(&o),
        "2.718281828459045 1.4142135623730951 1.5707963267948966 2.302585092994046 0.25 PT1.5S"
    );
}
