// Grades recorded responses with the MDN HTTP Observatory's own scanner (`scan()` from its
// src/scanner/index.js: every analyzer test and the grader), as `webxsl probe` records them:
// the chain of the URL probed (its final response is the Observatory's `https` and `auto`
// response, and its CORS response: no Origin is sent), the http:// check's chain (its
// `http` response and `httpRedirects`), and a cookie jar filled as its HTTP agent fills one
// (tough-cookie's setCookieSync with ignoreError, for every Set-Cookie of the chain). Only the
// network retrieval is replaced (hooks.mjs, fake-retriever.mjs), as in grade.mjs.
//
//   node site.mjs PATH/TO/@mdn/mdn-http-observatory < sites.json > grades.json
//
// Input: [{"chain": [response, ...], "http": null | [response, ...]}, ...], a response being
// {"url", "status", "headers": [["Name", "value"], ...], "verified"}.
// Output: [{"score", "grade", "results"}, ...].
import fs from "node:fs";
import path from "node:path";
import { register } from "node:module";
import { pathToFileURL } from "node:url";

register("./hooks.mjs", import.meta.url);

const dir = process.argv[2];
const modules = path.join(dir, "..", "..");
const load = (p) => import(pathToFileURL(path.join(dir, p)).href);
const { Requests } = await load("src/types.js");
const { scan } = await load("src/scanner/index.js");
const { AxiosHeaders } = await import(
  pathToFileURL(path.join(modules, "axios", "index.js")).href
);
const toughCookie = await import(
  pathToFileURL(path.join(modules, "tough-cookie", "dist", "cookie", "index.js")).href
);
const CookieJar = toughCookie.CookieJar ?? toughCookie.default.CookieJar;

// Node's HTTP client keeps the first of these when they repeat (lib/_http_incoming.js).
const FIRST_ONLY = new Set([
  "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
  "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
  "proxy-authorization", "referer", "retry-after", "server", "user-agent",
]);

function nodeHeaders(list) {
  const obj = {};
  for (const [name, value] of list) {
    const k = name.toLowerCase();
    const v = value.trim();
    if (k === "set-cookie") {
      (obj[k] ??= []).push(v);
    } else if (!(k in obj)) {
      obj[k] = v;
    } else if (!FIRST_ONLY.has(k)) {
      obj[k] = `${obj[k]}, ${v}`;
    }
  }
  return obj;
}

function response(r, verified) {
  return {
    headers: new AxiosHeaders(nodeHeaders(r.headers)),
    status: r.status,
    verified,
    httpEquiv: new Map(),
    request: {
      headers: new AxiosHeaders({ origin: "https://http-observatory.security.mozilla.org" }),
    },
  };
}

function requests(site) {
  const chain = site.chain;
  const last = chain[chain.length - 1];
  const host = new URL(chain[0].url).hostname;
  const r = new Requests(host);
  const page = response(last, chain.every((x) => x.verified));
  r.responses.auto = page;
  r.responses.https = page;
  r.responses.cors = page;
  if (site.http) {
    const h = site.http;
    r.responses.http = response(h[h.length - 1], h.every((x) => x.verified));
    r.responses.httpRedirects = h.map((x) => ({ url: new URL(x.url), status: x.status }));
  } else {
    r.responses.http = null;
    r.responses.httpRedirects = [];
  }
  r.responses.httpsRedirects = r.responses.httpRedirects;
  r.resources.path =
    "<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>";
  const jar = new CookieJar();
  for (const x of chain) {
    for (const [name, value] of x.headers) {
      if (name.toLowerCase() === "set-cookie") {
        jar.setCookieSync(value.trim(), x.url, { ignoreError: true });
      }
    }
  }
  r.session = { url: new URL(chain[0].url), jar };
  return r;
}

const sites = JSON.parse(fs.readFileSync(0, "utf8"));
const out = [];
for (const site of sites) {
  globalThis.webxslRequests = requests(site);
  const { scan: s, tests } = await scan(new URL(site.chain[0].url).hostname);
  out.push({
    score: s.score,
    grade: s.grade,
    results: Object.values(tests).map((t) => t.result),
  });
}
process.stdout.write(JSON.stringify(out));
