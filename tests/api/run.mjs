#!/usr/bin/env node
// Data-driven HTTP API tests for aims.
//
//   node tests/api/run.mjs --aims build/aims --tmp DIR [--db URL] [--verbose] [--only SUBSTRING]
//
// Builds a fresh SQLite database in DIR (or, with --db, in the empty database at URL,
// e.g. a PostgreSQL database made for this run) with the aims CLI from tests/api/fixture.json
// (organisations, users, tokens, then its "setup" CLI steps),
// serves it on a free local port with a fresh evidence directory DIR/evidence (never
// ./aims-evidence in the repository, also on PostgreSQL), an evidence size limit of
// EVIDENCE_MAX_MB and the fixture's "serve_env", runs every tests/api/cases/*.json file (name order)
// and then the role x organisation matrix of tests/api/matrix.json, stops the server
// with SIGTERM and checks it exited cleanly. The case and matrix formats are described
// in tests/api/README.md; this file only interprets them.
//
// Output: one "FAIL" line per failing case ("ok" lines with --verbose), then
// "api: N passed, M failed"; DIR/result.txt gets "N M"; exit status 1 if M > 0.
// No npm dependencies: only Node's standard library (Node 20).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const REQUEST_TIMEOUT_MS = 60_000;   // generous: sanitizer builds are slow
const HEALTH_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 30_000;
const CLI_TIMEOUT_MS = 120_000;
// Bodies above this size are sent with "Expect: 100-continue" (as curl does), so a
// server that refuses them early (413) can answer before the body is on the wire.
const EXPECT_CONTINUE_ABOVE = 64 * 1024;
const SANITIZER_MARKERS = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:'];
const TOKEN_RE = /^aims_[A-Za-z0-9_-]{43}$/;
// A small evidence limit, so the cases can send a file just over it cheaply.
const EVIDENCE_MAX_MB = 1;
const MULTIPART_BOUNDARY = 'aims-test-boundary-7d3c1a';

// ---------------------------------------------------------------- arguments

function usage(code, msg) {
  if (msg) console.error(`run.mjs: ${msg}`);
  console.error('usage: node tests/api/run.mjs --aims PATH --tmp DIR [--db URL] [--verbose] [--only SUBSTRING]');
  process.exit(code);
}

function parseArgs(argv) {
  const o = { aims: null, tmp: null, db: null, verbose: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(2, `${a} needs a value`));
    if (a === '--aims') o.aims = value();
    else if (a === '--tmp') o.tmp = value();
    else if (a === '--only') o.only = value();
    else if (a === '--db') o.db = value();
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--help' || a === '-h') usage(0);
    else usage(2, `unknown argument ${a}`);
  }
  if (!o.aims) usage(2, '--aims is required');
  o.aims = path.resolve(o.aims);
  o.tmp = o.tmp ? path.resolve(o.tmp) : fs.mkdtempSync(path.join(os.tmpdir(), 'aims-api-'));
  return o;
}

const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- results

let passed = 0;
let failed = 0;

function excerpt(x, n = 300) {
  const s = Buffer.isBuffer(x) ? x.toString('utf8') : String(x ?? '');
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

function show(v) {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

function record(file, name, problems, res) {
  if (!problems.length) {
    passed++;
    if (opts.verbose) console.log(`ok   ${file} › ${name}`);
    return;
  }
  failed++;
  let line = `FAIL ${file} › ${name}: ${problems.join('; ')}`;
  if (res) line += ` | body: ${excerpt(res.body) || '(empty)'}`;
  console.log(line);
}

// ---------------------------------------------------------------- variables

class Scope {
  constructor(parent = null) { this.vars = new Map(); this.parent = parent; }
  get(k) { return this.vars.has(k) ? this.vars.get(k) : this.parent?.get(k); }
  set(k, v) { this.vars.set(k, v); }
  child() { return new Scope(this); }
}

const VAR_RE = /\{\{\s*([^{}]+?)\s*\}\}/g;
const WHOLE_VAR_RE = /^\{\{\s*([^{}]+?)\s*\}\}$/;

// "{{name}}", "{{name|url}}", "{{repeat:N:TEXT}}".
function resolveVar(expr, scope) {
  const [name, ...filters] = expr.split('|');
  let v;
  const rep = /^repeat:(\d+):(.*)$/s.exec(name);
  if (rep) v = rep[2].repeat(Number(rep[1]));
  else {
    v = scope.get(name);
    if (v === undefined) throw new Error(`undefined variable {{${name}}} (did an earlier step fail to save it?)`);
  }
  for (const f of filters) {
    if (f === 'url') v = encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v));
    else throw new Error(`unknown filter |${f} in {{${expr}}}`);
  }
  return v;
}

// A string that is exactly one "{{var}}" keeps the variable's type (so ids stay
// numbers in JSON bodies); "{{var}}" inside longer text is replaced by its text.
function subst(x, scope) {
  if (typeof x === 'string') {
    const whole = WHOLE_VAR_RE.exec(x);
    if (whole) return resolveVar(whole[1], scope);
    return x.replace(VAR_RE, (_, e) => {
      const v = resolveVar(e, scope);
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(x)) return x.map((e) => subst(e, scope));
  if (x && typeof x === 'object') {
    const o = {};
    for (const [k, v] of Object.entries(x)) o[subst(k, scope)] = subst(v, scope);
    return o;
  }
  return x;
}

// ---------------------------------------------------------------- HTTP

function send(port, { method, path: urlPath, headers = {}, body = null }) {
  return new Promise((resolve, reject) => {
    const hdrs = { ...headers };
    if (body) hdrs['Content-Length'] = String(body.length);
    else if (!['GET', 'HEAD'].includes(method)) hdrs['Content-Length'] = '0';
    const big = body && body.length > EXPECT_CONTINUE_ABOVE;
    if (big) hdrs.Expect = '100-continue';
    let req;
    let gotResponse = false;
    let continued = false;
    let done = false;
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn(v);
      req.destroy();
    };
    try {
      req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: hdrs, agent: false });
    } catch (e) {
      clearTimeout(timer);
      reject(e);
      return;
    }
    req.on('response', (res) => {
      gotResponse = true;
      const chunks = [];
      const complete = () => finish(resolve, { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), continued });
      res.on('data', (c) => chunks.push(c));
      res.on('end', complete);
      res.on('close', complete); // connection closed early: keep what arrived
      res.on('error', () => {});
    });
    // An error after the response started (e.g. EPIPE while we still upload a body
    // the server refused) does not matter: the response is what we test.
    req.on('error', (e) => { if (!gotResponse) finish(reject, e); });
    if (big) {
      req.on('continue', () => { continued = true; req.end(body); });
      req.flushHeaders();
    } else {
      req.end(body ?? undefined);
    }
  });
}

function setCookies(res) {
  const sc = res.headers['set-cookie'];
  return sc === undefined ? [] : Array.isArray(sc) ? sc : [sc];
}

function getCookie(res, name) {
  for (const c of setCookies(res)) {
    const first = c.split(';', 1)[0];
    const eq = first.indexOf('=');
    if (eq > 0 && first.slice(0, eq).trim() === name) return first.slice(eq + 1).trim();
  }
  return undefined;
}

// ---------------------------------------------------------------- matching

function typeOf(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function getPath(obj, p) {
  if (p === '.' || p === '') return obj;
  let cur = obj;
  for (const seg of p.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else {
      cur = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    }
  }
  return cur;
}

function isOperator(o) {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return false;
  const keys = Object.keys(o);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

function deepEqual(a, b) { return matchValue(a, b, '').length === 0 && matchValue(b, a, '').length === 0; }

// Returns a list of problems ("" = none). Plain objects match as subsets, arrays
// element by element with equal length, scalars by strict equality.
function matchValue(exp, act, where) {
  const at = where || '(root)';
  if (isOperator(exp)) {
    const out = [];
    for (const [op, arg] of Object.entries(exp)) {
      switch (op) {
        case '$exists':
          if ((act !== undefined) !== Boolean(arg)) out.push(`${at}: expected ${arg ? 'present' : 'absent'}, got ${show(act)}`);
          break;
        case '$absent':
          if ((act === undefined) !== Boolean(arg)) out.push(`${at}: expected ${arg ? 'absent' : 'present'}, got ${show(act)}`);
          break;
        case '$type': {
          const t = typeOf(act);
          const ok = arg === t || (arg === 'integer' && Number.isInteger(act));
          if (!ok) out.push(`${at}: expected type ${arg}, got ${t} ${show(act)}`);
          break;
        }
        case '$regex':
          if (typeof act !== 'string' || !new RegExp(arg).test(act)) out.push(`${at}: expected to match /${arg}/, got ${show(act)}`);
          break;
        case '$contains':
        case '$not_contains': {
          let has;
          if (Array.isArray(act)) has = act.some((e) => matchValue(arg, e, '').length === 0);
          else if (typeof act === 'string' && typeof arg === 'string') has = act.includes(arg);
          else { out.push(`${at}: expected an array or string for ${op}, got ${show(act)}`); break; }
          if (op === '$contains' && !has) out.push(`${at}: expected to contain ${show(arg)}, got ${show(act)}`);
          if (op === '$not_contains' && has) out.push(`${at}: expected not to contain ${show(arg)}, got ${show(act)}`);
          break;
        }
        case '$len':
          if (act === null || act === undefined || typeof act.length !== 'number' || typeof act === 'function') out.push(`${at}: expected length ${arg}, got ${show(act)}`);
          else if (act.length !== arg) out.push(`${at}: expected length ${arg}, got ${act.length}: ${show(act)}`);
          break;
        case '$ne':
          if (deepEqual(arg, act)) out.push(`${at}: expected anything but ${show(arg)}`);
          break;
        case '$one_of':
          if (!arg.some((a) => deepEqual(a, act))) out.push(`${at}: expected one of ${show(arg)}, got ${show(act)}`);
          break;
        case '$gte':
          if (typeof act !== 'number' || act < arg) out.push(`${at}: expected >= ${arg}, got ${show(act)}`);
          break;
        case '$lte':
          if (typeof act !== 'number' || act > arg) out.push(`${at}: expected <= ${arg}, got ${show(act)}`);
          break;
        default:
          out.push(`${at}: unknown matcher ${op} (test file error)`);
      }
    }
    return out;
  }
  if (Array.isArray(exp)) {
    if (!Array.isArray(act)) return [`${at}: expected an array, got ${show(act)}`];
    if (act.length !== exp.length) return [`${at}: expected ${exp.length} elements, got ${act.length}: ${show(act)}`];
    return exp.flatMap((e, i) => matchValue(e, act[i], where ? `${where}.${i}` : String(i)));
  }
  if (exp !== null && typeof exp === 'object') {
    if (act === null || typeof act !== 'object' || Array.isArray(act)) return [`${at}: expected an object, got ${show(act)}`];
    return Object.entries(exp).flatMap(([k, v]) => matchValue(v, act[k], where ? `${where}.${k}` : k));
  }
  return exp === act ? [] : [`${at}: expected ${show(exp)}, got ${show(act)}`];
}

const asList = (x) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const rx = (s) => new RegExp(s, 'i');

// Header spec: null (absent), "regex", ["regex", ...] (all must match), or
// {"match": [...], "not_match": [...], "none_match": [...]}. For a repeated header
// (Set-Cookie) one value must satisfy match + not_match together; none_match must
// hold for every value and also passes when the header is absent.
function checkHeader(name, spec, headers) {
  const raw = headers[name.toLowerCase()];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (spec === null) return values.length ? [`header ${name}: expected absent, got ${show(values)}`] : [];
  let match; let notMatch = []; let noneMatch = [];
  if (typeof spec === 'string' || Array.isArray(spec)) match = asList(spec);
  else { match = asList(spec.match); notMatch = asList(spec.not_match); noneMatch = asList(spec.none_match); }
  const out = [];
  for (const re of noneMatch) {
    const bad = values.find((v) => rx(re).test(v));
    if (bad !== undefined) out.push(`header ${name}: ${show(bad)} matches /${re}/ but must not`);
  }
  if (match.length || notMatch.length) {
    if (!values.length) out.push(`header ${name}: missing (expected ${[...match.map((r) => `/${r}/`), ...notMatch.map((r) => `not /${r}/`)].join(', ')})`);
    else if (!values.some((v) => match.every((re) => rx(re).test(v)) && notMatch.every((re) => !rx(re).test(v)))) {
      out.push(`header ${name}: ${show(values.length === 1 ? values[0] : values)} does not satisfy ${[...match.map((r) => `/${r}/`), ...notMatch.map((r) => `not /${r}/`)].join(', ')}`);
    }
  }
  return out;
}

function checkExpect(exp, res) {
  const problems = [];
  if (exp.status !== undefined) {
    const ok = Array.isArray(exp.status) ? exp.status.includes(res.status) : res.status === exp.status;
    if (!ok) problems.push(`status: expected ${Array.isArray(exp.status) ? `one of ${exp.status.join('/')}` : exp.status}, got ${res.status}`);
  }
  for (const [name, spec] of Object.entries(exp.headers ?? {})) problems.push(...checkHeader(name, spec, res.headers));
  if (exp.continued !== undefined && Boolean(res.continued) !== exp.continued) {
    problems.push(exp.continued ? 'the server never asked for the body (no 100 Continue)' : 'the server asked for the body (100 Continue) but should have answered first');
  }
  const text = res.body.toString('utf8');
  if (exp.json) {
    let j;
    try { j = JSON.parse(text); } catch { problems.push(`body is not JSON (content-type ${res.headers['content-type'] ?? 'none'})`); }
    if (j !== undefined) {
      for (const [p, m] of Object.entries(exp.json)) problems.push(...matchValue(m, getPath(j, p), p === '.' ? '' : p));
    }
  }
  for (const s of asList(exp.body_contains)) if (!text.includes(s)) problems.push(`body does not contain ${show(s)}`);
  for (const s of asList(exp.body_not_contains)) if (text.includes(s)) problems.push(`body contains ${show(s)} but must not`);
  return problems;
}

// ---------------------------------------------------------------- steps

const KNOWN_STEP_KEYS = new Set(['name', 'as', 'method', 'path', 'headers', 'body', 'form', 'raw', 'raw_latin1', 'raw_repeat', 'multipart', 'evidence_dir', 'expect', 'save', 'comment']);

// "multipart": {"field": "text", "file": {"filename", "type", "content" | "content_latin1"}}
// or [["field", value], ...] when order or repeated names matter. Parts are separated
// by CRLF as RFC 7578 requires; text and file names are UTF-8, content_latin1 is one
// byte per character.
function multipartBody(spec) {
  const parts = Array.isArray(spec) ? spec : Object.entries(spec);
  const chunks = [];
  for (const part of parts) {
    if (!Array.isArray(part) || part.length !== 2) throw new Error(`multipart: expected [name, value] pairs, got ${show(part)} (test file error)`);
    const [name, value] = part;
    let head = `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"`;
    let content;
    if (value && typeof value === 'object') {
      if (value.filename !== undefined) head += `; filename="${value.filename}"`;
      if (value.type) head += `\r\nContent-Type: ${value.type}`;
      content = value.content_latin1 !== undefined ? Buffer.from(String(value.content_latin1), 'latin1') : Buffer.from(String(value.content ?? ''));
    } else {
      content = Buffer.from(String(value));
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`), content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${MULTIPART_BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

// Names of the regular files directly under dir/sub/... (one level of fan-out for sha256/).
function listFiles(dir, fanOut) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (fanOut && e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), false));
    else if (!fanOut && e.isFile()) out.push(e.name);
  }
  return out.sort();
}

// "evidence_dir": {"append": {"sha256": HEX, "text": "..."}} alters a stored file as
// someone with shell access would (chmod u+w, append); {"remove": HEX} deletes one;
// {} only looks. The step then answers like a request with status 200 and the JSON
// {files, tmp_files, names}: the stored files under sha256/ and the files left in tmp/.
// The server drops a refused upload's temporary file when it has finished with the
// request, which can be a moment after the client has read the answer: the step waits
// up to TMP_SETTLE_MS for tmp/ to empty before it counts.
const TMP_SETTLE_MS = 3000;

async function evidenceDirStep(ctx, op) {
  const dir = ctx.evidenceDir;
  const stored = (hex) => {
    if (!/^[0-9a-f]{64}$/.test(String(hex))) throw new Error(`evidence_dir: ${show(hex)} is not a SHA-256 (test file error)`);
    const p = path.join(dir, 'sha256', hex.slice(0, 2), hex);
    if (!fs.existsSync(p)) throw new Error(`evidence_dir: no stored file ${p}`);
    return p;
  };
  for (const k of Object.keys(op)) if (!['append', 'remove'].includes(k)) throw new Error(`evidence_dir: unknown operation "${k}" (test file error)`);
  if (op.append) {
    const p = stored(op.append.sha256);
    fs.chmodSync(p, fs.statSync(p).mode | 0o200);
    fs.appendFileSync(p, String(op.append.text ?? '!'));
  }
  if (op.remove) fs.rmSync(stored(op.remove));
  const tmpCount = () => listFiles(path.join(dir, 'tmp'), false).length;
  for (const deadline = Date.now() + TMP_SETTLE_MS; tmpCount() && Date.now() < deadline;) await sleep(20);
  const names = listFiles(path.join(dir, 'sha256'), true);
  const body = { files: names.length, tmp_files: tmpCount(), names };
  return { status: 200, headers: {}, body: Buffer.from(JSON.stringify(body)) };
}

async function ensureSession(ctx, actor, scope) {
  if (ctx.sessions.has(actor)) return ctx.sessions.get(actor);
  const u = ctx.users[actor];
  if (!u) throw new Error(`unknown actor "${actor}" in "session:${actor}"`);
  const r1 = await send(ctx.port, { method: 'GET', path: '/login' });
  const pre = getCookie(r1, 'aims_precsrf');
  if (r1.status !== 200 || !pre) throw new Error(`signing in as ${actor}: GET /login gave ${r1.status}${pre ? '' : ' and no aims_precsrf cookie'}`);
  const form = new URLSearchParams({ email: u.email, password: u.password, _csrf: pre }).toString();
  const r2 = await send(ctx.port, {
    method: 'POST', path: '/login',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `aims_precsrf=${pre}` },
    body: Buffer.from(form),
  });
  const cookie = getCookie(r2, 'aims_session');
  if (r2.status !== 303 || !cookie) throw new Error(`signing in as ${actor}: POST /login gave ${r2.status}${cookie ? '' : ' and no aims_session cookie'}: ${excerpt(r2.body, 150)}`);
  const r3 = await send(ctx.port, { method: 'GET', path: '/api/v1/me', headers: { Cookie: `aims_session=${cookie}` } });
  let csrf;
  try { csrf = JSON.parse(r3.body.toString('utf8')).csrf_token; } catch { /* reported below */ }
  if (r3.status !== 200 || typeof csrf !== 'string') throw new Error(`signing in as ${actor}: GET /api/v1/me with the session gave ${r3.status} without csrf_token`);
  const s = { cookie, csrf };
  ctx.sessions.set(actor, s);
  ctx.global.set(`csrf.${actor}`, csrf);
  scope.set(`csrf.${actor}`, csrf);
  return s;
}

function setHeader(headers, name, value) {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  if (value !== null) headers[name] = String(value);
}

// Runs one step; returns {problems, res}. Throws only for errors in the test itself
// or a failed request, which the caller records as a failure of this case.
async function runStep(ctx, scope, step) {
  for (const k of Object.keys(step)) if (!KNOWN_STEP_KEYS.has(k)) throw new Error(`unknown step key "${k}" (test file error)`);
  const headers = {};
  const as = step.as ?? null;
  if (as !== null) {
    if (as.startsWith('session:')) {
      const s = await ensureSession(ctx, as.slice('session:'.length), scope);
      headers.Cookie = `aims_session=${s.cookie}`;
    } else {
      const tok = ctx.tokens[as];
      if (!tok) throw new Error(`unknown actor "${as}" (test file error)`);
      headers.Authorization = `Bearer ${tok}`;
    }
  }
  if ('evidence_dir' in step) {
    if ('path' in step || 'as' in step) throw new Error('an evidence_dir step sends no request: no "path" or "as" (test file error)');
    const res = await evidenceDirStep(ctx, subst(step.evidence_dir, scope));
    return finishStep(scope, step, res);
  }
  const method = String(step.method ?? 'GET').toUpperCase();
  if (typeof step.path !== 'string') throw new Error('step has no "path" (test file error)');
  const urlPath = subst(step.path, scope);
  let body = null;
  const bodyKinds = ['body', 'form', 'raw', 'raw_latin1', 'raw_repeat', 'multipart'].filter((k) => k in step);
  if (bodyKinds.length > 1) throw new Error(`step has more than one of ${bodyKinds.join(', ')} (test file error)`);
  if ('body' in step) {
    body = Buffer.from(JSON.stringify(subst(step.body, scope)));
    headers['Content-Type'] = 'application/json';
  } else if ('form' in step) {
    body = Buffer.from(new URLSearchParams(subst(step.form, scope)).toString());
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if ('raw' in step) {
    let r = subst(step.raw, scope);
    if (Array.isArray(r)) r = `${r.join('\n')}\n`;
    body = Buffer.from(String(r));
  } else if ('raw_latin1' in step) {
    // each character U+0000..U+00FF is one byte: for bodies that are not UTF-8
    let r = subst(step.raw_latin1, scope);
    if (Array.isArray(r)) r = r.join('\r\n');
    body = Buffer.from(String(r), 'latin1');
  } else if ('raw_repeat' in step) {
    const rr = subst(step.raw_repeat, scope);
    body = Buffer.from(`${rr.prefix ?? ''}${String(rr.text).repeat(rr.times)}${rr.suffix ?? ''}`);
  } else if ('multipart' in step) {
    body = multipartBody(subst(step.multipart, scope));
    headers['Content-Type'] = `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`;
  }
  for (const [k, v] of Object.entries(subst(step.headers ?? {}, scope))) {
    if (k.toLowerCase() === 'cookie' && headers.Cookie && v !== null) headers.Cookie = `${headers.Cookie}; ${v}`;
    else setHeader(headers, k, v);
  }

  const res = await send(ctx.port, { method, path: urlPath, headers, body });
  return finishStep(scope, step, res);
}

// Checks a step's expectations against its response and saves what it asks for.
function finishStep(scope, step, res) {
  const problems = checkExpect(subst(step.expect ?? {}, scope), res);

  for (const [name, from] of Object.entries(step.save ?? {})) {
    let v;
    if (from.startsWith('header:')) {
      const h = res.headers[from.slice(7).toLowerCase()];
      v = Array.isArray(h) ? h[0] : h;
    } else if (from.startsWith('cookie:')) {
      v = getCookie(res, from.slice(7));
    } else if (from === 'body') {
      v = res.body.toString('utf8');
    } else {
      try { v = getPath(JSON.parse(res.body.toString('utf8')), from); } catch { v = undefined; }
    }
    if (v === undefined) problems.push(`cannot save ${name} from ${from}: not in the response`);
    else scope.set(name, v);
  }
  return { problems, res };
}

async function runAndRecord(ctx, file, scope, step, fallbackName) {
  const name = step.name ?? fallbackName;
  try {
    const { problems, res } = await runStep(ctx, scope, step);
    record(file, name, problems, problems.length ? res : null);
    return problems.length === 0;
  } catch (e) {
    record(file, name, [e.message]);
    return false;
  }
}

// ---------------------------------------------------------------- matrix

function matrixCellExpect(route, cell) {
  if (typeof cell === 'number') {
    const e = { status: cell };
    // 3xx too: a form post that succeeds answers 303 See Other.
    if (cell >= 200 && cell < 400 && route.on_success) Object.assign(e, route.on_success);
    return e;
  }
  if (typeof cell === 'boolean') {
    // 200, and what the reader is told it may do: a JSON flag, or a marker in the page.
    const e = { status: 200, ...(route.on_success ?? {}) };
    if (route.flag) e.json = { ...(e.json ?? {}), [route.flag]: cell };
    else if (route.marker) e[cell ? 'body_contains' : 'body_not_contains'] = [...asList(e[cell ? 'body_contains' : 'body_not_contains']), route.marker];
    else throw new Error(`route "${route.name}" uses ${cell} but has neither "flag" nor "marker" (matrix.json error)`);
    return e;
  }
  if (cell === 'visible' || cell === 'hidden') {
    const seen = cell === 'visible';
    if (route.visibility === 'items') {
      return { status: 200, json: { items: { [seen ? '$contains' : '$not_contains']: { id: '{{target.id}}' } } } };
    }
    if (route.visibility === 'body') {
      return { status: 200, [seen ? 'body_contains' : 'body_not_contains']: ['{{target.name}}'] };
    }
    throw new Error(`route "${route.name}" uses ${cell} but has no "visibility" (matrix.json error)`);
  }
  if (cell && typeof cell === 'object') return cell;
  throw new Error(`bad matrix cell ${show(cell)} in route "${route.name}"`);
}

function matrixCreateStep(mx, targetKey, name) {
  const t = mx.targets[targetKey];
  return {
    as: mx.creator,
    method: 'POST',
    path: '/api/v1/systems',
    body: { ...mx.system, name, org_id: `{{org.${t.org}}}`, owner_user_id: `{{user.${t.owner}}}` },
    expect: { status: 201, json: { id: { $type: 'integer' } } },
    save: { 'created.id': 'id' },
  };
}

// targetSaved[key]: what setup_per_target steps saved as "target.*" for that target
// (e.g. "target.risk"), so routes can address objects made per target.
function setTargetVars(ctx, scope, mx, key, targetIds, targetSaved = {}) {
  const t = mx.targets[key];
  scope.set('target', key);
  scope.set('target.org', ctx.global.get(`org.${t.org}`));
  scope.set('target.owner', ctx.global.get(`user.${t.owner}`));
  scope.set('target.name', t.name);
  if (targetIds[key] !== undefined) scope.set('target.id', targetIds[key]);
  for (const [name, v] of Object.entries(targetSaved[key] ?? {})) scope.set(name, v);
}

async function runMatrix(ctx, mx) {
  const file = 'matrix.json';
  const scope = ctx.global.child();
  const targetIds = {};
  for (const key of Object.keys(mx.targets)) {
    const step = { name: `setup: ${mx.creator} creates target ${key} "${mx.targets[key].name}"`, ...matrixCreateStep(mx, key, mx.targets[key].name) };
    if (await runAndRecord(ctx, file, scope, step)) targetIds[key] = scope.get('created.id');
  }
  // Setup steps run once per target system (e.g. choosing its frameworks), as the creator;
  // what they save under "target.*" is kept per target.
  const targetSaved = {};
  for (const tmpl of mx.setup_per_target ?? []) {
    for (const key of Object.keys(targetIds)) {
      const ts = scope.child();
      setTargetVars(ctx, ts, mx, key, targetIds, targetSaved);
      if (await runAndRecord(ctx, file, ts, { as: mx.creator, ...tmpl, name: `setup: ${tmpl.name} on ${key}` })) {
        for (const name of Object.keys(tmpl.save ?? {}))
          if (name.startsWith('target.')) (targetSaved[key] ??= {})[name] = ts.get(name);
      }
    }
  }
  for (const route of mx.routes) {
    for (const [actor, row] of Object.entries(route.expect)) {
      for (const [key, cell] of Object.entries(row)) {
        if (!ctx.serverAlive()) return;
        const name = `${route.name} as ${actor} on ${key}`;
        const t = mx.targets[key];
        if (!t) { record(file, name, [`unknown target "${key}" (matrix.json error)`]); continue; }
        const cs = scope.child();
        cs.set('actor', actor);
        setTargetVars(ctx, cs, mx, key, targetIds, targetSaved);
        if (route.fresh_system) {
          // Archiving cannot be undone, so each DELETE cell gets its own system.
          const freshName = `${t.name} fresh for ${actor}`;
          const fresh = { ...matrixCreateStep(mx, key, freshName) };
          let made;
          try { made = await runStep(ctx, cs, fresh); } catch (e) { made = { problems: [e.message] }; }
          if (made.problems.length) { record(file, name, [`setup (fresh system) failed: ${made.problems.join('; ')}`], made.res); continue; }
          cs.set('target.id', cs.get('created.id'));
          cs.set('target.name', freshName);
        }
        let expect;
        try { expect = matrixCellExpect(route, cell); } catch (e) { record(file, name, [e.message]); continue; }
        // Page routes are used as a browser does: the actor's session cookie, and the
        // session's CSRF token as {{csrf}} for the form.
        if (route.session) {
          try { cs.set('csrf', (await ensureSession(ctx, actor, cs)).csrf); } catch (e) { record(file, name, [e.message]); continue; }
        }
        const step = { name, as: route.session ? `session:${actor}` : actor, method: route.method, path: route.path, expect };
        for (const k of ['headers', 'body', 'raw', 'form']) if (route[k] !== undefined) step[k] = route[k];
        await runAndRecord(ctx, file, cs, step);
      }
    }
  }
}

// ---------------------------------------------------------------- fixture (CLI)

function cli(args, stdin, env) {
  const cmd = `${Object.entries(env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}aims ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
  const r = spawnSync(opts.aims, args, { cwd: ROOT, input: stdin ?? '', encoding: 'utf8', timeout: CLI_TIMEOUT_MS, env: { ...process.env, ...(env ?? {}) } });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  for (const m of SANITIZER_MARKERS) if ((r.stderr ?? '').includes(m)) throw new Error(`${cmd}: sanitizer report on stderr: ${excerpt(r.stderr, 600)}`);
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status ?? r.signal}: ${excerpt(r.stderr || r.stdout)}`);
  return { cmd, out: r.stdout };
}

function cliJson(args, stdin, env) {
  const { cmd, out } = cli(args, stdin, env);
  const text = out.trim();
  try { return JSON.parse(text); } catch { /* try the last line */ }
  try { return JSON.parse(text.split('\n').at(-1)); } catch {
    throw new Error(`${cmd}: expected the created object as one line of JSON, got ${show(excerpt(out))}`);
  }
}

// Each CLI call is a case of its own ("fixture: ..."). Returns false if the fixture
// could not be built, in which case nothing else can run.
function buildFixture(ctx, fx, db) {
  const file = 'fixture.json';
  const g = ctx.global;
  const step = (name, fn) => {
    try { fn(); record(file, name, []); return true; } catch (e) { record(file, name, [e.message]); return false; }
  };
  const admin = fx.root.admin;
  ctx.users[admin.actor] = { email: admin.email, password: admin.password };
  const ok = step(`aims init (root "${fx.root.name}", admin ${admin.email})`, () => {
    cli(['init', '--db', db, '--org-name', fx.root.name, '--admin-email', admin.email, '--password-stdin'], `${admin.password}\n`);
  });
  if (!ok) return false;
  g.set(`org.${fx.root.key}`, fx.root.id);
  for (const o of fx.orgs) {
    const okOrg = step(`aims org add "${o.name}" (${o.kind}) under ${o.parent}`, () => {
      const parent = g.get(`org.${o.parent}`);
      if (parent === undefined) throw new Error(`parent "${o.parent}" not created`);
      const j = cliJson(['org', 'add', '--db', db, '--name', o.name, '--kind', o.kind, '--parent', String(parent)]);
      const problems = matchValue({ id: { $type: 'integer' }, name: o.name, kind: o.kind, parent_id: parent }, j, '');
      if (problems.length) throw new Error(`org add printed ${show(j)}: ${problems.join('; ')}`);
      g.set(`org.${o.key}`, j.id);
    });
    if (!okOrg) return false;
  }
  for (const u of fx.users) {
    const okUser = step(`aims user add ${u.email} (${u.role} on ${u.org})`, () => {
      const args = ['user', 'add', '--db', db, '--email', u.email, '--org', String(g.get(`org.${u.org}`)), '--role', u.role, '--password-stdin'];
      if (u.name) args.push('--name', u.name);
      const j = cliJson(args, `${u.password}\n`);
      const problems = matchValue({ id: { $type: 'integer' }, email: u.email }, j, '');
      if (problems.length) throw new Error(`user add printed ${show(j)}: ${problems.join('; ')}`);
      g.set(`user.${u.actor}`, j.id);
      ctx.users[u.actor] = { email: u.email, password: u.password };
    });
    if (!okUser) return false;
  }
  for (const [actor, u] of Object.entries(ctx.users)) {
    g.set(`email.${actor}`, u.email);
    g.set(`password.${actor}`, u.password);
    let tok;
    const okTok = step(`aims token create for ${u.email}`, () => {
      const { cmd, out } = cli(['token', 'create', '--db', db, '--email', u.email, '--name', `api-tests ${actor}`]);
      tok = out.trim();
      if (!TOKEN_RE.test(tok)) {
        const problem = `${cmd}: expected only the token (aims_ + 43 base64url characters) on stdout, got ${show(excerpt(out, 120))}`;
        // Keep going with the last word if it looks like a token: the rest can still run.
        const last = tok.split(/\s+/).at(-1);
        if (TOKEN_RE.test(last)) { tok = last; ctx.tokens[actor] = tok; g.set(`token.${actor}`, tok); }
        throw new Error(problem);
      }
      ctx.tokens[actor] = tok;
      g.set(`token.${actor}`, tok);
    });
    if (!okTok && !ctx.tokens[actor]) return false;
  }
  // Further CLI steps (fixture.json "setup"): data an API case cannot make itself, such
  // as entries an older release left behind. Each is a case; a failed one stops the run.
  const scope = g.child();
  scope.set('db', db);
  for (const s of fx.setup ?? []) {
    const okSetup = step(`setup: ${s.name}`, () => {
      const args = subst(s.args, scope).map(String);
      const j = cliJson(args, '', subst(s.env ?? {}, scope));
      for (const [name, from] of Object.entries(s.save ?? {})) {
        const v = getPath(j, from);
        if (v === undefined) throw new Error(`cannot save ${name} from ${from}: not in ${show(j)}`);
        g.set(name, v);
        scope.set(name, v);
      }
    });
    if (!okSetup) return false;
  }
  return true;
}

// The root admin is created by "aims init", which prints no id we rely on: ask the API.
async function fillRootAdminId(ctx, fx) {
  const actor = fx.root.admin.actor;
  const name = `GET /api/v1/me as ${actor} (id of the admin made by aims init)`;
  try {
    const res = await send(ctx.port, { method: 'GET', path: '/api/v1/me', headers: { Authorization: `Bearer ${ctx.tokens[actor]}` } });
    const j = JSON.parse(res.body.toString('utf8'));
    const problems = res.status === 200 ? matchValue({ id: { $type: 'integer' }, email: fx.root.admin.email }, j, '') : [`status: expected 200, got ${res.status}`];
    if (!problems.length) ctx.global.set(`user.${actor}`, j.id);
    record('fixture.json', name, problems, problems.length ? res : null);
  } catch (e) {
    record('fixture.json', name, [e.message]);
  }
}

// ---------------------------------------------------------------- server

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startServer(db, port, logPath, evidenceDir, env) {
  const fd = fs.openSync(logPath, 'w');
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--evidence-dir', evidenceDir,
    '--evidence-max-mb', String(EVIDENCE_MAX_MB)];
  const child = spawn(opts.aims, args,
    { cwd: ROOT, stdio: ['ignore', fd, fd], env: { ...process.env, ...(env ?? {}) } });
  fs.closeSync(fd);
  const srv = { child, exit: null };
  srv.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => { srv.exit = { code, signal }; resolve(srv.exit); });
    child.on('error', (e) => { srv.exit = { code: null, signal: null, error: e.message }; resolve(srv.exit); });
  });
  return srv;
}

async function waitHealthy(srv, port) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (srv.exit) return `server exited before it was healthy (${describeExit(srv.exit)})`;
    try {
      const r = await send(port, { method: 'GET', path: '/healthz' });
      if (r.status === 200) return null;
      last = `GET /healthz gave ${r.status}`;
    } catch (e) { last = e.code ?? e.message; }
    await sleep(100);
  }
  return `GET /healthz did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last})`;
}

function describeExit(e) {
  if (e.error) return `could not start: ${e.error}`;
  return e.signal ? `killed by ${e.signal}` : `exit status ${e.code}`;
}

async function stopServer(srv) {
  if (srv.exit) return srv.exit;
  srv.child.kill('SIGTERM');
  const timeout = sleep(STOP_TIMEOUT_MS).then(() => null);
  const r = await Promise.race([srv.exited, timeout]);
  if (r) return r;
  srv.child.kill('SIGKILL');
  await srv.exited;
  return { code: null, signal: null, error: `still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM (killed)` };
}

// ---------------------------------------------------------------- main

function readJson(p) {
  try { return JSON.parse(fs.readFileSync(p, 'utf8')); } catch (e) { throw new Error(`${path.relative(ROOT, p)}: ${e.message}`); }
}

function finish() {
  console.log(`api: ${passed} passed, ${failed} failed`);
  fs.writeFileSync(path.join(opts.tmp, 'result.txt'), `${passed} ${failed}\n`);
  process.exit(failed ? 1 : 0);
}

async function main() {
  fs.mkdirSync(opts.tmp, { recursive: true });
  const db = opts.db ?? path.join(opts.tmp, 'aims.db');
  if (!opts.db) for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) fs.rmSync(f, { force: true });

  const fx = readJson(path.join(HERE, 'fixture.json'));
  const casesDir = path.join(HERE, 'cases');
  const caseFiles = fs.readdirSync(casesDir).filter((f) => f.endsWith('.json')).sort();
  const files = caseFiles.map((f) => ({ name: f, steps: readJson(path.join(casesDir, f)) }));
  for (const f of files) if (!Array.isArray(f.steps)) throw new Error(`cases/${f.name}: expected an array of steps`);
  const matrix = readJson(path.join(HERE, 'matrix.json'));

  const ctx = { port: 0, global: new Scope(), users: {}, tokens: {}, sessions: new Map(), evidenceDir: path.join(opts.tmp, 'evidence') };
  fs.rmSync(ctx.evidenceDir, { recursive: true, force: true }); // a fresh database gets a fresh directory
  if (!fs.existsSync(opts.aims)) { record('run.mjs', `aims binary exists at ${opts.aims}`, ['not found']); finish(); }
  if (!buildFixture(ctx, fx, db)) finish();

  ctx.port = await freePort();
  const logPath = path.join(opts.tmp, 'server.log');
  const srv = startServer(db, ctx.port, logPath, ctx.evidenceDir, fx.serve_env);
  const killOnExit = () => { if (!srv.exit) srv.child.kill('SIGKILL'); };
  process.on('exit', killOnExit);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killOnExit(); process.exit(130); });

  const notHealthy = await waitHealthy(srv, ctx.port);
  if (notHealthy) {
    record('run.mjs', 'server started', [`${notHealthy}; see ${logPath}: ${excerpt(fs.readFileSync(logPath), 600)}`]);
  } else {
    await fillRootAdminId(ctx, fx);
    ctx.serverAlive = () => !srv.exit;
    for (const f of files) {
      if (opts.only && !f.name.includes(opts.only)) continue;
      const scope = ctx.global.child();
      for (const [i, step] of f.steps.entries()) {
        if (srv.exit) break;
        await runAndRecord(ctx, f.name, scope, step, `step ${i + 1}`);
      }
    }
    if (!srv.exit && (!opts.only || 'matrix.json'.includes(opts.only))) await runMatrix(ctx, matrix);
    // A crashed server makes every later case fail the same way: say it once instead.
    if (srv.exit) record('run.mjs', 'server stayed up for the whole run', [`server ${describeExit(srv.exit)} during the run; the remaining cases were not run; see ${logPath}`]);
  }

  const exit = await stopServer(srv);
  const log = fs.readFileSync(logPath, 'utf8');
  const problems = [];
  if (exit.error || exit.code !== 0) problems.push(`server ${describeExit(exit)}`);
  for (const m of SANITIZER_MARKERS) {
    const at = log.indexOf(m);
    if (at >= 0) problems.push(`server.log contains "${m}": ${excerpt(log.slice(Math.max(0, at - 100)), 400)}`);
  }
  if (problems.length) problems.push(`see ${logPath}`);
  record('run.mjs', 'server exited cleanly', problems);
  finish();
}

main().catch((e) => {
  console.error(`run.mjs: ${e.stack ?? e.message}`);
  failed++;
  try { finish(); } catch { process.exit(1); }
});
