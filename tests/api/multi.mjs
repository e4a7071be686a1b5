#!/usr/bin/env node
// Several servers, one database: two `aims serve` processes on one database (the
// PostgreSQL scale-out set-up; it runs on SQLite too, two processes on one file).
//
//   node tests/api/multi.mjs --aims build/aims --tmp DIR --db URL
//
// Checks that a change made through one server is seen by the other; that a session
// opened on one works on the other, and that signing out or revoking a token on one
// takes effect on the other at once (the credential caches are per process and
// validated against the database's auth epoch); that an evidence file uploaded through
// one server downloads byte for byte from the other (both are given one evidence
// directory, DIR/evidence, as a shared volume would be); and that concurrent edits of
// one AI system either both apply field-wise or one gets 409 Conflict (with If-Match),
// never an error: serialisation failures are retried inside the servers.
// Prints one line per check, then "multi: N passed, M failed"; DIR/result.txt gets "N M".

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, send } from './http.mjs';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const aims = path.resolve(opt('--aims') || 'build/aims');
const tmp = path.resolve(opt('--tmp') || fs.mkdtempSync('/tmp/aims-multi-'));
fs.mkdirSync(tmp, { recursive: true });
const db = opt('--db') || path.join(tmp, 'multi.db');
const evidenceDir = path.join(tmp, 'evidence'); // shared by both servers, never ./aims-evidence
const ROUNDS = 12;
const ADMIN = { email: 'admin@test.example', password: 'admin-pass-123456' };

let passed = 0, failed = 0;
const check = (ok, name, detail = '') => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ': ' + detail}`);
  return ok;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const servers = [];

function finish() {
  for (const s of servers) if (!s.exit) s.child.kill('SIGKILL');
  console.log(`multi: ${passed} passed, ${failed} failed`);
  fs.writeFileSync(path.join(tmp, 'result.txt'), `${passed} ${failed}\n`);
  process.exit(failed ? 1 : 0);
}

const cookieOf = (r, name) => {
  for (const c of [].concat(r.headers['set-cookie'] || [])) {
    const m = c.match(new RegExp(`^${name}=([^;]*)`));
    if (m && m[1]) return m[1];
  }
  return null;
};

function cli(argv, input) {
  const r = spawnSync(aims, argv, { input: input ?? '', timeout: 120_000 });
  return { status: r.status, out: String(r.stdout).trim(), err: String(r.stderr).trim() };
}

async function startServer(name) {
  const port = await freePort();
  const logPath = path.join(tmp, `${name}.log`);
  const fd = fs.openSync(logPath, 'w');
  const child = spawn(aims, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--evidence-dir', evidenceDir],
    { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const s = { name, port, child, exit: null, logPath };
  s.exited = new Promise((resolve) => child.on('exit', (code, signal) => { s.exit = { code, signal }; resolve(s.exit); }));
  servers.push(s);
  for (let i = 0; i < 150 && !s.exit; i++) {
    try { if ((await send(port, 'GET', '/healthz')).status === 200) return s; } catch { /* not up yet */ }
    await sleep(100);
  }
  return null;
}

async function login(server) {
  const r1 = await send(server.port, 'GET', '/login');
  const pre = cookieOf(r1, 'aims_precsrf');
  const form = new URLSearchParams({ email: ADMIN.email, password: ADMIN.password, _csrf: pre }).toString();
  const r2 = await send(server.port, 'POST', '/login', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `aims_precsrf=${pre}` }, body: form,
  });
  return cookieOf(r2, 'aims_session');
}

// ---------------------------------------------------------------- set-up

if (!db.startsWith('postgres')) for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
fs.rmSync(evidenceDir, { recursive: true, force: true });
let r = cli(['init', '--db', db, '--admin-email', ADMIN.email, '--org-name', 'Multi City', '--password-stdin'], `${ADMIN.password}\n`);
if (!check(r.status === 0, 'aims init on the shared database', r.err)) finish();
r = cli(['token', 'create', '--db', db, '--email', ADMIN.email, '--name', 'multi']);
const token = r.out;
const r2 = cli(['token', 'create', '--db', db, '--email', ADMIN.email, '--name', 'to-revoke']);
const doomed = r2.out;
if (!check(token.startsWith('aims_') && doomed.startsWith('aims_'), 'two API tokens made by the CLI', r.err || r2.err)) finish();
const bearer = (t) => ({ Authorization: `Bearer ${t}` });

const A = await startServer('server-a');
const B = await startServer('server-b');
if (!check(A && B, 'two servers started on one database', 'see server-a.log / server-b.log')) finish();

const health = await send(A.port, 'GET', '/healthz');
check(health.status === 200, `healthz names the backend (${health.json?.store ?? health.text.slice(0, 80)})`);

// ---------------------------------------------------------------- a change through A is seen by B

const me = await send(A.port, 'GET', '/api/v1/me', { headers: bearer(token) });
const rootOrg = me.json?.memberships?.[0]?.org_id;
const created = await send(A.port, 'POST', '/api/v1/systems', {
  headers: bearer(token),
  body: { name: '다중 서버 챗봇', purpose: 'Answers questions', lifecycle_stage: 'deployment', org_id: rootOrg },
});
check(created.status === 201, 'create an AI system through server A', `${created.status} ${created.text.slice(0, 200)}`);
const id = created.json?.id;
const seen = await send(B.port, 'GET', `/api/v1/systems/${id}`, { headers: bearer(token) });
check(seen.status === 200 && seen.json?.name === '다중 서버 챗봇' && seen.json?.version === 1,
  'server B reads the system server A created', `${seen.status} ${seen.text.slice(0, 200)}`);
const edited = await send(B.port, 'PATCH', `/api/v1/systems/${id}`, { headers: bearer(token), body: { vendor: 'Vendor B' } });
const back = await send(A.port, 'GET', `/api/v1/systems/${id}`, { headers: bearer(token) });
check(edited.status === 200 && back.json?.vendor === 'Vendor B' && back.json?.version === 2,
  'server A reads the edit made through server B', `${edited.status} ${back.text.slice(0, 200)}`);
const listB = await send(B.port, 'GET', '/api/v1/systems?q=%EB%8B%A4%EC%A4%91', { headers: bearer(token) });
check(listB.json?.total === 1, 'server B lists and counts it (trigger-kept counts)', listB.text.slice(0, 200));

// ---------------------------------------------------------------- evidence uploaded through A, downloaded from B

const evidenceText = '다중 서버 증적: uploaded through server A\r\nsecond line\n';
const boundary = 'multi-evidence-boundary';
const upload = await send(A.port, 'POST', `/api/v1/orgs/${rootOrg}/evidence`, {
  headers: { ...bearer(token), 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  body: [`--${boundary}`, 'Content-Disposition: form-data; name="title"', '', '다중 서버 증적',
    `--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="증적.txt"', 'Content-Type: text/plain', '', evidenceText,
    `--${boundary}--`, ''].join('\r\n'),
});
const wantSha = crypto.createHash('sha256').update(evidenceText).digest('hex');
check(upload.status === 201 && upload.json?.sha256 === wantSha, 'upload an evidence file through server A',
  `${upload.status} ${upload.text.slice(0, 200)}`);
const fromB = await send(B.port, 'GET', `/api/v1/evidence/${upload.json?.id}/file`, { headers: bearer(token) });
check(fromB.status === 200 && fromB.text === evidenceText && fromB.headers['x-evidence-sha256'] === wantSha &&
  /^attachment;/.test(fromB.headers['content-disposition'] ?? ''),
  'server B sends the same bytes, re-checked against the same SHA-256', `${fromB.status} ${fromB.text.slice(0, 200)}`);
const metaB = await send(B.port, 'GET', `/api/v1/evidence/${upload.json?.id}`, { headers: bearer(token) });
check(metaB.status === 200 && metaB.json?.history?.length === 1, 'and the same record with its history', `${metaB.status}`);

// ---------------------------------------------------------------- sessions on both

const cookie = await login(A);
check(!!cookie, 'sign in on server A');
const onB = await send(B.port, 'GET', '/api/v1/me', { headers: { Cookie: `aims_session=${cookie}` } });
check(onB.status === 200 && onB.json?.email === ADMIN.email, 'the session from server A works on server B', `${onB.status}`);
const page = await send(B.port, 'GET', '/systems', { headers: { Cookie: `aims_session=${cookie}` } });
check(page.status === 200 && page.text.includes('다중 서버 챗봇'), 'server B renders the inventory page for that session', `${page.status}`);
const csrf = onB.json?.csrf_token;
const out = await send(B.port, 'POST', '/logout', {
  headers: { Cookie: `aims_session=${cookie}`, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ _csrf: csrf ?? '' }).toString(),
});
const afterOut = await send(A.port, 'GET', '/api/v1/me', { headers: { Cookie: `aims_session=${cookie}` } });
check(out.status === 303 && afterOut.status === 401, 'signing out on server B ends the session on server A at once',
  `logout ${out.status}, then A gave ${afterOut.status}`);

// ---------------------------------------------------------------- a revoked token dies everywhere

const warm = await send(B.port, 'GET', '/api/v1/me', { headers: bearer(doomed) }); // now cached by B
const tokens = await send(A.port, 'GET', '/api/v1/tokens', { headers: bearer(token) });
const doomedId = tokens.json?.items?.find?.((t) => t.name === 'to-revoke')?.id
  ?? (Array.isArray(tokens.json) ? tokens.json.find((t) => t.name === 'to-revoke')?.id : undefined);
const revoked = await send(A.port, 'DELETE', `/api/v1/tokens/${doomedId}`, { headers: bearer(token) });
const afterRevoke = await send(B.port, 'GET', '/api/v1/me', { headers: bearer(doomed) });
check(warm.status === 200 && revoked.status === 204 && afterRevoke.status === 401,
  'a token revoked on server A is refused by server B on the next request',
  `before ${warm.status}, revoke ${revoked.status}, after ${afterRevoke.status}`);

// ---------------------------------------------------------------- concurrent edits

async function current() {
  const g = await send(A.port, 'GET', `/api/v1/systems/${id}`, { headers: bearer(token) });
  return g.json;
}

// (1) Same version in If-Match on both servers: exactly one wins, the other gets 409.
let exactlyOne = 0, problems = [];
for (let i = 0; i < ROUNDS; i++) {
  const v = (await current()).version;
  const [ra, rb] = await Promise.all([
    send(A.port, 'PATCH', `/api/v1/systems/${id}`, { headers: { ...bearer(token), 'If-Match': `"${v}"` }, body: { description: `a${i}` } }),
    send(B.port, 'PATCH', `/api/v1/systems/${id}`, { headers: { ...bearer(token), 'If-Match': `"${v}"` }, body: { data_sources: `b${i}` } }),
  ]);
  const codes = [ra.status, rb.status].sort().join(',');
  if (codes === '200,409') exactlyOne++;
  else problems.push(`round ${i}: ${ra.status} ${rb.status} ${ra.status >= 500 ? ra.text.slice(0, 120) : ''}${rb.status >= 500 ? rb.text.slice(0, 120) : ''}`);
}
check(exactlyOne === ROUNDS, `If-Match on both servers: one edit applies and the other gets 409, in ${ROUNDS} of ${ROUNDS} rounds`, problems.join('; '));

// (2) No If-Match, different fields: both apply, field-wise, and the version rises by two.
let bothApply = 0; problems = [];
for (let i = 0; i < ROUNDS; i++) {
  const before = await current();
  const [ra, rb] = await Promise.all([
    send(A.port, 'PATCH', `/api/v1/systems/${id}`, { headers: bearer(token), body: { description: `fieldwise a${i}` } }),
    send(B.port, 'PATCH', `/api/v1/systems/${id}`, { headers: bearer(token), body: { affected_people: `fieldwise b${i}` } }),
  ]);
  const after = await current();
  if (ra.status === 200 && rb.status === 200 && after.description === `fieldwise a${i}` &&
      after.affected_people === `fieldwise b${i}` && after.version === before.version + 2) bothApply++;
  else problems.push(`round ${i}: ${ra.status} ${rb.status} v${before.version}→v${after.version}`);
}
check(bothApply === ROUNDS, `without If-Match both concurrent edits apply field-wise, in ${ROUNDS} of ${ROUNDS} rounds`, problems.join('; '));

// (3) A burst of 24 edits of one system through both servers: all succeed, none is lost.
const start = (await current()).version;
const burst = await Promise.all(Array.from({ length: 24 }, (_, i) =>
  send(i % 2 ? B.port : A.port, 'PATCH', `/api/v1/systems/${id}`, { headers: bearer(token), body: { vendor: `burst ${i}` } })));
const end = (await current()).version;
const bad = burst.filter((x) => x.status !== 200).map((x) => `${x.status} ${x.text.slice(0, 100)}`);
check(bad.length === 0 && end === start + 24, 'a burst of 24 concurrent edits through both servers: all 200, version +24',
  `${bad.length} failed (${bad.slice(0, 3).join('; ')}), version ${start}→${end}`);

// (4) Concurrent creates in one organisation (both servers raise the same count row).
const creates = await Promise.all(Array.from({ length: 16 }, (_, i) =>
  send(i % 2 ? B.port : A.port, 'POST', '/api/v1/systems', {
    headers: bearer(token), body: { name: `burst system ${i}`, purpose: 'p', lifecycle_stage: 'inception', org_id: rootOrg },
  })));
const list = await send(B.port, 'GET', '/api/v1/systems?limit=1', { headers: bearer(token) });
check(creates.every((x) => x.status === 201) && list.json?.total === 17,
  '16 concurrent creates through both servers: all 201 and the kept count says 17',
  `${creates.map((x) => x.status).join(',')} total ${list.json?.total}`);

// ---------------------------------------------------------------- dropped connections (PostgreSQL)

if (db.startsWith('postgres')) {
  // What a PostgreSQL restart or failover does to the servers' pooled connections.
  const kill = spawnSync('psql', [db, '-Atc',
    'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()']);
  const killed = Number(String(kill.stdout).trim());
  const after = [];
  for (let i = 0; i < 8; i++) {
    after.push((await send(i % 2 ? B.port : A.port, 'GET', `/api/v1/systems/${id}`, { headers: bearer(token) })).status);
    after.push((await send(i % 2 ? A.port : B.port, 'PATCH', `/api/v1/systems/${id}`, { headers: bearer(token), body: { vendor: `after reconnect ${i}` } })).status);
  }
  check(killed >= 2 && after.every((x) => x === 200),
    `after PostgreSQL dropped all ${killed} server connections, every read and edit still succeeds (reconnect)`,
    `${String(kill.stderr).trim()} statuses ${after.join(',')}`);
}

// ---------------------------------------------------------------- stop

for (const s of servers) s.child.kill('SIGTERM');
const exits = await Promise.all(servers.map((s) => Promise.race([s.exited, sleep(30_000).then(() => ({ code: 'timeout' }))])));
check(exits.every((x) => x.code === 0), 'both servers exit cleanly on SIGTERM', JSON.stringify(exits));
for (const s of servers) {
  const log = fs.readFileSync(s.logPath, 'utf8');
  const marker = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:', '"status":500', '"status":503'].find((m) => log.includes(m));
  check(!marker, `${s.name} log has no sanitizer report, 500 or 503`, marker ? `${marker} in ${s.logPath}` : '');
}
finish();
