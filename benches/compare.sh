#!/usr/bin/env bash
# Times whole webxsl processes against xsltproc, side by side, in one run, and prints the ratios
# the performance goals are stated in (docs/performance.md).
#
#   bash benches/compare.sh            # from the repository root, after `cargo build --release`
#   RUNS=3 bash benches/compare.sh     # fewer runs of the large cases
#
# Needs hyperfine, xsltproc, GNU time (/usr/bin/time) and python3; installs the first three with
# apt-get when they are missing and it can. Inputs are generated into target/compare/ (not
# committed): a ~20 MB and a ~10 MB multi-tenant web.config and 1,000 small web.configs.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
OUT=target/compare
mkdir -p "$OUT"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v xsltproc >/dev/null || need+=(xsltproc)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null; then
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO=sudo
        $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "compare.sh: please install: ${need[*]}" >&2
        exit 2
    fi
fi

# The binary under test, and the input generator (an example: not built by `cargo build`).
cargo build --release --quiet --bin webxsl --example gen-configs
WEBXSL=$PWD/target/release/webxsl
GEN=$PWD/target/release/examples/gen-configs
XSL=$PWD/templates/factory-configuration.xsl
SMALL=$PWD/samples/outsystems-module/web.config

[ -f "$OUT/large.config" ] || "$GEN" large "$OUT/large.config" 20
[ -f "$OUT/half.config" ] || "$GEN" large "$OUT/half.config" 10
[ -d "$OUT/batch" ] || "$GEN" batch "$OUT/batch" 1000

# Same stylesheet, same input, same output: the comparison is only fair if the results agree.
"$WEBXSL" xslt "$XSL" "$OUT/large.config" >"$OUT/webxsl.out"
xsltproc "$XSL" "$OUT/large.config" >"$OUT/xsltproc.out"
if ! cmp -s "$OUT/webxsl.out" "$OUT/xsltproc.out"; then
    echo "compare.sh: webxsl and xsltproc disagree on the large input" >&2
    exit 1
fi

J=$OUT/json
mkdir -p "$J"
hf() { # name, hyperfine options...
    local name=$1
    shift
    hyperfine --style basic --export-json "$J/$name.json" "$@" | sed -n '/Time (mean/p;/Summary/,$p'
}

echo "== small input ($(wc -c <"$SMALL") bytes): whole processes"
hf small -N --warmup 20 --runs 300 \
    -n webxsl "$WEBXSL xslt $XSL $SMALL" \
    -n xsltproc "xsltproc $XSL $SMALL"

echo "== large input and half of it"
hf large -N --warmup 1 --runs "$RUNS" \
    -n webxsl "$WEBXSL xslt $XSL $OUT/large.config" \
    -n xsltproc "xsltproc $XSL $OUT/large.config"
hf half -N --warmup 1 --runs "$RUNS" \
    -n webxsl "$WEBXSL xslt $XSL $OUT/half.config" \
    -n xsltproc "xsltproc $XSL $OUT/half.config"

echo "== 1,000 small web.configs rewritten in place"
# webxsl writes each file atomically (temporary file, fsync, rename); the xsltproc loop does
# the same without the fsync, which only favours xsltproc. Factory Configuration adds a second
# X-Frame-Options to the configs that already have one: webxsl refuses to write those (HTTP
# 500.19) unless --allow-broken, which the loop's work needs.
hf batch --warmup 1 --runs "$RUNS" \
    --prepare "rm -rf $OUT/work && cp -r $OUT/batch $OUT/work" \
    -n webxsl "$WEBXSL apply --xsl $XSL --allow-broken --in-place $OUT/work/*/web.config" \
    -n "xsltproc loop" "for f in $OUT/work/*/web.config; do xsltproc -o \"\$f.new\" $XSL \"\$f\" && mv \"\$f.new\" \"\$f\"; done"

echo "== the main job on the large input: apply (minimal edit, verified) against xsltproc"
hf apply -N --warmup 1 --runs "$RUNS" \
    -n "webxsl apply" "$WEBXSL apply --xsl $XSL $OUT/large.config" \
    -n xsltproc "xsltproc $XSL $OUT/large.config"

echo "== validate on the large input"
hf validate -N -i --warmup 1 --runs "$RUNS" \
    -n "webxsl validate" "$WEBXSL validate $OUT/large.config"
FLOOR=$("$GEN" parse-floor "$OUT/large.config")

echo "== a profile against a hand-written stylesheet of the same effect, small input"
# benches/recommended-by-hand.xsl gives the sample what the recommended profile gives it.
if ! cmp -s <("$WEBXSL" apply --profile recommended "$SMALL") <("$WEBXSL" apply --xsl benches/recommended-by-hand.xsl "$SMALL"); then
    echo "compare.sh: the profile and benches/recommended-by-hand.xsl disagree on $SMALL" >&2
    exit 1
fi
hf profile -N --warmup 20 --runs 300 \
    -n "apply --profile" "$WEBXSL apply --profile recommended $SMALL" \
    -n "apply --xsl" "$WEBXSL apply --xsl benches/recommended-by-hand.xsl $SMALL"

echo "== 1,000 small web.configs: validate and apply (--check: nothing written) against reading them"
hf many -i --warmup 2 --runs "$RUNS" \
    -n read "cat $OUT/batch/*/web.config >/dev/null" \
    -n validate "$WEBXSL validate $OUT/batch/*/web.config >/dev/null" \
    -n apply "$WEBXSL apply --xsl $XSL --allow-broken --check $OUT/batch/*/web.config >/dev/null"

echo "== the process floor: webxsl --version against a hello-world built the same way"
HELLO=$OUT/hello
mkdir -p "$HELLO/src"
{
    printf '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2024"\n\n[workspace]\n\n'
    sed -n '/^\[profile.release\]/,/^$/p' Cargo.toml
} >"$HELLO/Cargo.toml"
echo 'fn main() { println!("hello 0.1.0"); }' >"$HELLO/src/main.rs"
cargo build --release --quiet --manifest-path "$HELLO/Cargo.toml" --target-dir "$HELLO/target"
hf floor -N --warmup 50 --runs 1000 \
    -n "webxsl --version" "$WEBXSL --version" \
    -n hello "$HELLO/target/release/hello"

echo "== peak memory (max RSS) on the large input"
/usr/bin/time -f %M -o "$J/mem-webxsl" "$WEBXSL" xslt "$XSL" "$OUT/large.config" >/dev/null
/usr/bin/time -f %M -o "$J/mem-apply" "$WEBXSL" apply --xsl "$XSL" "$OUT/large.config" >/dev/null
/usr/bin/time -f %M -o "$J/mem-xsltproc" xsltproc "$XSL" "$OUT/large.config" >/dev/null

python3 - "$J" "$FLOOR" "$(wc -c <"$OUT/large.config")" <<'PY'
import json, sys, os
j, floor, size = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
def t(name, cmd, stat="median"):
    for r in json.load(open(os.path.join(j, name + ".json")))["results"]:
        if r["command"] == cmd:
            return r[stat]
    raise SystemExit(f"no {cmd} in {name}")
mem = {k: int(open(os.path.join(j, "mem-" + k)).read().split()[-1]) / 1024 for k in ("webxsl", "apply", "xsltproc")}
mb = size / 1e6
rows = [
    ("apply --xsl large: time / xsltproc", t("apply", "webxsl apply") / t("apply", "xsltproc"), "<=", 0.5),
    ("apply --xsl large: memory / xsltproc", mem["apply"] / mem["xsltproc"], "<=", 0.5),
    ("xslt large: time / xsltproc", t("large", "webxsl") / t("large", "xsltproc"), "<=", 0.4),
    ("xslt large: memory / xsltproc", mem["webxsl"] / mem["xsltproc"], "<=", 0.4),
    ("apply --profile / --xsl, small", t("profile", "apply --profile") / t("profile", "apply --xsl"), "<=", 1.2),
    ("validate large / roxmltree parse", t("validate", "webxsl validate") / floor, "<=", 2.0),
    ("validate 1,000 files / reading them", t("many", "validate") / t("many", "read"), "<=", 2.0),
    ("apply 1,000 files / reading them", t("many", "apply") / t("many", "read"), "<=", 2.0),
    ("--version / hello-world", t("floor", "webxsl --version") / t("floor", "hello"), "<=", 1.0),
    ("small xslt: time / xsltproc", t("small", "webxsl") / t("small", "xsltproc"), "<=", 1.0),
    ("batch in place: xsltproc loop / webxsl", t("batch", "xsltproc loop") / t("batch", "webxsl"), ">=", 5.0),
    ("scaling: xslt large / half", t("large", "webxsl") / t("half", "webxsl"), "<=", 2.1),
]
print()
print(f"large input {mb:.1f} MB; medians; peak memory: webxsl xslt {mem['webxsl']:.0f} MB, "
      f"apply {mem['apply']:.0f} MB, xsltproc {mem['xsltproc']:.0f} MB")
print(f"large: webxsl apply {t('apply', 'webxsl apply'):.2f} s, xsltproc {t('apply', 'xsltproc'):.2f} s, "
      f"webxsl xslt {t('large', 'webxsl'):.2f} s, validate {t('validate', 'webxsl validate'):.2f} s, "
      f"roxmltree parse {floor:.2f} s")
print(f"small: apply --profile {t('profile', 'apply --profile') * 1000:.1f} ms, apply --xsl "
      f"{t('profile', 'apply --xsl') * 1000:.1f} ms; --version {t('floor', 'webxsl --version') * 1000:.2f} ms, "
      f"hello {t('floor', 'hello') * 1000:.2f} ms")
print(f"1,000 files: read {t('many', 'read') * 1000:.0f} ms, validate {t('many', 'validate') * 1000:.0f} ms, "
      f"apply {t('many', 'apply') * 1000:.0f} ms")
print(f"{'ratio':<42} {'measured':>9} {'goal':>8}")
for name, v, op, goal in rows:
    ok = v <= goal if op == "<=" else v >= goal
    print(f"{name:<42} {v:>9.2f} {op + ' ' + str(goal):>8}  {'met' if ok else 'NOT MET'}")
PY
