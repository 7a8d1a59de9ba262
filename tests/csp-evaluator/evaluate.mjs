// Evaluates Content-Security-Policy header values with Google's csp-evaluator (npm `csp_evaluator`,
// pinned in package-lock.json beside this file, installed by scripts/setup into
// target/csp-evaluator): the reference of webxsl's CSP findings.
//
//   node tests/csp-evaluator/evaluate.mjs [OPTIONS] [PATH/TO/csp_evaluator] < policies.jsonl > findings.jsonl
//
// PATH defaults to $WEBXSL_CSP_EVALUATOR, else target/csp-evaluator/node_modules/csp_evaluator.
// Input: one JSON object a line, {"id": ANY, "policy": "<CSP header value>"}; blank lines are
// skipped. Output: one JSON line per input line, in order:
//   {"id": ANY, "findings": [{"directive", "value" (string or null), "type", "type_name",
//                             "severity", "severity_name", "description"}, ...]}
// or {"id": ANY, "error": "..."} when the input line is not such an object or csp-evaluator
// throws (it does, e.g., on a source whose port is not a number: `script-src a.com:x`).
//
// What runs, by default exactly what `new CspEvaluator(new CspParser(policy).csp).evaluate()`
// does: the policy as a CSP3 browser sees it (Csp.getEffectiveCsp, which also reports the
// IGNORED findings, severity NONE, up to three times each) checked with DEFAULT_CHECKS, in the
// order evaluate() returns them; STRICTCSP_CHECKS are not part of evaluate()'s default. Options:
//   --strict     also run STRICTCSP_CHECKS (strict-dynamic, 'unsafe-inline'/allowlist fallbacks,
//                Trusted Types) on the policy as written, i.e. evaluate(STRICTCSP_CHECKS): what
//                the csp-evaluator web page appears to run (its "strict CSP" hints).
//   --version=N  CSP version 1, 2 or 3 (default 3, the web page's default).
//   --check      add "check": the name of the check function that made each finding
//                ("getEffectiveCsp" for the IGNORED ones).
// A line may override the first two for itself: {"id", "policy", "strict": true, "version": 2}.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const opts = { strict: false, version: 3, check: false };
let dir = null;
for (const arg of process.argv.slice(2)) {
  if (arg === "--strict") opts.strict = true;
  else if (arg === "--check") opts.check = true;
  else if (arg.startsWith("--version=")) opts.version = Number(arg.slice("--version=".length));
  else if (arg.startsWith("--")) {
    console.error(`evaluate.mjs: unknown option ${arg}`);
    process.exit(2);
  } else dir = arg;
}
if (![1, 2, 3].includes(opts.version)) {
  console.error("evaluate.mjs: --version must be 1, 2 or 3");
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
dir = path.resolve(
  dir || process.env.WEBXSL_CSP_EVALUATOR || path.join(root, "target/csp-evaluator/node_modules/csp_evaluator"),
);
if (!fs.existsSync(path.join(dir, "dist", "evaluator.js"))) {
  console.error(`evaluate.mjs: no csp_evaluator at ${dir} (run scripts/setup)`);
  process.exit(2);
}

const require = createRequire(path.join(dir, "package.json"));
const { CspEvaluator, DEFAULT_CHECKS, STRICTCSP_CHECKS } = require("./dist/evaluator.js");
const { CspParser } = require("./dist/parser.js");
const { Severity, Type } = require("./dist/finding.js");

// Tags every finding with the check that made it (only used for --check / "check").
const made = new WeakMap();
const tag = (check) => {
  const tagged = (csp) => {
    const findings = check(csp);
    for (const f of findings) made.set(f, check.name);
    return findings;
  };
  return tagged;
};
const defaults = DEFAULT_CHECKS.map(tag);
const stricts = STRICTCSP_CHECKS.map(tag);

function evaluate(policy, strict, version) {
  const parsed = new CspParser(policy).csp;
  const findings = new CspEvaluator(parsed, version).evaluate(strict ? stricts : undefined, defaults);
  return findings.map((f) => {
    const out = {
      directive: f.directive,
      value: f.value === undefined ? null : f.value,
      type: f.type,
      type_name: Type[f.type],
      severity: f.severity,
      severity_name: Severity[f.severity],
      description: f.description,
    };
    if (opts.check) out.check = made.get(f) || "getEffectiveCsp";
    return out;
  });
}

function answer(line) {
  let input;
  try {
    input = JSON.parse(line);
  } catch (e) {
    return { id: null, error: `bad input line: ${e.message}` };
  }
  if (input === null || typeof input !== "object" || typeof input.policy !== "string") {
    return { id: input?.id ?? null, error: 'an input line must be {"id": ..., "policy": "..."}' };
  }
  const id = input.id === undefined ? null : input.id;
  const strict = input.strict === undefined ? opts.strict : Boolean(input.strict);
  const version = input.version === undefined ? opts.version : Number(input.version);
  if (![1, 2, 3].includes(version)) return { id, error: '"version" must be 1, 2 or 3' };
  try {
    return { id, findings: evaluate(input.policy, strict, version) };
  } catch (e) {
    return { id, error: `${e.name}: ${e.message}` };
  }
}

// One write per answer, so that a caller may also talk to it a line at a time.
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === "") continue;
  process.stdout.write(JSON.stringify(answer(line)) + "\n");
}
