#!/usr/bin/env node
// Moving an installation: `aims db copy` SQLite → PostgreSQL (and back), `aims db
// check`, and `aims backup`, as an operator would use them.
//
//   node tests/api/copy.mjs --aims build/aims --tmp DIR --db POSTGRES_URL
//
// The source is the demo installation plus real traffic through a server (a sign-in,
// a token, an edit, an archived system, an evidence file with a link, a risk that the
// evidence addresses, so every table
// has rows and system_counts has a zero row). Checks that the copy reports every table equal, that both
// databases print the same checksums, that the copied installation serves the same
// data to the same credentials and hands out new ids above the copied ones, that a
// second copy into a non-empty target is refused and changes nothing, and that a
// backup of a live SQLite database holds the same data.
// Prints one line per check, then "copy: N passed, M failed"; DIR/result.txt gets "N M".

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, send } from './http.mjs';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const aims = path.resolve(opt('--aims') || 'build/aims');
const tmp = path.resolve(opt('--tmp') || fs.mkdtempSync('/tmp/aims-copy-'));
const pg = opt('--db');
fs.mkdirSync(tmp, { recursive: true });
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const PASSWORD = 'demo-pass-123456';
const TABLES = 16; // the tables `aims db check` and `aims db copy` cover (store.c)
const EVIDENCE_TEXT = '복사 시험 증적\n';
const BOUNDARY = 'copy-evidence-boundary';
// A multipart body with one title and one file part (CRLF line ends, RFC 7578).
const evidenceForm = (title, text) => [`--${BOUNDARY}`, 'Content-Disposition: form-data; name="title"', '', title,
  `--${BOUNDARY}`, 'Content-Disposition: form-data; name="file"; filename="copy.txt"', '', text, `--${BOUNDARY}--`, ''].join('\r\n');

let passed = 0, failed = 0;
const check = (ok, name, detail = '') => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ': ' + detail}`);
  return ok;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = [];
function finish() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  console.log(`copy: ${passed} passed, ${failed} failed`);
  fs.writeFileSync(path.join(tmp, 'result.txt'), `${passed} ${failed}\n`);
  process.exit(failed ? 1 : 0);
}
if (!pg || !pg.startsWith('postgresql://')) { check(false, '--db names a PostgreSQL database', String(pg)); finish(); }

function cli(argv, input) {
  const r = spawnSync(aims, argv, { input: input ?? '', timeout: 300_000, cwd: ROOT });
  return { status: r.status, out: String(r.stdout), err: String(r.stderr) };
}

async function serve(db, name) {
  const port = await freePort();
  const fd = fs.openSync(path.join(tmp, `${name}.log`), 'w');
  // One evidence directory under DIR, kept when the database moves (on PostgreSQL the
  // default would be ./aims-evidence in the working directory).
  const child = spawn(aims, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--evidence-dir', path.join(tmp, 'evidence')],
    { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  children.push(child);
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 150; i++) {
    try { if ((await send(port, 'GET', '/healthz')).status === 200) break; } catch { /* not up yet */ }
    await sleep(100);
  }
  return { port, stop: async () => { child.kill('SIGTERM'); return exited; } };
}

async function login(port, email) {
  const r1 = await send(port, 'GET', '/login');
  const pre = /aims_precsrf=([^;]+)/.exec([].concat(r1.headers['set-cookie'] || []).join(';'))?.[1];
  const r2 = await send(port, 'POST', '/login', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `aims_precsrf=${pre}` },
    body: new URLSearchParams({ email, password: PASSWORD, _csrf: pre ?? '' }).toString(),
  });
  return /aims_session=([^;]+)/.exec([].concat(r2.headers['set-cookie'] || []).join(';'))?.[1];
}

// The lines of `db check` without its header: table, rows, sha256.
const checksums = (text) => text.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).join(' '));

// ---------------------------------------------------------------- a used SQLite installation

const src = path.join(tmp, 'source.db');
for (const f of [src, `${src}-wal`, `${src}-shm`]) fs.rmSync(f, { force: true });
let r = cli(['init', '--db', src, '--admin-email', 'admin@test.example', '--password-stdin', '--demo', 'demo/city.json'], `${PASSWORD}\n`);
if (!check(r.status === 0, 'the source: aims init --demo on SQLite', r.err)) finish();
const token = cli(['token', 'create', '--db', src, '--email', 'admin@test.example', '--name', 'copy']).out.trim();
let evidenceId = null;
let riskId = null;
const RISK_TITLE = '복사 시험 위험';
{
  const s = await serve(src, 'source-server');
  const auth = { Authorization: `Bearer ${token}` };
  const list = await send(s.port, 'GET', '/api/v1/systems?limit=100', { headers: auth });
  const items = list.json?.items ?? [];
  // Archive a system that is alone in its organisation and stage, so system_counts
  // keeps a zero row on SQLite that a copy rebuilt by triggers never has.
  const key = (x) => `${x.org_id}/${x.lifecycle_stage}`;
  const second = items.find((x) => items.filter((y) => key(y) === key(x)).length === 1);
  const first = items.find((x) => x !== second);
  await send(s.port, 'PATCH', `/api/v1/systems/${first?.id}`, { headers: auth, body: { vendor: '복사 시험 공급사' } });
  await send(s.port, 'DELETE', `/api/v1/systems/${second?.id}`, { headers: auth });
  // Compliance rows, with a boolean that must read back the same on both backends.
  const j = { headers: { ...auth, 'Content-Type': 'application/json' } };
  await send(s.port, 'PATCH', `/api/v1/orgs/${first?.org_id}/soa/A.10.4`, { ...j, body: { applicable: false, justification: '복사 시험' } });
  await send(s.port, 'PATCH', `/api/v1/orgs/${first?.org_id}/soa/A.6.2.8`, { ...j, body: { status: 'partial', due_date: '2026-12-31' } });
  await send(s.port, 'PUT', `/api/v1/systems/${first?.id}/frameworks`, { ...j, body: { catalogs: ['nist-ai-rmf-1.0'] } });
  await send(s.port, 'PATCH', `/api/v1/systems/${first?.id}/assessments`, { ...j, body: { catalog: 'nist-ai-rmf-1.0', requirement: 'GOVERN 1.1', status: 'met' } });
  // Evidence and its link (the file stays in the evidence directory, which moves with the database).
  const ev = await send(s.port, 'POST', `/api/v1/orgs/${first?.org_id}/evidence`, {
    headers: { ...auth, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, body: evidenceForm('복사 시험 증적', EVIDENCE_TEXT),
  });
  evidenceId = ev.json?.id;
  await send(s.port, 'POST', `/api/v1/evidence/${evidenceId}/links`, { ...j, body: { catalog: 'iso-iec-42001-2023', requirement: 'A.6.2.8' } });
  // A risk of the edited system with every kind of column (a JSON list, a residual
  // estimate, a date), and the evidence linked to it.
  const risk = await send(s.port, 'POST', `/api/v1/orgs/${first?.org_id}/risks`, {
    ...j, body: { title: RISK_TITLE, system_id: first?.id, likelihood: 'likely', impact: 'major', objectives: ['fairness', 'privacy'],
      treatment: 'modify', treatment_plan: '재학습', residual_likelihood: 'unlikely', residual_impact: 'minor',
      review_date: '2027-06-30', status: 'in_treatment' },
  });
  riskId = risk.json?.id;
  const linked = await send(s.port, 'POST', `/api/v1/risks/${riskId}/evidence`, { ...j, body: { evidence_id: evidenceId } });
  check(risk.status === 201 && linked.status === 201, 'a risk on the source, addressed by the evidence', `${risk.status} ${linked.status} ${risk.text.slice(0, 200)}`);
  await login(s.port, 'admin@test.example');
  await login(s.port, 'admin@test.example').catch(() => null);
  await send(s.port, 'POST', '/login', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'email=x@y.z&password=wrong' });
  check(list.status === 200 && (await s.stop()) === 0, 'traffic on the source server (edit, archive, sign-ins), then a clean stop');
}
const zeroRows = spawnSync('sqlite3', [src, 'SELECT count(*) FROM system_counts WHERE n = 0']);
check(String(zeroRows.stdout).trim() === '1', 'the source keeps one zero row in system_counts', String(zeroRows.stdout) + String(zeroRows.stderr));
const srcCheck = cli(['db', 'check', '--db', src]);
const srcSums = checksums(srcCheck.out);
const zeroCounts = cli(['db', 'check', '--db', src, '--format', 'json']);
check(srcCheck.status === 0 && srcSums.length === TABLES && srcSums.every((l) => /^\w+ \d+ [0-9a-f]{64}$/.test(l)),
  `db check prints rows and a SHA-256 for each of the ${TABLES} tables`, srcCheck.out + srcCheck.err);
const counted = JSON.parse(zeroCounts.out || '[]');
check(counted.find((t) => t.table === 'sessions')?.rows > 0 && counted.find((t) => t.table === 'auth_events')?.rows > 0,
  'the source has sessions and sign-in events to copy', zeroCounts.out.slice(0, 300));
check(counted.find((t) => t.table === 'evidence')?.rows === 1 && counted.find((t) => t.table === 'evidence_links')?.rows === 1,
  'and evidence with a link', zeroCounts.out.slice(0, 600));
check(counted.find((t) => t.table === 'risks')?.rows >= 1 && counted.find((t) => t.table === 'risk_evidence')?.rows === 1,
  'and risks, one addressed by the evidence', zeroCounts.out.slice(0, 900));

// ---------------------------------------------------------------- SQLite → PostgreSQL

r = cli(['db', 'copy', '--from', src, '--to', pg, '--format', 'json']);
let report = null;
try { report = JSON.parse(r.out); } catch { /* reported below */ }
check(r.status === 0 && report?.match === true && report.tables.length === TABLES && report.tables.every((t) => t.match),
  'db copy SQLite → PostgreSQL: every table matches by rows and checksum', `${r.status} ${r.err} ${r.out.slice(0, 300)}`);
check(/every row count and checksum matches/.test(r.err), 'db copy says so on stderr', r.err);
const pgSums = checksums(cli(['db', 'check', '--db', pg]).out);
check(JSON.stringify(pgSums) === JSON.stringify(srcSums), 'db check prints the same lines for both databases',
  `sqlite ${srcSums.join(' | ')}\npostgresql ${pgSums.join(' | ')}`);

r = cli(['db', 'copy', '--from', src, '--to', pg]);
check(r.status === 1 && /not empty/.test(r.err), 'a second copy into the now non-empty target is refused', `${r.status} ${r.err}`);
check(JSON.stringify(checksums(cli(['db', 'check', '--db', pg]).out)) === JSON.stringify(srcSums), '… and changes nothing');
r = cli(['db', 'copy', '--from', path.join(tmp, 'missing.db'), '--to', path.join(tmp, 'x.db')]);
check(r.status === 1 && /does not exist/.test(r.err) && !fs.existsSync(path.join(tmp, 'x.db')),
  'copying from a missing SQLite file fails before creating the target', r.err);
r = cli(['db', 'copy', '--from', src]);
check(r.status === 2 && /--to/.test(r.err), 'db copy without --to is a usage error naming --to', r.err);

// ---------------------------------------------------------------- the copy serves the same installation

{
  const s = await serve(pg, 'copy-server');
  const auth = { Authorization: `Bearer ${token}` };
  const health = await send(s.port, 'GET', '/healthz');
  const all = await send(s.port, 'GET', '/api/v1/systems?limit=1&status=active', { headers: auth });
  const cookie = await login(s.port, 'officer@hanbit.example');
  const me = await send(s.port, 'GET', '/api/v1/me', { headers: { Cookie: `aims_session=${cookie}` } });
  check(health.json?.store === 'postgresql' && all.status === 200, 'the copied token works on PostgreSQL', `${all.status} ${health.text}`);
  check(all.json?.total === 26, 'it sees the 26 active systems (27 less the archived one)', String(all.json?.total));
  check(me.status === 200 && me.json?.email === 'officer@hanbit.example', 'a demo user signs in with the copied password hash', `${me.status}`);
  const newest = await send(s.port, 'GET', '/api/v1/systems?sort=id&order=desc&limit=1', { headers: auth });
  const maxId = newest.json?.items?.[0]?.id ?? Infinity;
  const made = await send(s.port, 'POST', '/api/v1/systems', {
    headers: auth, body: { name: 'after the copy', purpose: 'p', lifecycle_stage: 'inception', org_id: 1 },
  });
  check(made.status === 201 && made.json?.id > maxId, 'a new system gets an id above the copied ones (sequences moved on)',
    `${made.status} id ${made.json?.id} ${made.text.slice(0, 200)}`);
  const hist = await send(s.port, 'GET', `/api/v1/systems/${made.json?.id}/history`, { headers: auth });
  check(hist.status === 200, 'its history reads back', `${hist.status}`);
  const file = await send(s.port, 'GET', `/api/v1/evidence/${evidenceId}/file`, { headers: auth });
  const evMeta = await send(s.port, 'GET', `/api/v1/evidence/${evidenceId}`, { headers: auth });
  check(file.status === 200 && file.text === EVIDENCE_TEXT && evMeta.json?.links?.[0]?.requirement_id === 'A.6.2.8',
    'the copied evidence downloads from the same evidence directory, with its link', `${file.status} ${file.text.slice(0, 200)}`);
  const newEv = await send(s.port, 'POST', '/api/v1/orgs/1/evidence', {
    headers: { ...auth, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }, body: evidenceForm('after the copy', 'new evidence\n'),
  });
  check(newEv.status === 201 && newEv.json?.id > evidenceId, 'new evidence gets an id above the copied one',
    `${newEv.status} id ${newEv.json?.id} ${newEv.text.slice(0, 200)}`);
  const rk = (await send(s.port, 'GET', `/api/v1/risks/${riskId}`, { headers: auth })).json;
  check(rk?.title === RISK_TITLE && rk.score === 16 && rk.residual_score === 4 && rk.review_date === '2027-06-30' &&
    JSON.stringify(rk.objectives) === '["fairness","privacy"]' && rk.evidence?.[0]?.evidence_id === evidenceId,
    'the copied risk reads back with its score, residual, objectives, date and evidence', JSON.stringify(rk).slice(0, 300));
  check(evMeta.json?.risks?.[0]?.risk_id === riskId, 'the copied evidence names the risk it addresses', JSON.stringify(evMeta.json?.risks));
  const newRisk = await send(s.port, 'POST', '/api/v1/orgs/1/risks', {
    headers: auth, body: { title: 'after the copy', likelihood: 'rare', impact: 'minor' },
  });
  check(newRisk.status === 201 && newRisk.json?.id > riskId, 'a new risk gets an id above the copied ones',
    `${newRisk.status} id ${newRisk.json?.id} ${newRisk.text.slice(0, 200)}`);
  check((await s.stop()) === 0, 'the PostgreSQL server stops cleanly');
}

// ---------------------------------------------------------------- and back, and backups

const back = path.join(tmp, 'back.db');
fs.rmSync(back, { force: true });
r = cli(['db', 'copy', '--from', pg, '--to', back]);
check(r.status === 0 && /every row count and checksum matches/.test(r.err), 'db copy PostgreSQL → a new SQLite file matches', r.err);

const bak = path.join(tmp, 'source-backup.db');
fs.rmSync(bak, { force: true });
{
  const s = await serve(src, 'backup-server'); // the backup is taken while a server runs
  r = cli(['backup', '--db', src, '--to', bak]);
  await s.stop();
}
check(r.status === 0 && fs.existsSync(bak), 'aims backup of a live SQLite database', r.err);
check(JSON.stringify(checksums(cli(['db', 'check', '--db', bak]).out)) === JSON.stringify(srcSums),
  'the backup holds the same data (same checksums)');
r = cli(['backup', '--db', src, '--to', bak]);
check(r.status === 1 && /already exists/.test(r.err), 'a backup never overwrites a file', r.err);
r = cli(['backup', '--db', pg, '--to', path.join(tmp, 'pg.bak')]);
check(r.status === 1 && /pg_dump/.test(r.err), 'backup of PostgreSQL points to pg_dump', r.err);

for (const f of fs.readdirSync(tmp).filter((f) => f.endsWith('.log'))) {
  const log = fs.readFileSync(path.join(tmp, f), 'utf8');
  const marker = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:'].find((m) => log.includes(m));
  check(!marker, `${f} has no sanitizer report`, marker ?? '');
}
finish();
