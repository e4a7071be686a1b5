#!/usr/bin/env node
// The aims command line as a user meets it: exit codes, messages that name the
// problem, and nothing half-done after a failure.
//
//   node tests/api/cli.mjs --aims build/aims --tmp DIR
//
// Prints one line per check, then "cli: N passed, M failed"; DIR/result.txt gets "N M".

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const aims = path.resolve(opt('--aims') || 'build/aims');
const tmp = path.resolve(opt('--tmp') || fs.mkdtempSync('/tmp/aims-cli-'));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
fs.mkdirSync(tmp, { recursive: true });
let passed = 0, failed = 0;
const check = (ok, name, detail = '') => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ': ' + detail}`);
};
const sanitizerReports = [];
const run = (argv, input, env) => {
  const r = spawnSync(aims, argv, { input: input ?? '', cwd: root, timeout: 120_000, env: { ...process.env, ...(env ?? {}) } });
  const res = { status: r.status, out: String(r.stdout), err: String(r.stderr) };
  if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(res.err)) sanitizerReports.push(argv.join(' '));
  return res;
};
const show = (r) => `exit ${r.status}; stdout ${r.out.slice(0, 200)}; stderr ${r.err.slice(0, 300)}`;

// init --demo with a broken demo file keeps nothing
const bad = JSON.parse(fs.readFileSync(path.join(root, 'demo/city.json'), 'utf8'));
bad.systems[3].lifecycle_stage = 'bogus';
fs.writeFileSync(path.join(tmp, 'bad-demo.json'), JSON.stringify(bad));
const badDb = path.join(tmp, 'bad.db');
let r = run(['init', '--db', badDb, '--password-stdin', '--demo', path.join(tmp, 'bad-demo.json')], 'admin-pass-123456\n');
check(r.status === 1, 'init --demo with a bad demo file fails with exit 1', show(r));
check(/systems\[3\]/.test(r.err) && /lifecycle_stage/.test(r.err), 'and names the record and the field', show(r));
check(!fs.existsSync(badDb), 'and leaves no database behind');

// a good init prints the login once, with a generated password
const db = path.join(tmp, 'cli.db');
r = run(['init', '--db', db, '--admin-email', 'Admin@Test.Example', '--demo', 'demo/city.json']);
check(r.status === 0, 'init --demo succeeds', show(r));
const pw = (r.out.match(/^password: (\S+)$/m) || [])[1];
check(!!pw && pw.length >= 20, 'prints a generated password of 20+ characters', show(r));
check(/demo users: 11/.test(r.out), 'and the number of demo users', show(r));

r = run(['init', '--db', db, '--password-stdin'], 'another-pass-1234\n');
check(r.status === 1 && /already initialised/.test(r.err), 'init twice is refused', show(r));

// e-mail case does not matter for --as
r = run(['system', 'list', '--db', db, '--as', 'ADMIN@test.example', '--format', 'json']);
let list = null;
try { list = JSON.parse(r.out); } catch { /* reported below */ }
check(r.status === 0 && list && list.total === 27, 'system list --as (any case) sees the 27 demo systems', show(r));
r = run(['soa', 'list', '--db', db, '--as', 'officer@hanbit.example', '--org', '1', '--format', 'json']);
let demoSoa = null;
try { demoSoa = JSON.parse(r.out); } catch { /* reported below */ }
const demoBy = demoSoa && demoSoa.summary.by_status;
check(r.status === 0 && demoBy && demoBy.implemented === 4 && demoBy.partial === 5 && demoBy.planned === 3 && demoSoa.summary.overdue === 1 &&
  demoSoa.items.find((it) => it.control_id === 'A.2.2').owner_email === 'officer@hanbit.example',
  'the demo city\'s Statement of Applicability has 12 entries in progress, one of them overdue', show(r));

r = run(['system', 'list', '--db', db]);
check(r.status === 2 && /--as/.test(r.err), 'system list without --as is a usage error naming --as', show(r));

r = run(['system', 'list', '--db', db, '--as', 'admin@test.example', '--limit', '0']);
check(r.status === 2 && /limit/.test(r.err), 'a bad --limit is a usage error naming limit', show(r));

r = run(['system', 'list', '--db', db, '--as', 'nobody@test.example']);
check(r.status === 1 && /nobody@test.example/.test(r.err), 'an unknown --as user is named', show(r));

// rights apply to the CLI: a viewer cannot add
r = run(['system', 'add', '--db', db, '--as', 'viewer@hanbit.example', '--name', 'X', '--purpose', 'p', '--stage', 'inception']);
check(r.status === 1 && r.err.length > 0, 'a viewer cannot add a system through the CLI', show(r));

// import is all or nothing
const csv = path.join(tmp, 'in.csv');
fs.writeFileSync(csv, 'name,purpose,lifecycle_stage\nCLI one,p,inception\nCLI two,p,not-a-stage\n');
r = run(['system', 'import', '--db', db, '--as', 'officer@hanbit.example', '--file', csv]);
check(r.status === 1 && /line 3/.test(r.err) && /lifecycle_stage/.test(r.err), 'a bad import names line 3 and the field', show(r));
r = run(['system', 'list', '--db', db, '--as', 'admin@test.example', '--q', 'CLI one', '--format', 'json']);
check(r.status === 0 && JSON.parse(r.out).total === 0, 'and imported nothing', show(r));
fs.writeFileSync(csv, 'name,purpose,lifecycle_stage,techniques\nCLI one,p,inception,nlp;llm\n');
r = run(['system', 'import', '--db', db, '--as', 'officer@hanbit.example', '--file', csv]);
check(r.status === 0 && /imported 1/.test(r.out), 'a good import says how many', show(r));

// export writes CSV with the documented header
r = run(['system', 'export', '--db', db, '--as', 'admin@test.example', '--format', 'csv']);
check(r.status === 0 && r.out.split('\r\n')[0].startsWith('id,name,purpose'), 'export writes CSV with a header', show(r));

// token create prints only the token; passwd changes the password
r = run(['token', 'create', '--db', db, '--email', 'officer@hanbit.example', '--name', 'ci']);
check(r.status === 0 && /^aims_[A-Za-z0-9_-]{43}\n$/.test(r.out), 'token create prints only the token', show(r));
r = run(['user', 'passwd', '--db', db, '--email', 'officer@hanbit.example', '--password-stdin'], 'short\n');
check(r.status === 1 && /password/.test(r.err), 'a too-short password is refused, naming the field', show(r));
r = run(['user', 'passwd', '--db', db, '--email', 'officer@hanbit.example', '--password-stdin'], 'a-new-password-123\n');
check(r.status === 0, 'user passwd succeeds', show(r));

r = run(['--help']);
check(r.status === 0 && /serve/.test(r.out) && /system/.test(r.out), 'aims --help lists the commands', show(r));
r = run(['frobnicate']);
check(r.status === 2 && /frobnicate/.test(r.err), 'an unknown command is named, exit 2', show(r));

// aims fair: the table, JSON, HTML, thresholds and bad input, as a user meets them
const preds = path.join(tmp, 'preds.csv');
fs.writeFileSync(preds, 'sex,y,p,s\nF,1,1,0.9\nF,0,1,0.8\nM,1,0,0.3\nM,0,0,0.1\nF,0,0,0.2\nM,1,1,0.7\n');
r = run(['fair', '--data', preds, '--y-true', 'y', '--y-pred', 'p', '--sensitive', 'sex', '--score', 's']);
check(r.status === 0 && /By sex \(2 groups\)/.test(r.out) && /\(overall\)/.test(r.out), 'fair prints a table per section', show(r));
r = run(['fair', '--data', preds, '--y-true', 'y', '--y-pred', 'p', '--sensitive', 'sex', '--json',
  '--threshold', 'demographic_parity_ratio=0.8', '--html', path.join(tmp, 'fair.html')]);
let report = null;
try { report = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 3 && report && report.pass === false, 'a failed threshold exits 3 with pass:false in the JSON', show(r));
check(report && report.sections[0].disparities.demographic_parity_ratio.value === 0.5, 'demographic parity ratio is 0.5', show(r));
const page = fs.existsSync(path.join(tmp, 'fair.html')) ? fs.readFileSync(path.join(tmp, 'fair.html'), 'utf8') : '';
check(/<svg/.test(page) && /선택률/.test(page) && /Selection rate/.test(page) && !/<script/.test(page),
  'fair --html writes a self-contained bilingual page with SVG charts', page.slice(0, 200));
fs.writeFileSync(path.join(tmp, 'bad-preds.csv'), 'sex,y,p\nF,1,1\nM,2,0\n');
r = run(['fair', '--data', path.join(tmp, 'bad-preds.csv'), '--y-true', 'y', '--y-pred', 'p', '--sensitive', 'sex']);
check(r.status === 1 && /line 3: y:/.test(r.err) && /'2'/.test(r.err) && r.out === '', 'a bad label fails with line, column and value, nothing on stdout', show(r));
r = run(['fair', '--data', path.join(tmp, 'bad-preds.csv'), '--y-true', 'y', '--y-pred', 'p', '--sensitive', 'sex', '--skip-bad-rows', '--json']);
try { report = JSON.parse(r.out); } catch { report = null; }
check(r.status === 0 && report && report.input.skipped.label_not_binary === 1 && report.input.rows_used === 1,
  '--skip-bad-rows counts the skipped row by kind', show(r));
r = run(['fair', '--data', preds, '--y-true', 'truth', '--y-pred', 'p', '--sensitive', 'sex']);
check(r.status === 1 && /no column 'truth'/.test(r.err) && /columns: sex, y, p, s/.test(r.err), 'an unknown column is named with the header\'s columns', show(r));
r = run(['fair', '--data', preds, '--y-true', 'y']);
check(r.status === 2 && /--y-pred/.test(r.err), 'a missing required option is a usage error', show(r));

// catalog versions: an older release's entries (AIMS_CATALOGS), the diff, what it
// touches, the migration, and earlier versions that break the rules
const v0 = 'tests/fixtures/catalogs/v0';
const old = { AIMS_CATALOGS: v0 };
const withOld = { AIMS_CATALOG_PREVIOUS: v0 };
const as = ['--db', db, '--as', 'admin@test.example'];
r = run(['soa', 'set', ...as, '--org', '1', '--control', 'A.6.2.8', '--status', 'planned'], '', old);
let entry = null;
try { entry = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 0 && entry && entry.catalog_version === '2023-test-0', 'with AIMS_CATALOGS an entry is made against that library\'s version', show(r));
run(['soa', 'set', ...as, '--org', '1', '--control', 'A.10.5', '--status', 'implemented'], '', old);
r = run(['catalog', 'diff', '--catalog', 'iso-iec-42001-2023', '--from', `${v0}/iso-iec-42001-2023.json`, '--lang', 'en']);
check(r.status === 0 && /^added\s+A\.10\.4/m.test(r.out) && /^removed\s+A\.10\.5/m.test(r.out) && /^changed\s+A\.6\.2\.8\s+title\.en\s+yes/m.test(r.out)
  && /1 added, 1 removed, 4 changed \(3 need review/.test(r.out), 'catalog diff prints added, removed and changed in a table', show(r));
r = run(['catalog', 'diff', '--catalog', 'iso-iec-42001-2023', '--from', '2023-test-0', '--format', 'json'], '', withOld);
let diff = null;
try { diff = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 0 && diff && diff.summary.review === 3 && diff.from.version === '2023-test-0', 'catalog diff --from VERSION --format json, from the earlier versions held', show(r));
r = run(['catalog', 'diff', '--catalog', 'iso-iec-42001-2023', '--from', '2023-test-0']);
check(r.status === 1 && /2023-test-0/.test(r.err), 'a version not held here fails with exit 1 and is named', show(r));
r = run(['catalog', 'diff', '--catalog', 'no-such-catalog', '--from', v0]);
check(r.status === 1 && /no-such-catalog/.test(r.err), 'an unknown catalog fails with exit 1 and is named', show(r));
r = run(['catalog', 'diff', '--catalog', 'iso-iec-42001-2023']);
check(r.status === 2 && /--from/.test(r.err), 'catalog diff without --from is a usage error', show(r));
r = run(['catalog', 'touched', ...as, '--catalog', 'iso-iec-42001-2023', '--format', 'json'], '', withOld);
let touched = null;
try { touched = JSON.parse(r.out); } catch { /* checked below */ }
const rootOrg = touched && touched.orgs.find((o) => o.org_id === 1);
check(r.status === 0 && rootOrg && rootOrg.counts.changed === 1 && rootOrg.counts.removed === 1, 'catalog touched reports the changed and the removed entry', show(r));
r = run(['catalog', 'touched', ...as, '--catalog', 'iso-iec-42001-2023', '--from', v0]);
check(r.status === 0 && /2023-test-0\s+yes/.test(r.out) && /A\.6\.2\.8/.test(r.out), 'catalog touched --from PATH reads the old text from the file', show(r));
r = run(['soa', 'migrate', '--db', db, '--as', 'viewer@hanbit.example', '--org', '1'], '', withOld);
check(r.status === 1 && r.err.length > 0, 'a viewer cannot migrate through the CLI', show(r));
r = run(['soa', 'migrate', ...as, '--org', '1', '--from', v0]);
check(r.status === 0 && /^1 Statement of Applicability entries moved/.test(r.out) && /A\.10\.5\s+2023-test-0\s+removed/.test(r.out), 'soa migrate moves the changed entry and keeps the removed one', show(r));
r = run(['soa', 'list', ...as, '--org', '1']);
check(r.status === 0 && /review \(2023-test-0\)/.test(r.out) && /1 waiting for review/.test(r.out), 'soa list shows the review', show(r));
r = run(['soa', 'set', ...as, '--org', '1', '--control', 'A.6.2.8', '--reviewed']);
try { entry = JSON.parse(r.out); } catch { entry = null; }
check(r.status === 0 && entry && entry.review_from === null, 'soa set --reviewed clears it', show(r));
fs.mkdirSync(path.join(tmp, 'prev'), { recursive: true });
fs.copyFileSync('catalogs/iso-iec-42001-2023.json', path.join(tmp, 'prev', 'iso-iec-42001-2023.json'));
r = run(['catalog', 'check'], '', { AIMS_CATALOG_PREVIOUS: path.join(tmp, 'prev') });
check(r.status === 1 && /iso-iec-42001-2023\.json:\d+: iso-iec-42001-2023: version 2023 is the version in use/.test(r.err), 'catalog check refuses an earlier version that is the one in use', show(r));
r = run(['serve', '--db', db, '--listen', '127.0.0.1:0'], '', { AIMS_CATALOGS: path.join(tmp, 'no-such-dir') });
check(r.status === 1 && /no-such-dir/.test(r.err), 'serve refuses to start on a catalog library it cannot read', show(r));
// aims evidence: add (streamed into DB.evidence beside the SQLite file by default),
// list, show, and verify, which must find a stored file altered or deleted outside aims.
// (The HTTP side of an altered file, a 500 instead of the bytes, is in
// cases/58-evidence.json, whose runner can alter the server's evidence directory.)
const evDir = `${db}.evidence`;
const stored = (hex) => path.join(evDir, 'sha256', hex.slice(0, 2), hex);
const OFFICER = ['--as', 'officer@hanbit.example'];
const policy = path.join(tmp, '인공지능 정책.txt');
fs.writeFileSync(policy, 'aims evidence: AI policy 2026\n'); // sha256sum: 2186bf8f...e648
const POLICY_SHA = '2186bf8f90e39118859454fc1fe4901e70fcc75101d7833d916a4be004e6e648';
r = run(['evidence', 'add', '--db', db, ...OFFICER, '--org', '1', '--file', policy, '--title', 'CLI 인공지능 정책',
  '--issued-on', '2026-01-15', '--valid-until', '2099-12-31', '--catalog', 'iso-iec-42001-2023', '--requirement', 'A.2.2']);
let ev = null;
try { ev = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 0 && ev && ev.sha256 === POLICY_SHA && ev.size_bytes === 30 && ev.filename === '인공지능 정책.txt' &&
  ev.link_count === 1 && ev.state === 'valid', 'evidence add prints the new evidence as JSON with the SHA-256 of the file', show(r));
check(fs.existsSync(stored(POLICY_SHA)) && fs.readFileSync(stored(POLICY_SHA), 'utf8') === 'aims evidence: AI policy 2026\n',
  'and stores the file by its digest in DB.evidence beside the database', evDir);
const second = path.join(tmp, 'second.txt');
fs.writeFileSync(second, 'aims evidence: second file\n');
r = run(['evidence', 'add', '--db', db, ...OFFICER, '--org', '1', '--file', second, '--title', 'CLI second']);
let ev2 = null;
try { ev2 = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 0 && ev2 && ev2.id > ev.id, 'evidence add a second file', show(r));
const third = path.join(tmp, 'third.txt');
fs.writeFileSync(third, 'aims evidence: third file\n');
r = run(['evidence', 'add', '--db', db, ...OFFICER, '--org', '1', '--file', third, '--title', 'CLI third']);
let ev3 = null;
try { ev3 = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 0 && ev3 && ev3.id > ev2.id, 'evidence add a third file', show(r));

const storedCount = () => fs.readdirSync(path.join(evDir, 'sha256')).flatMap((d) => fs.readdirSync(path.join(evDir, 'sha256', d))).length;
const before = storedCount();
r = run(['evidence', 'add', '--db', db, ...OFFICER, '--org', '1', '--file', second, '--title', 'CLI bad dates',
  '--issued-on', '2026-05-01', '--valid-until', '2026-04-30']);
check(r.status === 1 && /valid_until/.test(r.err) && r.out === '', 'evidence add with valid-until before issued-on fails, naming valid_until', show(r));
r = run(['evidence', 'add', '--db', db, '--as', 'viewer@hanbit.example', '--org', '1', '--file', third, '--title', 'CLI viewer']);
check(r.status === 1 && r.err.length > 0, 'a viewer cannot add evidence through the CLI', show(r));
r = run(['evidence', 'add', '--db', db, ...OFFICER, '--org', '1', '--file', path.join(tmp, 'no-such-file.pdf'), '--title', 'CLI missing']);
check(r.status === 1 && /no-such-file\.pdf/.test(r.err), 'evidence add of a missing file names the path', show(r));
const big = path.join(tmp, 'big.bin');
fs.writeFileSync(big, Buffer.alloc((1 << 20) + 1, 0x61));
r = run(['evidence', 'add', '--db', db, ...OFFICER, '--evidence-max-mb', '1', '--org', '1', '--file', big, '--title', 'CLI too big']);
check(r.status === 1 && /larger than 1048576 bytes/.test(r.err), '--evidence-max-mb 1 refuses a file of 1 MiB + 1 byte', show(r));
r = run(['evidence', 'add', '--db', db, ...OFFICER, '--org', '1', '--title', 'CLI no file']);
check(r.status === 2 && /--file/.test(r.err), 'evidence add without --file is a usage error naming --file', show(r));
check(storedCount() === before && fs.readdirSync(path.join(evDir, 'tmp')).length === 0,
  'the refused adds stored nothing and left nothing in tmp/', `${storedCount()} stored, ${before} before`);

r = run(['evidence', 'list', '--db', db, ...OFFICER, '--org', '1']);
check(r.status === 0 && /CLI 인공지능 정책/.test(r.out) && /3 of 3 shown/.test(r.out) && /2186bf8f90e3/.test(r.out),
  'evidence list prints a table with titles, short digests and a count', show(r));
r = run(['evidence', 'list', '--db', db, ...OFFICER, '--org', '1', '--q', 'second', '--format', 'json']);
list = null;
try { list = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 0 && list && list.total === 1 && list.items[0].id === ev2.id, 'evidence list --q --format json', show(r));
r = run(['evidence', 'list', '--db', db, ...OFFICER, '--org', '1', '--state', 'bogus']);
check(r.status === 1 && /state/.test(r.err), 'evidence list --state bogus names state', show(r));
r = run(['evidence', 'show', '--db', db, ...OFFICER, '--id', String(ev.id)]);
let shown = null;
try { shown = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 0 && shown && shown.links.length === 1 && shown.links[0].requirement_id === 'A.2.2' &&
  shown.history.some((h) => h.field === '*') && shown.history.some((h) => h.field === 'link'),
  'evidence show prints links and history', show(r));

r = run(['evidence', 'verify', '--db', db]);
check(r.status === 0 && /3 evidence files checked/.test(r.out) && /3 ok, 0 missing, 0 altered, 0 unreferenced/.test(r.out),
  'evidence verify on a clean directory exits 0 and counts the files', show(r));
// Someone with shell access appends a byte to one stored file and deletes another.
const alteredPath = stored(ev2.sha256);
fs.chmodSync(alteredPath, 0o600);
fs.appendFileSync(alteredPath, '!');
fs.rmSync(stored(ev3.sha256));
r = run(['evidence', 'verify', '--db', db]);
check(r.status === 1 && r.out.includes(`altered: evidence ${ev2.id}\n`), 'evidence verify exits 1 and prints "altered: evidence N" for a changed file', show(r));
check(r.out.includes(`missing: evidence ${ev3.id}\n`) && /1 ok, 1 missing, 1 altered/.test(r.out), 'and "missing: evidence N" for a deleted one', show(r));
check(/aims evidence verify: .*missing.*altered/.test(r.err), 'and says so on stderr', show(r));
r = run(['evidence', 'verify', '--db', db, '--format', 'json']);
let verified = null;
try { verified = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 1 && verified && verified.checked === 3 && verified.ok === 1 && JSON.stringify(verified.altered) === `[${ev2.id}]` &&
  JSON.stringify(verified.missing) === `[${ev3.id}]`, 'evidence verify --format json lists the ids', show(r));
// A stored file no evidence refers to (left by a failed upload) is listed, not an error by itself.
const strayHex = '0'.repeat(64);
fs.mkdirSync(path.join(evDir, 'sha256', '00'), { recursive: true });
fs.writeFileSync(path.join(evDir, 'sha256', '00', strayHex), 'stray');
r = run(['evidence', 'verify', '--db', db]);
check(r.out.includes(`unreferenced: ${strayHex}\n`), 'evidence verify lists an unreferenced file by its name', show(r));
// Repaired: the altered file gets its bytes back, the deleted one comes back, the stray goes.
fs.writeFileSync(alteredPath, 'aims evidence: second file\n');
fs.writeFileSync(stored(ev3.sha256), 'aims evidence: third file\n');
fs.rmSync(path.join(evDir, 'sha256', '00', strayHex));
r = run(['evidence', 'verify', '--db', db]);
check(r.status === 0 && /3 ok, 0 missing, 0 altered/.test(r.out), 'after the repair evidence verify exits 0 again', show(r));
const emptyDir = path.join(tmp, 'empty-evidence');
fs.mkdirSync(emptyDir, { recursive: true });
r = run(['evidence', 'verify', '--db', db, '--evidence-dir', emptyDir]);
check(r.status === 1 && /0 ok, 3 missing/.test(r.out) && r.out.includes(emptyDir), '--evidence-dir names the directory checked (every file missing there)', show(r));

// aims risk: the demo's five risks, add with a computed score, a field error that
// names the field and changes nothing, set, link evidence, the CSV, and rights.
r = run(['risk', 'list', '--db', db, ...OFFICER, '--org', '1', '--format', 'json']);
let risks = null;
try { risks = JSON.parse(r.out); } catch { /* reported below */ }
check(r.status === 0 && risks && risks.total === 5 && risks.summary.by_level.critical === 2 && risks.items[0].score === 20,
  'risk list shows the demo city\'s five risks, highest score first, two of them critical', show(r));
check(risks && risks.items.every((it) => it.owner_email) &&
  risks.items.some((it) => it.owner_email === 'reviewer@hanbit.example' && it.system_name === '채용 서류 심사 보조'),
  'every demo risk has its risk owner, who need not be the system\'s owner', show(r));
r = run(['risk', 'add', '--db', db, ...OFFICER, '--org', '1', '--title', 'CLI 위험', '--likelihood', 'likely',
  '--impact', 'minor', '--objectives', 'fairness,privacy', '--review-date', '2020-01-01']);
let risk = null;
try { risk = JSON.parse(r.out); } catch { /* reported below */ }
check(r.status === 0 && risk && risk.score === 8 && risk.level === 'medium' && risk.overdue === true &&
  JSON.stringify(risk.objectives) === '["fairness","privacy"]', 'risk add prints the risk with score 4 × 2 = 8, level and overdue', show(r));
r = run(['risk', 'add', '--db', db, ...OFFICER, '--org', '1', '--title', 'CLI bad', '--likelihood', 'sometimes', '--impact', 'minor']);
check(r.status === 1 && /likelihood: must be one of rare/.test(r.err) && r.out === '', 'risk add with a bad likelihood fails, naming the field and its codes', show(r));
r = run(['risk', 'list', '--db', db, ...OFFICER, '--org', '1', '--format', 'json']);
try { risks = JSON.parse(r.out); } catch { risks = null; }
check(risks && risks.total === 6, 'and adds nothing', show(r));
r = run(['risk', 'set', '--db', db, ...OFFICER, '--id', String(risk && risk.id), '--status', 'accepted']);
check(r.status === 1 && /residual_likelihood/.test(r.err), 'risk set --status accepted without a residual estimate fails, naming residual_likelihood', show(r));
r = run(['risk', 'set', '--db', db, ...OFFICER, '--id', String(risk && risk.id), '--residual-likelihood', 'rare',
  '--residual-impact', 'minor', '--status', 'accepted', '--review-date', '']);
let changed = null;
try { changed = JSON.parse(r.out); } catch { /* reported below */ }
check(r.status === 0 && changed && changed.residual_score === 2 && changed.status === 'accepted' && changed.review_date === null &&
  changed.version === 2, 'risk set records the residual risk (2), accepts it and clears the review date', show(r));
r = run(['risk', 'link', '--db', db, ...OFFICER, '--id', String(risk && risk.id), '--evidence', String(ev.id)]);
check(r.status === 0 && r.out.includes(`"evidence_id":${ev.id}`), 'risk link links the policy evidence to the risk', show(r));
r = run(['risk', 'link', '--db', db, ...OFFICER, '--id', String(risk && risk.id), '--evidence', String(ev.id)]);
check(r.status === 1 && /evidence_id/.test(r.err), 'linking it twice fails, naming evidence_id', show(r));
r = run(['risk', 'list', '--db', db, ...OFFICER, '--org', '1', '--format', 'csv', '--status', 'accepted']);
check(r.status === 0 && r.out.startsWith('\uFEFFid,org,system,title') && r.out.includes('CLI 위험') && r.out.split('\r\n').length === 3,
  'risk list --format csv writes the accepted risk under the documented header', show(r));
r = run(['risk', 'add', '--db', db, '--as', 'viewer@hanbit.example', '--org', '1', '--title', 'CLI viewer', '--likelihood', 'rare', '--impact', 'minor']);
check(r.status === 1 && /not allow/.test(r.err), 'a viewer cannot add a risk through the CLI', show(r));
r = run(['risk', 'unlink', '--db', db, ...OFFICER, '--id', String(risk && risk.id), '--evidence', String(ev.id)]);
check(r.status === 0 && /unlinked/.test(r.out), 'risk unlink removes the link', show(r));
r = run(['risk', 'show', '--db', db, ...OFFICER, '--id', String(risk && risk.id)]);
let riskShown = null;
try { riskShown = JSON.parse(r.out); } catch { /* reported below */ }
check(r.status === 0 && riskShown && riskShown.evidence.length === 0 && riskShown.history.some((h) => h.field === 'evidence' && h.old_value === `evidence ${ev.id}`),
  'risk show has no evidence left and the unlink in its history', show(r));

// aims assessment: roles apply as in the web UI; the export is what the API serves
r = run(['assessment', 'export', '--db', db, '--as', 'viewer@hanbit.example', '--catalog', 'nist-ai-rmf-1.0']);
check(r.status === 2 && /--system/.test(r.err), 'assessment export without --system is a usage error naming it', show(r));
r = run(['assessment', 'frameworks', '--db', db, '--as', 'viewer@hanbit.example', '--system', '1', '--set', 'nist-ai-rmf-1.0']);
check(r.status === 1 && /role/.test(r.err), 'a viewer cannot choose a system\'s frameworks', show(r));
r = run(['assessment', 'frameworks', '--db', db, '--as', 'owner.welfare@hanbit.example', '--system', '1']);
check(r.status === 1 && /no such AI system/.test(r.err), 'another branch\'s owner does not see the system at all', show(r));
r = run(['assessment', 'frameworks', '--db', db, '--as', 'owner.digital@hanbit.example', '--system', '1', '--set', 'nist-ai-rmf-1.0,kr-ai-basic-act-21311']);
check(r.status === 0 && JSON.parse(r.out).frameworks.length === 2, 'the system\'s owner chooses two frameworks', show(r));
r = run(['assessment', 'set', '--db', db, '--as', 'officer@hanbit.example', '--system', '1', '--catalog', 'nist-ai-rmf-1.0',
  '--requirement', 'GOVERN 1.1', '--status', 'partial', '--note', '=SUM(1,2) 검토 중']);
check(r.status === 0 && JSON.parse(r.out).status === 'partial', 'the officer records a result', show(r));
r = run(['assessment', 'set', '--db', db, '--as', 'auditor@hanbit.example', '--system', '1', '--catalog', 'nist-ai-rmf-1.0',
  '--requirement', 'GOVERN 1.1', '--status', 'met']);
check(r.status === 1 && /role/.test(r.err), 'an auditor cannot record a result', show(r));
r = run(['assessment', 'set', '--db', db, '--as', 'officer@hanbit.example', '--system', '1', '--catalog', 'nist-ai-rmf-1.0',
  '--requirement', 'GOVERN 1.1', '--status', 'done']);
check(r.status === 1 && /status/.test(r.err), 'a bad status is refused, naming the field', show(r));
r = run(['assessment', 'export', '--db', db, '--as', 'viewer@hanbit.example', '--system', '1', '--catalog', 'nist-ai-rmf-1.0', '--format', 'csv']);
check(r.status === 0 && r.out.startsWith('\ufeffrequirement_id,parent,kind,title,status') && r.out.includes(',partial,"\'=SUM(1,2) 검토 중",'),
  'a viewer exports the CSV, BOM first and the formula guarded', show(r));
const xlsxOut = path.join(tmp, 'assessment.xlsx');
r = run(['assessment', 'export', '--db', db, '--as', 'viewer@hanbit.example', '--system', '1', '--catalog', 'kr-ai-basic-act-21311', '--out', xlsxOut]);
check(r.status === 0 && fs.existsSync(xlsxOut) && fs.readFileSync(xlsxOut).subarray(0, 2).toString() === 'PK', 'and the XLSX of the Korean framework to a file', show(r));
r = run(['assessment', 'export', '--db', db, '--as', 'viewer@hanbit.example', '--system', '1', '--catalog', 'eu-ai-act-2024-1689']);
check(r.status === 1 && /catalog/.test(r.err) && r.out === '', 'a framework not chosen is refused, naming catalog, nothing written', show(r));
r = run(['assessment', 'list', '--db', db, '--as', 'viewer@hanbit.example', '--system', '1', '--catalog', 'nist-ai-rmf-1.0']);
check(r.status === 0 && /GOVERN 1\.1 +partial/.test(r.out) && /72 requirements: 0 met, 1 partial/.test(r.out), 'assessment list prints the table and the counts', show(r));

// aims assessment as both branches made it: main's list/set with catdiff's catalog
// column, --reviewed and migrate (an assessment written against the earlier version)
const isoAs = [...as, '--system', '2', '--catalog', 'iso-iec-42001-2023'];
r = run(['assessment', 'frameworks', ...as, '--system', '2', '--set', 'iso-iec-42001-2023'], '', old);
check(r.status === 0, 'assessment frameworks --set with the earlier library', show(r));
r = run(['assessment', 'set', ...isoAs, '--requirement', '9.1', '--status', 'met'], '', old);
let assessed = null;
try { assessed = JSON.parse(r.out); } catch { /* checked below */ }
check(r.status === 0 && assessed && assessed.catalog_version === '2023-test-0', 'assessment set against the earlier version', show(r));
r = run(['assessment', 'list', ...isoAs]);
check(r.status === 0 && /^9\.1\s+met\s+\S+\s+\S+\s+2023-test-0\s/m.test(r.out), 'assessment list names the version an outdated row was made against', show(r));
r = run(['assessment', 'migrate', '--db', db, '--as', 'viewer@hanbit.example', '--system', '2', '--catalog', 'iso-iec-42001-2023', '--from', v0]);
check(r.status === 1 && r.err.length > 0, 'a viewer cannot migrate assessments', show(r));
r = run(['assessment', 'migrate', ...isoAs, '--from', v0]);
check(r.status === 0 && /^1 assessments moved/.test(r.out) && /^9\.1\s+2023-test-0\s+changed\s+title\.ko/m.test(r.out), 'assessment migrate moves the changed row', show(r));
r = run(['assessment', 'list', ...isoAs]);
check(r.status === 0 && /^9\.1\s+met\s.*review \(2023-test-0\)/m.test(r.out), 'assessment list shows the review', show(r));
r = run(['assessment', 'set', ...isoAs, '--requirement', '9.1', '--reviewed']);
try { assessed = JSON.parse(r.out); } catch { assessed = null; }
check(r.status === 0 && assessed && assessed.review_from === null && assessed.catalog_version === '2023', 'assessment set --reviewed clears it', show(r));

check(sanitizerReports.length === 0, 'no sanitizer report from any command', sanitizerReports.join(' | '));

console.log(`cli: ${passed} passed, ${failed} failed`);
fs.writeFileSync(path.join(tmp, 'result.txt'), `${passed} ${failed}\n`);
process.exit(failed ? 1 : 0);
