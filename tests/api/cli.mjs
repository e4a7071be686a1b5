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
const run = (argv, input) => {
  const r = spawnSync(aims, argv, { input: input ?? '', cwd: root, timeout: 120_000 });
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

check(sanitizerReports.length === 0, 'no sanitizer report from any command', sanitizerReports.join(' | '));

console.log(`cli: ${passed} passed, ${failed} failed`);
fs.writeFileSync(path.join(tmp, 'result.txt'), `${passed} ${failed}\n`);
process.exit(failed ? 1 : 0);
