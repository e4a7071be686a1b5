#!/usr/bin/env node
// Browser test of the aims web UI: real chromium (Debian's), driven by playwright-core.
//
//   node tests/e2e/run.mjs --aims build/aims --tmp DIR [--headed] [--slow]
//
// Creates a fresh database in DIR with `aims init --demo demo/city.json` (every demo user
// gets the admin's password), serves it on a port
// the server picks itself (--listen 127.0.0.1:0, read back from its "listening" log
// line), and runs the checks below, each counted as passed or failed:
//   a  sign in through the /login form and land on the dashboard
//   b  register an AI system with a Korean name on /systems/new, finding every field
//      by its label (page.getByLabel), land on its page with the name and a history row
//   c  find it again on /systems with the search field
//   d  submit the form with the name empty: the name field is marked (aria-invalid,
//      message beside it) and the purpose typed is kept
//   e  /systems at 375 px wide has no horizontal scroll
//   f  the first Tab from the top of a page focuses the skip link
//   g  the header's language link switches the labels to English
// and, as the demo officer (the database is made with --demo demo/city.json):
//   h  sign in and open the Statement of Applicability from the menu
//   i  filter it by status: only rows of that status remain
//   j  mark a control not applicable without a justification: the error is named at
//      the field (aria-invalid, message beside it) and in the summary
//   k  the same with a justification: saved, back on the SoA, the excluded count grew
//   l  keyboard focus is visible on every control of the edit form
//   m  the SoA's XLSX link downloads a zip served as an attachment
//   n  open a system's assessments, choose a framework, set one requirement
//   o  the assessment XLSX link downloads a workbook too
//   p  the SoA and the assessment page at 375 px have no horizontal scroll
//   q  open the risk register from the menu: the demo's two critical risks are counted,
//      and choosing the matrix cell "almost certain × major" lists just that risk
//   r  a new risk with treatment "modify" and no plan is refused, named at the field
//      (aria-invalid, message beside it), the typed title kept
//   s  with a plan it is saved: its page shows level and score (high · 16)
//   t  the register at 375 px has no horizontal scroll
//   u  as the résumé-screening system's owner, run the fairness test on the demo CSV
//      from the system's page, ticking the age-bias risk: the report is kept as
//      evidence (four-fifths verdict in its report), and the risk lists it
// plus: screenshots saved, and the server exits 0 on SIGTERM.
// Screenshots for people to look at: DIR/systems-375.png, systems-1280.png,
// systems-new-375.png, systems-new-1280.png, the form's error state in
// systems-new-error-1280.png, and soa-375.png, soa-control-error-1280.png,
// assessments-375.png. Downloads: DIR/downloads/. Server log: DIR/server.log.
//
// Output: one line per check, then "e2e: N passed, M failed"; DIR/result.txt gets
// "N M"; exit status 1 if M > 0. The whole run is bounded to 60 s.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CHROMIUM = process.env.AIMS_E2E_CHROMIUM || '/usr/bin/chromium';
const ADMIN_EMAIL = 'admin@test.example';
const ADMIN_PASSWORD = 'admin-pass-123456';
const OFFICER_EMAIL = 'officer@hanbit.example'; // demo/city.json: officer on the city (the root)
const DEMO_FILE = 'demo/city.json';
const TOTAL_BUDGET_MS = 57_000;     // everything, including the server's shutdown
const STEP_TIMEOUT_MS = 8_000;      // one browser action or expectation
const CHECK_TIMEOUT_MS = 15_000;    // one whole check
const START_TIMEOUT_MS = 10_000;    // server up
const STOP_TIMEOUT_MS = 12_000;     // server down after SIGTERM (its grace is 10 s)
const NARROW = 375;
const WIDE = 1280;

// ---------------------------------------------------------------- arguments

function usage(code, msg) {
  if (msg) console.error(`run.mjs: ${msg}`);
  console.error('usage: node tests/e2e/run.mjs --aims PATH --tmp DIR [--headed] [--slow]');
  process.exit(code);
}

function parseArgs(argv) {
  const o = { aims: null, tmp: null, headed: false, slow: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(2, `${a} needs a value`));
    if (a === '--aims') o.aims = value();
    else if (a === '--tmp') o.tmp = value();
    else if (a === '--headed') o.headed = true;
    else if (a === '--slow') o.slow = 250;
    else if (a === '--help' || a === '-h') usage(0);
    else usage(2, `unknown argument ${a}`);
  }
  if (!o.aims) usage(2, '--aims is required');
  o.aims = path.resolve(o.aims);
  o.tmp = o.tmp ? path.resolve(o.tmp) : fs.mkdtempSync(path.join(os.tmpdir(), 'aims-e2e-'));
  return o;
}

const opts = parseArgs(process.argv.slice(2));
fs.mkdirSync(opts.tmp, { recursive: true });

// ---------------------------------------------------------------- results

let passed = 0;
let failed = 0;
let finished = false;

function oneLine(s, n = 400) {
  const t = String(s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

function pass(name) {
  passed++;
  console.log(`ok   ${name}`);
}

function fail(name, why) {
  failed++;
  console.log(`FAIL ${name}: ${oneLine(why)}`);
}

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms); });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// Runs one check; a thrown error or a timeout is its failure. Never throws.
async function check(name, fn) {
  try {
    await withTimeout(Promise.resolve().then(fn), CHECK_TIMEOUT_MS, 'check');
    pass(name);
    return true;
  } catch (e) {
    fail(name, e?.message ?? e);
    return false;
  }
}

function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

function writeResult() {
  fs.writeFileSync(path.join(opts.tmp, 'result.txt'), `${passed} ${failed}\n`);
}

// ---------------------------------------------------------------- server

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function initDb(db) {
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) fs.rmSync(f, { force: true });
  const r = spawnSync(opts.aims, ['init', '--db', db, '--password-stdin', '--admin-email', ADMIN_EMAIL, '--demo', DEMO_FILE],
    { cwd: ROOT, input: `${ADMIN_PASSWORD}\n`, encoding: 'utf8', timeout: 20_000 });
  if (r.error) return `aims init could not run: ${r.error.message}`;
  if (r.status !== 0) return `aims init exited ${r.status}: ${oneLine(r.stderr || r.stdout)}`;
  return null;
}

// Starts `aims serve` on a port of its own choosing and resolves with its base URL.
function startServer(db, logPath) {
  const log = fs.createWriteStream(logPath);
  const child = spawn(opts.aims, ['serve', '--db', db, '--listen', '127.0.0.1:0'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const srv = { child, exit: null, base: null, lines: [] };
  srv.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => { srv.exit = { code, signal }; resolve(srv.exit); });
    child.on('error', (e) => { srv.exit = { code: null, signal: null, error: e.message }; resolve(srv.exit); });
  });
  srv.ready = new Promise((resolve, reject) => {
    let pending = '';
    child.stderr.on('data', (chunk) => {
      log.write(chunk);
      pending += chunk.toString('utf8');
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        srv.lines.push(line);
        if (!srv.base) {
          try {
            const j = JSON.parse(line);
            if (j.msg === 'listening' && j.url) { srv.base = j.url.replace(/\/$/, ''); resolve(srv.base); }
          } catch { /* not JSON: ignore */ }
        }
      }
    });
    child.stderr.on('end', () => log.end());
    srv.exited.then((e) => reject(new Error(`server exited before listening (${describeExit(e)}); see ${logPath}`)));
    setTimeout(() => reject(new Error(`no "listening" line within ${START_TIMEOUT_MS / 1000} s; see ${logPath}`)), START_TIMEOUT_MS);
  });
  return srv;
}

function describeExit(e) {
  if (!e) return 'still running';
  if (e.error) return `could not start: ${e.error}`;
  return e.signal ? `killed by ${e.signal}` : `exit status ${e.code}`;
}

async function stopServer(srv) {
  if (srv.exit) return srv.exit;
  srv.child.kill('SIGTERM');
  const r = await Promise.race([srv.exited, sleep(STOP_TIMEOUT_MS).then(() => null)]);
  if (r) return r;
  srv.child.kill('SIGKILL');
  await srv.exited;
  return { code: null, signal: null, error: `still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM (killed)` };
}

// ---------------------------------------------------------------- browser helpers

async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed (run: cd tests/e2e && npm ci): ${e.message}`);
  }
}

// Navigates and insists on a 2xx/3xx answer that ends on an HTML page.
async function go(page, base, p) {
  const res = await page.goto(base + p, { waitUntil: 'load' });
  expect(res, `no response for ${p}`);
  expect(res.status() < 400, `GET ${p} answered ${res.status()}`);
  return res;
}

const pathOf = (page) => new URL(page.url()).pathname;

async function noHorizontalScroll(page) {
  return page.evaluate(() => {
    const el = document.scrollingElement;
    // The widest element sticking out on the right, to say what overflows.
    let worst = null;
    for (const n of document.querySelectorAll('body *')) {
      const r = n.getBoundingClientRect();
      if (r.width && (!worst || r.right > worst.right)) worst = { right: Math.round(r.right), tag: n.tagName.toLowerCase(), cls: n.className || '', id: n.id || '' };
    }
    return { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, worst };
  });
}

function describeWorst(m) {
  return m.worst ? ` (widest: <${m.worst.tag}${m.worst.id ? `#${m.worst.id}` : ''}${m.worst.cls ? `.${String(m.worst.cls).split(' ').join('.')}` : ''}> to x=${m.worst.right})` : '';
}

// Signs in through the /login form and waits for the dashboard.
async function signIn(page, base, email, password) {
  await go(page, base, '/login');
  await page.getByLabel('이메일', { exact: true }).fill(email);
  await page.getByLabel('비밀번호', { exact: true }).fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/', { waitUntil: 'load' }),
    page.getByRole('button', { name: '로그인' }).click(),
  ]);
}

// The focused element and whether its focus ring shows (outline, or a box shadow).
async function focusRing(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return null;
    const cs = getComputedStyle(a);
    return {
      tag: a.tagName.toLowerCase(), type: a.getAttribute('type') || '', name: a.getAttribute('name') || '', id: a.id,
      focusVisible: a.matches(':focus-visible'),
      ring: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || (cs.boxShadow && cs.boxShadow !== 'none'),
      outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
    };
  });
}

// The summary figure of the SoA page for a label ("제외", ...), as a number.
async function soaFigure(page, label) {
  const text = await page.locator('dl.summary dt', { hasText: label }).first().locator('xpath=following-sibling::dd[1]').textContent();
  return Number((text ?? '').trim());
}

// ---------------------------------------------------------------- main

async function main() {
  const db = path.join(opts.tmp, 'aims.db');
  const logPath = path.join(opts.tmp, 'server.log');
  for (const f of fs.readdirSync(opts.tmp)) if (f.endsWith('.png')) fs.rmSync(path.join(opts.tmp, f), { force: true });

  let srv = null;
  let browser = null;
  const cleanup = () => {
    try { browser?.process?.()?.kill('SIGKILL'); } catch { /* gone */ }
    if (srv && !srv.exit) srv.child.kill('SIGKILL');
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

  // The whole run is bounded: whatever is unfinished then counts as one failure.
  const watchdog = setTimeout(() => {
    if (finished) return;
    fail('whole run within 60 s', `still running after ${TOTAL_BUDGET_MS / 1000} s; stopped`);
    cleanup();
    finish();
  }, TOTAL_BUDGET_MS);
  watchdog.unref();

  if (!fs.existsSync(opts.aims)) { fail('aims binary', `not found at ${opts.aims}`); return finish(); }
  const initErr = initDb(db);
  if (initErr) { fail('fresh database (aims init)', initErr); return finish(); }

  srv = startServer(db, logPath);
  let base;
  try {
    base = await srv.ready;
  } catch (e) {
    fail('server starts', e.message);
    return finish();
  }

  let pw;
  try {
    pw = await loadPlaywright();
    browser = await withTimeout(pw.chromium.launch({
      executablePath: CHROMIUM,
      headless: !opts.headed,
      slowMo: opts.slow,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    }), 20_000, 'chromium launch');
  } catch (e) {
    fail('chromium starts', e.message);
    await stopAndCount(srv);
    return finish();
  }

  // One signed-in context for every check: Korean by default, as the server's own default.
  const context = await browser.newContext({ viewport: { width: WIDE, height: 900 }, locale: 'ko-KR' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  // Nothing outside the server under test: block any other host outright.
  await context.route((url) => !url.href.startsWith(`${base}/`), (route) => route.abort());
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const stamp = String(Date.now() % 1_000_000).padStart(6, '0');
  const systemName = `민원 상담 챗봇 ${stamp}`;
  const systemPurpose = '시민의 민원 질문에 24시간 답하고 담당 부서로 연결합니다.';
  let systemId = null;

  // (a) sign in through the form
  const signedIn = await check('a: sign in through the /login form, land on the dashboard', async () => {
    await go(page, base, '/login');
    const csrf = await page.locator('form[action="/login"] input[name="_csrf"]').inputValue();
    expect(csrf.length >= 16, 'the login form has no _csrf value');
    const pre = (await context.cookies(`${base}/login`)).find((c) => c.name === 'aims_precsrf');
    expect(pre, 'no aims_precsrf cookie was set by GET /login');
    await page.getByLabel('이메일', { exact: true }).fill(ADMIN_EMAIL);
    await page.getByLabel('비밀번호', { exact: true }).fill(ADMIN_PASSWORD);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/', { waitUntil: 'load' }),
      page.getByRole('button', { name: '로그인' }).click(),
    ]);
    expect(pathOf(page) === '/', `landed on ${page.url()}`);
    const h1 = (await page.locator('main h1').first().textContent())?.trim();
    expect(h1 === '대시보드', `dashboard heading is "${h1}"`);
    expect((await context.cookies(base)).some((c) => c.name === 'aims_session'), 'no aims_session cookie after sign-in');
  });
  if (!signedIn) {
    // Every later check needs a session; say so once per check rather than time out seven times.
    for (const n of ['b', 'c', 'd', 'e', 'f', 'g']) fail(`${n}: (skipped)`, 'sign-in failed');
  } else {
    // (b) register a system by the labels, with a Korean name
    await check('b: register a system by its labels (Korean name), see its page and history', async () => {
      await go(page, base, '/systems/new');
      await page.getByLabel(/^이름/).fill(systemName);
      await page.getByLabel(/^목적/).fill(systemPurpose);
      await page.getByLabel(/^생애주기 단계/).selectOption('operation_monitoring');
      await Promise.all([
        page.waitForURL((u) => /^\/systems\/\d+$/.test(u.pathname), { waitUntil: 'load' }),
        page.getByRole('button', { name: '저장' }).click(),
      ]);
      systemId = Number(pathOf(page).split('/').pop());
      const h1 = (await page.locator('main h1').first().textContent())?.trim();
      expect(h1 === systemName, `page heading is "${h1}", expected "${systemName}"`);
      const rows = page.locator('table.history tbody tr');
      await rows.first().waitFor({ state: 'visible' });
      const n = await rows.count();
      expect(n >= 1, 'the history table has no row');
    });

    // (c) find it with the search field
    await check('c: find the system on /systems by searching for it', async () => {
      await go(page, base, '/systems');
      const q = page.getByLabel(/^검색/);
      expect(await q.getAttribute('id') === 'q', 'the search label is not tied to #q');
      await q.fill(stamp);
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/systems' && u.searchParams.get('q') === stamp, { waitUntil: 'load' }),
        q.press('Enter'),
      ]);
      const link = page.locator('table.list tbody a', { hasText: systemName });
      expect(await link.count() === 1, `no single link "${systemName}" in the results`);
      if (systemId) expect(await link.getAttribute('href') === `/systems/${systemId}`, `the result links to ${await link.getAttribute('href')}`);
      const count = (await page.locator('p.count').textContent())?.trim();
      expect(/:\s*1$/.test(count ?? ''), `result count says "${count}"`);
    });

    // (d) a missing name: the error sits at the field and the rest is kept
    await check('d: empty name is marked at the field (aria-invalid) and the purpose is kept', async () => {
      await go(page, base, '/systems/new');
      const typed = '이름 없이 보낸 목적 — 유지되어야 합니다';
      await page.getByLabel(/^목적/).fill(typed);
      await page.getByLabel(/^생애주기 단계/).selectOption('inception');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/systems'),
        page.getByRole('button', { name: '저장' }).click(),
      ]);
      await page.waitForLoadState('load');
      expect(res.status() === 422 || res.status() === 400 || res.status() === 200, `POST /systems answered ${res.status()}`);
      const name = page.locator('#f-name');
      expect(await name.getAttribute('aria-invalid') === 'true', '#f-name has no aria-invalid="true"');
      const described = await name.getAttribute('aria-describedby');
      expect(described, '#f-name has no aria-describedby pointing at its message');
      const msg = page.locator(`#${described}`);
      expect(await msg.isVisible(), `the message #${described} is not visible`);
      expect(((await msg.textContent()) ?? '').trim().length > 0, `the message #${described} is empty`);
      // "Next to the field": the message is in the same field box, right below the input.
      const sameField = await page.evaluate((id) => {
        const m = document.getElementById(id); const i = document.getElementById('f-name');
        return !!m && !!i && m.closest('.field') === i.closest('.field');
      }, described);
      expect(sameField, 'the message is not inside the name field\'s box');
      const bi = await name.boundingBox(); const bm = await msg.boundingBox();
      expect(bi && bm && bm.y >= bi.y && bm.y - (bi.y + bi.height) < 80, 'the message is not right below the name input');
      const kept = await page.getByLabel(/^목적/).inputValue();
      expect(kept === typed, `purpose was "${kept}", expected the typed "${typed}"`);
      const stage = await page.getByLabel(/^생애주기 단계/).inputValue();
      expect(stage === 'inception', `lifecycle stage was reset to "${stage}"`);
      await page.screenshot({ path: path.join(opts.tmp, 'systems-new-error-1280.png'), fullPage: false });
    });

    // (e) no horizontal scroll on a phone; screenshots at both widths
    await check(`e: /systems at ${NARROW} px has no horizontal scroll`, async () => {
      await page.setViewportSize({ width: NARROW, height: 800 });
      await go(page, base, '/systems');
      const m = await noHorizontalScroll(page);
      const w = m.worst ? ` (widest: <${m.worst.tag}${m.worst.id ? `#${m.worst.id}` : ''}${m.worst.cls ? `.${String(m.worst.cls).split(' ').join('.')}` : ''}> to x=${m.worst.right})` : '';
      expect(m.scrollWidth <= NARROW + 1, `scrollWidth ${m.scrollWidth} > ${NARROW}${w}`);
    });

    await check('screenshots saved (375 and 1280 wide, /systems and /systems/new)', async () => {
      const shots = [];
      for (const width of [NARROW, WIDE]) {
        await page.setViewportSize({ width, height: 900 });
        for (const [p, file] of [['/systems', 'systems'], ['/systems/new', 'systems-new']]) {
          await go(page, base, p);
          const out = path.join(opts.tmp, `${file}-${width}.png`);
          await page.screenshot({ path: out, fullPage: true });
          shots.push(path.basename(out));
        }
      }
      await page.setViewportSize({ width: WIDE, height: 900 });
      console.log(`     screenshots: ${shots.map((s) => path.join(opts.tmp, s)).join(' ')}`);
    });

    // (f) the first Tab lands on the skip link, which then shows itself
    await check('f: the first Tab from the top focuses the skip link', async () => {
      await go(page, base, '/systems');
      await page.evaluate(() => { document.activeElement?.blur?.(); window.scrollTo(0, 0); });
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const a = document.activeElement;
        const r = a?.getBoundingClientRect();
        return a ? { tag: a.tagName.toLowerCase(), cls: a.className, href: a.getAttribute('href'), text: a.textContent.trim(), left: r.left, right: r.right, top: r.top } : null;
      });
      expect(f, 'nothing has focus after Tab');
      expect(f.tag === 'a' && f.href === '#main', `focus is on <${f.tag} class="${f.cls}" href="${f.href}">${f.text}`);
      expect(f.left >= 0 && f.right <= WIDE && f.top >= 0, `the focused skip link is off screen (left ${f.left}, top ${f.top})`);
      expect(await page.locator('#main').count() === 1, 'the skip link points at #main, which does not exist');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => location.hash === '#main');
    });

    // (g) the header's language link
    await check('g: the header language link switches labels to English', async () => {
      await go(page, base, '/systems/new');
      const link = page.locator('header').getByRole('link', { name: 'English' });
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/systems/new', { waitUntil: 'load' }),
        link.click(),
      ]);
      const lang = await page.getAttribute('html', 'lang');
      expect(lang === 'en', `<html lang="${lang}">`);
      await page.getByLabel(/^Name/).waitFor({ state: 'visible' });
      await page.getByLabel(/^Purpose/).waitFor({ state: 'visible' });
      await page.getByLabel(/^Life-cycle stage/).waitFor({ state: 'visible' });
      const save = await page.getByRole('button', { name: 'Save' }).count();
      expect(save === 1, 'no "Save" button');
      const nav = (await page.locator('header nav').textContent()) ?? '';
      expect(nav.includes('AI systems') && !/[가-힣]/.test(nav), `header menu is not English: "${oneLine(nav, 120)}"`);
      // And back, so that the header link offers Korean now.
      expect(await page.locator('header').getByRole('link', { name: '한국어' }).count() === 1, 'no link back to Korean');
    });

  }

  // ---- the Statement of Applicability and assessments, as the demo officer
  const downloads = path.join(opts.tmp, 'downloads');
  fs.mkdirSync(downloads, { recursive: true });
  const oc = await browser.newContext({ viewport: { width: WIDE, height: 900 }, locale: 'ko-KR', acceptDownloads: true });
  oc.setDefaultTimeout(STEP_TIMEOUT_MS);
  oc.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  await oc.route((url) => !url.href.startsWith(`${base}/`), (route) => route.abort());
  const op = await oc.newPage();
  op.on('pageerror', (e) => pageErrors.push(e.message));
  const control = 'A.10.4';
  let soaPath = null;

  const officerIn = await check('h: the demo officer signs in and opens the SoA from the menu', async () => {
    await signIn(op, base, OFFICER_EMAIL, ADMIN_PASSWORD);
    await Promise.all([
      op.waitForURL((u) => /^\/orgs\/\d+\/soa$/.test(u.pathname), { waitUntil: 'load' }),
      op.locator('header nav').getByRole('link', { name: '적용성 보고서' }).click(),
    ]);
    soaPath = pathOf(op);
    const h1 = (await op.locator('main h1').first().textContent())?.trim() ?? '';
    expect(h1.startsWith('적용성 보고서'), `SoA heading is "${h1}"`);
    const rows = await op.locator('table.soa tbody tr').count();
    expect(rows === 38, `${rows} control rows, expected the 38 Annex A controls`);
  });
  if (!officerIn) {
    for (const n of ['i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u']) fail(`${n}: (skipped)`, 'the officer could not open the SoA');
  } else {
    await check('i: filtering the SoA by status leaves only rows of that status', async () => {
      await go(op, base, soaPath);
      await op.getByLabel('이행 상태', { exact: true }).selectOption('not_started');
      await Promise.all([
        op.waitForURL((u) => u.searchParams.get('status') === 'not_started', { waitUntil: 'load' }),
        op.locator('form.filters').getByRole('button').click(),
      ]);
      const tags = await op.locator('table.soa tbody tr .tag[class*="status-"]').allTextContents();
      expect(tags.length > 0, 'no rows left after filtering by not_started');
      expect(tags.every((t) => t.trim() === '미착수'), `rows of other statuses remain: ${[...new Set(tags)].join(', ')}`);
      // the download links keep the filter
      const href = await op.getByRole('link', { name: 'XLSX 내려받기' }).getAttribute('href');
      expect(href?.endsWith('?status=not_started'), `the XLSX link ignores the filter: ${href}`);
    });

    let excludedBefore = null;
    await check(`j: ${control} not applicable without a justification is refused, named at the field`, async () => {
      await go(op, base, soaPath);
      excludedBefore = await soaFigure(op, '제외');
      await Promise.all([
        op.waitForURL((u) => u.pathname === `${soaPath}/${control}`, { waitUntil: 'load' }),
        op.locator(`#c-${control.replace(/\./g, '\\.')} a`).first().click(),
      ]);
      await op.getByLabel('아니오').check();
      await op.getByLabel('근거', { exact: true }).fill('');
      const [res] = await Promise.all([
        op.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${soaPath}/${control}`),
        op.getByRole('button', { name: '저장' }).click(),
      ]);
      await op.waitForLoadState('load');
      expect(res.status() === 422, `POST answered ${res.status()}, expected 422`);
      const field = op.locator('#justification');
      expect(await field.getAttribute('aria-invalid') === 'true', '#justification has no aria-invalid="true"');
      const described = (await field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
      const msgs = [];
      for (const id of described) if (await op.locator(`#${id}.field-error`).count()) msgs.push(id);
      expect(msgs.length === 1, `aria-describedby "${described.join(' ')}" does not point at the field's error message`);
      const msg = op.locator(`#${msgs[0]}`);
      expect(await msg.isVisible(), 'the error message is not visible');
      const sameField = await op.evaluate((id) => document.getElementById(id)?.closest('.field') === document.getElementById('justification')?.closest('.field'), msgs[0]);
      expect(sameField, 'the message is not in the justification field\'s box');
      const summary = (await op.locator('.error-box').textContent()) ?? '';
      expect(summary.includes('근거'), `the error summary does not name the field: "${oneLine(summary, 200)}"`);
      expect(await op.getByLabel('아니오').isChecked(), 'the "not applicable" choice was not kept');
      await op.screenshot({ path: path.join(opts.tmp, 'soa-control-error-1280.png'), fullPage: false });
    });

    await check(`k: with a justification ${control} is saved and the SoA counts one more exclusion`, async () => {
      const why = `시민에게 AI를 제공하지 않음 (e2e ${stamp})`;
      await op.getByLabel('근거', { exact: true }).fill(why);
      await Promise.all([
        op.waitForURL((u) => u.pathname === soaPath, { waitUntil: 'load' }),
        op.getByRole('button', { name: '저장' }).click(),
      ]);
      const flash = (await op.locator('.flash').textContent())?.trim();
      expect(flash === '저장했습니다.', `flash is "${flash}"`);
      const row = op.locator(`#c-${control.replace(/\./g, '\\.')}`);
      expect(((await row.textContent()) ?? '').includes(why), 'the row does not show the justification');
      expect(((await row.locator('td').nth(2).textContent()) ?? '').trim() === '아니오', 'the row does not say not applicable');
      const after = await soaFigure(op, '제외');
      expect(excludedBefore !== null && after === excludedBefore + 1, `excluded count went from ${excludedBefore} to ${after}`);
    });

    await check('l: keyboard focus is visible on every control of the edit form', async () => {
      await go(op, base, `${soaPath}/${control}`);
      await op.locator('input[name="applicable"]:checked').focus();
      await op.keyboard.press('Shift+Tab');
      const seen = new Map();
      for (let i = 0; i < 20; i++) {
        await op.keyboard.press('Tab');
        const f = await focusRing(op);
        if (!f) continue;
        const key = f.name || f.id || f.tag;
        if (!seen.has(key)) seen.set(key, f);
        if (f.tag === 'button' && f.type === 'submit') break;
      }
      const want = ['applicable', 'justification', 'status', 'owner_user_id', 'due_date'];
      const missing = want.filter((n) => !seen.has(n));
      expect(!missing.length, `Tab never reached ${missing.join(', ')} (reached: ${[...seen.keys()].join(', ')})`);
      const button = [...seen.values()].find((f) => f.tag === 'button');
      expect(button, 'Tab never reached the save button');
      const bad = [...seen.values()].filter((f) => (want.includes(f.name) || f.tag === 'button') && !(f.focusVisible && f.ring));
      expect(!bad.length, `no visible focus ring on ${bad.map((f) => `${f.name || f.tag} (${f.outline})`).join(', ')}`);
    });

    await check('m: the SoA XLSX link downloads a zip served as an attachment', async () => {
      await go(op, base, soaPath);
      const link = op.getByRole('link', { name: 'XLSX 내려받기' });
      const [dl] = await Promise.all([op.waitForEvent('download'), link.click()]);
      expect(/^aims-soa-org\d+\.xlsx$/.test(dl.suggestedFilename()), `file name "${dl.suggestedFilename()}"`);
      const file = path.join(downloads, dl.suggestedFilename());
      await dl.saveAs(file);
      const head = fs.readFileSync(file).subarray(0, 4);
      expect(head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])), `the file does not start with a zip header: ${head.toString('hex')}`);
      const res = await oc.request.get(base + (await link.getAttribute('href')));
      expect(res.status() === 200, `GET answered ${res.status()}`);
      expect(/^attachment; filename="aims-soa-org\d+\.xlsx"$/.test(res.headers()['content-disposition'] ?? ''), `Content-Disposition is "${res.headers()['content-disposition']}"`);
      expect(res.headers()['content-type'] === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `Content-Type is "${res.headers()['content-type']}"`);
    });

    let assessPath = null;
    await check('n: open a system\'s assessments, choose a framework, set one requirement', async () => {
      await go(op, base, '/systems?q=' + encodeURIComponent('한빛톡'));
      await Promise.all([
        op.waitForURL((u) => /^\/systems\/\d+$/.test(u.pathname), { waitUntil: 'load' }),
        op.locator('table.list tbody a').first().click(),
      ]);
      await Promise.all([
        op.waitForURL((u) => /^\/systems\/\d+\/assessments$/.test(u.pathname), { waitUntil: 'load' }),
        op.getByRole('link', { name: '요구사항 평가' }).click(),
      ]);
      assessPath = pathOf(op);
      await op.getByLabel(/NIST/).check();
      await Promise.all([
        op.waitForURL((u) => u.pathname === assessPath, { waitUntil: 'load' }),
        op.locator(`form[action="${assessPath.replace(/\/assessments$/, '/frameworks')}"]`).getByRole('button', { name: '저장' }).click(),
      ]);
      // The chosen framework's table is shown at once.
      const row = op.locator('table.list tbody tr', { hasText: 'GOVERN 1.1' });
      await row.waitFor({ state: 'visible' });
      await row.getByLabel('평가 결과').selectOption('met');
      await row.getByLabel('메모').fill(`정책 문서 확인 (e2e ${stamp})`);
      await Promise.all([
        op.waitForURL((u) => u.pathname === assessPath && u.searchParams.get('catalog') === 'nist-ai-rmf-1.0', { waitUntil: 'load' }),
        row.getByRole('button', { name: '저장' }).click(),
      ]);
      const saved = op.locator('table.list tbody tr', { hasText: 'GOVERN 1.1' });
      expect(await saved.getByLabel('평가 결과').inputValue() === 'met', 'GOVERN 1.1 does not show "met" after saving');
      expect(await saved.getByLabel('메모').inputValue() === `정책 문서 확인 (e2e ${stamp})`, 'the note was not kept');
      expect(((await saved.textContent()) ?? '').includes(OFFICER_EMAIL), 'the row does not name the assessor');
      const count = (await op.locator('p.count').first().textContent()) ?? '';
      expect(/충족 1(\D|$)/.test(count), `summary says "${oneLine(count, 200)}"`);
    });

    await check('o: the assessment XLSX link downloads a workbook', async () => {
      expect(assessPath, 'no assessment page (n failed)');
      await go(op, base, `${assessPath}?catalog=nist-ai-rmf-1.0`);
      const link = op.getByRole('link', { name: 'XLSX 내려받기' });
      const [dl] = await Promise.all([op.waitForEvent('download'), link.click()]);
      expect(/^aims-assessment-system\d+-nist-ai-rmf-1\.0\.xlsx$/.test(dl.suggestedFilename()), `file name "${dl.suggestedFilename()}"`);
      const file = path.join(downloads, dl.suggestedFilename());
      await dl.saveAs(file);
      expect(fs.readFileSync(file).subarray(0, 2).toString() === 'PK', 'the file is not a zip');
    });

    await check(`p: the SoA and the assessment page at ${NARROW} px have no horizontal scroll`, async () => {
      await op.setViewportSize({ width: NARROW, height: 800 });
      const pages = [[soaPath, 'soa-375.png'], [`${assessPath}?catalog=nist-ai-rmf-1.0`, 'assessments-375.png']];
      for (const [p, shot] of pages) {
        if (!p || p.startsWith('null')) throw new Error('no assessment page (n failed)');
        await go(op, base, p);
        const m = await noHorizontalScroll(op);
        // Show the first rows of the table, where an overflow would be.
        await op.locator('table.list tbody tr').first().scrollIntoViewIfNeeded();
        await op.screenshot({ path: path.join(opts.tmp, shot), fullPage: false });
        expect(m.scrollWidth <= NARROW + 1, `${p}: scrollWidth ${m.scrollWidth} > ${NARROW}${describeWorst(m)}`);
      }
      await op.setViewportSize({ width: WIDE, height: 900 });
    });

    let risksPath = null;
    await check('q: the risk register from the menu counts the critical risks; a matrix cell filters the list', async () => {
      await go(op, base, '/');
      await Promise.all([
        op.waitForURL((u) => /^\/orgs\/\d+\/risks$/.test(u.pathname), { waitUntil: 'load' }),
        op.locator('header nav').getByRole('link', { name: '위험', exact: true }).click(),
      ]);
      risksPath = pathOf(op);
      const counts = oneLine((await op.locator('ul.counts').textContent()) ?? '', 300);
      expect(/매우 높음\s*2/.test(counts), `the level counts say "${counts}"`);
      // almost certain × major: the face-recognition entry risk of the demo (score 20)
      const cell = op.locator('table.matrix').first().locator('a[href*="likelihood=almost_certain&impact=major"]');
      expect((await cell.textContent())?.trim() === '1', 'the cell almost_certain × major does not count 1');
      await Promise.all([op.waitForURL((u) => u.searchParams.get('impact') === 'major', { waitUntil: 'load' }), cell.click()]);
      const rows = await op.locator('table.list tbody tr').allTextContents();
      expect(rows.length === 1 && rows[0].includes('얼굴'), `the chosen cell lists ${rows.length} rows: ${oneLine(rows.join(' | '), 200)}`);
    });

    await check('r: a risk to modify without a plan is refused, named at the field, the title kept', async () => {
      expect(risksPath, 'no register (q failed)');
      await go(op, base, risksPath);
      await Promise.all([
        op.waitForURL((u) => u.pathname === `${risksPath}/new`, { waitUntil: 'load' }),
        op.getByRole('link', { name: '새 위험' }).click(),
      ]);
      await op.getByLabel('제목').fill(`e2e 위험 ${stamp}`);
      await op.getByLabel('처리 방안').selectOption('modify');
      await op.getByLabel('발생 가능성', { exact: true }).first().selectOption('likely');
      await op.getByLabel('영향', { exact: true }).first().selectOption('major');
      const [res] = await Promise.all([
        op.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === risksPath),
        op.getByRole('button', { name: '위험 추가' }).click(),
      ]);
      await op.waitForLoadState('load');
      expect(res.status() === 422, `POST answered ${res.status()}, expected 422`);
      const field = op.locator('#r-treatment_plan');
      expect(await field.getAttribute('aria-invalid') === 'true', '#r-treatment_plan has no aria-invalid="true"');
      const described = (await field.getAttribute('aria-describedby')) ?? '';
      expect(described.split(/\s+/).includes('r-treatment_plan-error'), `aria-describedby is "${described}"`);
      expect(await op.locator('#r-treatment_plan-error').isVisible(), 'the message beside the field is not visible');
      expect(await op.getByLabel('제목').inputValue() === `e2e 위험 ${stamp}`, 'the title typed was not kept');
      await op.screenshot({ path: path.join(opts.tmp, 'risk-new-error-1280.png'), fullPage: false });
    });

    await check('s: with a plan the risk is saved; its page shows level and score', async () => {
      await op.getByLabel('처리 계획').fill('분기별 공정성 검사 (e2e)');
      await Promise.all([
        op.waitForURL((u) => /^\/risks\/\d+$/.test(u.pathname), { waitUntil: 'load' }),
        op.getByRole('button', { name: '위험 추가' }).click(),
      ]);
      const facts = oneLine((await op.locator('dl.facts').textContent()) ?? '', 400);
      expect(facts.includes('높음 · 16'), `the risk page says "${facts}"`);
    });

    await check(`t: the risk register at ${NARROW} px has no horizontal scroll`, async () => {
      expect(risksPath, 'no register (q failed)');
      await op.setViewportSize({ width: NARROW, height: 800 });
      await go(op, base, risksPath);
      const m = await noHorizontalScroll(op);
      await op.screenshot({ path: path.join(opts.tmp, 'risks-375.png'), fullPage: false });
      await op.setViewportSize({ width: WIDE, height: 900 });
      expect(m.scrollWidth <= NARROW + 1, `scrollWidth ${m.scrollWidth} > ${NARROW}${describeWorst(m)}`);
    });

    await check('u: the owner runs the fairness test on the demo CSV for the risk it addresses; the risk lists the run', async () => {
      await go(op, base, '/systems?q=' + encodeURIComponent('채용 서류 심사 보조'));
      await Promise.all([
        op.waitForURL((u) => /^\/systems\/\d+$/.test(u.pathname), { waitUntil: 'load' }),
        op.locator('table.list tbody a').first().click(),
      ]);
      await Promise.all([
        op.waitForURL((u) => /^\/systems\/\d+\/fair$/.test(u.pathname), { waitUntil: 'load' }),
        op.getByRole('link', { name: '공정성 검사' }).click(),
      ]);
      await op.getByLabel('예측 결과 CSV').setInputFiles(path.join(ROOT, 'demo/resume-screening-predictions.csv'));
      await op.getByLabel('실제 레이블 열').fill('qualified');
      await op.getByLabel('예측 레이블 열').fill('passed_screening');
      await op.getByLabel('민감 속성 열').fill('sex,age_band');
      const risk = op.getByLabel(/연령·성별에 따라 요약 품질/);
      await risk.check();
      await Promise.all([
        op.waitForURL((u) => /^\/evidence\/\d+$/.test(u.pathname), { waitUntil: 'load' }),
        op.getByRole('button', { name: '검사 실행' }).click(),
      ]);
      const evidencePath = pathOf(op);
      const addressed = oneLine((await op.locator('#risks').textContent()) ?? '', 300);
      expect(addressed.includes('연령·성별에 따라 요약 품질'), `the evidence page's risks say "${addressed}"`);
      const report = await op.request.get(`${base}/api/v1${evidencePath}/report`);
      expect(report.ok(), `the report answered ${report.status()}`);
      const data = await report.json();
      const byAge = (data.sections ?? []).find((sec) => JSON.stringify(sec.by) === '["age_band"]');
      expect(byAge && byAge.four_fifths.pass === false && Math.abs(byAge.four_fifths.min_ratio - 0.593) < 0.001,
        `the age-band four-fifths verdict is ${JSON.stringify(byAge && byAge.four_fifths)}`);
      await Promise.all([
        op.waitForURL((u) => /^\/risks\/\d+$/.test(u.pathname), { waitUntil: 'load' }),
        op.locator('#risks a').first().click(),
      ]);
      const listed = await op.locator('#evidence table.list tbody tr').allTextContents();
      expect(listed.some((t) => t.includes('resume-screening-predictions.csv')), `the risk's evidence: ${oneLine(listed.join(' | '), 200)}`);
    });
  }
  if (pageErrors.length) fail('no script errors on the pages', pageErrors.join(' | '));

  try { await withTimeout(browser.close(), 10_000, 'browser close'); } catch { /* cleanup() kills it */ }
  browser = null;
  await stopAndCount(srv);
  return finish();
}

async function stopAndCount(srv) {
  const e = await stopServer(srv);
  const fives = srv.lines.filter((l) => /"status":5\d\d/.test(l));
  if (fives.length) fail('no 5xx answers in the server log', fives.slice(0, 3).join(' | '));
  if (e.code === 0) pass('server exits 0 after SIGTERM');
  else fail('server exits 0 after SIGTERM', describeExit(e));
}

function finish() {
  if (finished) return;
  finished = true;
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  writeResult();
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  fail('run.mjs', e?.stack ?? e);
  finish();
});
