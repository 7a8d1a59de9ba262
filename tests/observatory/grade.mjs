// Grades header sets with the MDN HTTP Observatory's own scanner (`scan()` from its
// src/scanner/index.js: every analyzer test and the grader), for the site model webxsl uses:
// HTTPS only, a clean redirect from HTTP, no cookies, no scripts. Only the network retrieval is
// replaced (hooks.mjs, fake-retriever.mjs).
//
//   node grade.mjs PATH/TO/@mdn/mdn-http-observatory < sets.json > grades.json
//
// Input: [[["Header-Name", "value"], ...], ...]. Output: [{"score", "grade", "results"}, ...].
import fs from "node:fs";
import path from "node:path";
import { register } from "node:module";
import { pathToFileURL } from "node:url";

register("./hooks.mjs", import.meta.url);

const dir = process.argv[2];
const load = (p) => import(pathToFileURL(path.join(dir, p)).href);
const { Requests } = await load("src/types.js");
const { scan } = await load("src/scanner/index.js");
const { AxiosHeaders } = await import(
  pathToFileURL(path.join(dir, "..", "..", "axios", "index.js")).href
);

function response(obj, status) {
  return {
    headers: new AxiosHeaders(obj),
    status,
    verified: true,
    httpEquiv: new Map(),
    request: {
      headers: new AxiosHeaders({ origin: "https://http-observatory.security.mozilla.org" }),
    },
  };
}

function requests(set) {
  // Node's HTTP client joins repeated headers with ", ".
  const obj = { "content-type": "text/html; charset=utf-8" };
  for (const [name, value] of set) {
    const k = name.toLowerCase();
    const v = value.trim();
    obj[k] = k in obj && k !== "content-type" ? `${obj[k]}, ${v}` : v;
  }
  const r = new Requests("example.com");
  const page = response(obj, 200);
  r.responses.auto = page;
  r.responses.https = page;
  r.responses.cors = page;
  r.responses.http = response({ location: "https://example.com/" }, 301);
  r.responses.httpRedirects = [
    { url: new URL("http://example.com/"), status: 301 },
    { url: new URL("https://example.com/"), status: 200 },
  ];
  r.responses.httpsRedirects = [{ url: new URL("https://example.com/"), status: 200 }];
  r.resources.path =
    "<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>";
  r.session = {
    url: new URL("https://example.com/"),
    jar: { serializeSync: () => ({ cookies: [] }) },
  };
  return r;
}

const sets = JSON.parse(fs.readFileSync(0, "utf8"));
const out = [];
for (const set of sets) {
  globalThis.webxslRequests = requests(set);
  const { scan: s, tests } = await scan("example.com");
  out.push({
    score: s.score,
    grade: s.grade,
    results: Object.values(tests).map((t) => t.result),
  });
}
process.stdout.write(JSON.stringify(out));
