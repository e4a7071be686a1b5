#!/usr/bin/env node
// Graceful shutdown: a request that is in flight when SIGTERM arrives still gets its
// answer, new connections are refused, and the server then exits 0.
//
//   node tests/api/shutdown.mjs --aims build/aims --tmp DIR
//
// The in-flight request is a CSV import whose body is sent in two halves with the
// signal in between, so the server is provably in the middle of it. Prints one line
// per check, then "shutdown: N passed, M failed"; DIR/result.txt gets "N M".

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const aims = path.resolve(opt('--aims') || 'build/aims');
const tmp = path.resolve(opt('--tmp') || fs.mkdtempSync('/tmp/aims-shutdown-'));
fs.mkdirSync(tmp, { recursive: true });
const db = path.join(tmp, 'shutdown.db');
let passed = 0, failed = 0;
const check = (ok, name, detail = '') => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ': ' + detail}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function finish() {
  console.log(`shutdown: ${passed} passed, ${failed} failed`);
  fs.writeFileSync(path.join(tmp, 'result.txt'), `${passed} ${failed}\n`);
  process.exit(failed ? 1 : 0);
}

fs.rmSync(db, { force: true });
const init = spawnSync(aims, ['init', '--db', db, '--admin-email', 'admin@test.example', '--password-stdin'],
  { input: 'admin-pass-123456\n' });
if (init.status !== 0) { check(false, 'init', String(init.stderr)); finish(); }
const token = String(spawnSync(aims, ['token', 'create', '--db', db, '--email', 'admin@test.example', '--name', 't']).stdout).trim();
const port = await freePort();
const logPath = path.join(tmp, 'shutdown-server.log');
const log = fs.openSync(logPath, 'w');
const server = spawn(aims, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--shutdown-grace', '10'],
  { stdio: ['ignore', log, log] });
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));

for (let i = 0; i < 150; i++) {          // wait for /healthz, up to 15 s (sanitizer builds are slow)
  const up = await new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
    c.on('error', () => resolve(false));
  });
  if (up) break;
  await sleep(100);
}

const rows = ['name,purpose,lifecycle_stage'];
for (let i = 0; i < 200; i++) rows.push(`In flight ${i},shutdown test,inception`);
const body = Buffer.from(rows.join('\n') + '\n');
const half = Math.floor(body.length / 2);

const sock = net.connect(port, '127.0.0.1');
await new Promise((r) => sock.on('connect', r));
let answer = '';
sock.on('data', (d) => { answer += d; });
const closed = new Promise((r) => sock.on('close', r));
sock.write(`POST /api/v1/systems/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
  `Content-Type: text/csv\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
sock.write(body.subarray(0, half));
await sleep(300);
server.kill('SIGTERM');
await sleep(300);

// A new connection after the signal must be refused (the listening socket is closed).
const refused = await new Promise((resolve) => {
  const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(false); });
  c.on('error', () => resolve(true));
});
check(refused, 'new connections are refused once SIGTERM arrived');

sock.write(body.subarray(half));
await Promise.race([closed, sleep(15000)]);
const status = Number((answer.match(/^HTTP\/1\.1 (\d{3})/) || [])[1]);
check(status === 201, 'the request in flight at SIGTERM is answered (201)', `got ${status || 'nothing'}: ${answer.slice(0, 200)}`);
check(/"created":200/.test(answer), 'and it did its work (200 systems imported)', answer.slice(-200));

const end = await Promise.race([exited, sleep(15000).then(() => null)]);
check(end && end.code === 0, 'the server then exits 0', JSON.stringify(end));
if (!end) server.kill('SIGKILL');
const text = fs.readFileSync(logPath, 'utf8');
check(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(text), 'no sanitizer report in the server log',
  text.split('\n').filter((l) => /Sanitizer|runtime error/.test(l)).slice(0, 3).join(' | '));
const count = String(spawnSync(aims, ['system', 'list', '--db', db, '--as', 'admin@test.example', '--format', 'json']).stdout);
check(/"total":200/.test(count), 'the imported systems are in the database', count.slice(0, 200));
finish();
