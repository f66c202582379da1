// End-to-end test of the finops-lint playground in headless Chromium.
//
//   npm ci --prefix playground/e2e
//   node playground/e2e/e2e.mjs            (from the repository root, after playground/build.sh)
//
// Serves playground/web/ on 127.0.0.1, drives the page with playwright-core and a Chromium that is
// already installed (FINOPS_LINT_CHROMIUM, default /usr/bin/chromium; nothing is downloaded), and
// exits non-zero with a message on the first failed step.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, createReadStream } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const WEB = path.join(REPO, 'playground', 'web');
const PKG = path.join(WEB, 'pkg');
const SEEDS = path.resolve(REPO, '..', 'shared', 'seeds');
const CHROMIUM = process.env.FINOPS_LINT_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = path.join(REPO, 'target', 'playground-e2e.png');
const SCREENSHOT_FINDINGS = path.join(REPO, 'target', 'playground-e2e-findings.png');
const WASM = path.join(PKG, 'finops_lint_playground_bg.wasm');
const WASM_GZIP_LIMIT = 3 * 1024 * 1024;
const OVERALL_TIMEOUT_MS = 60_000;
const BUCKET = 'acme-finops-billing';
const ACCOUNT = '402938475610';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

let server = null;
let context = null;
let userDataDir = null;
let step = 'set-up';
let passed = 0;

class StepFailure extends Error {}

function fail(message) {
  throw new StepFailure(message);
}

function ok(message) {
  passed += 1;
  console.log(`  ok: ${message}`);
}

async function cleanup() {
  const closing = [];
  if (context) {
    const c = context;
    context = null;
    closing.push(c.close().catch(() => {}));
  }
  if (server) {
    const s = server;
    server = null;
    s.closeAllConnections?.();
    closing.push(new Promise((resolve) => s.close(() => resolve())));
  }
  await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (userDataDir) {
    rmSync(userDataDir, { recursive: true, force: true });
    userDataDir = null;
  }
}

// ---- the static server ----------------------------------------------------------------------

function startServer(root) {
  const rootWithSep = root.endsWith(path.sep) ? root : root + path.sep;
  const srv = http.createServer((req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (pathname.includes('\0')) return send(400, 'bad request');
    let file = path.resolve(root, '.' + pathname);
    if (file !== root && !file.startsWith(rootWithSep)) return send(403, 'forbidden');
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (!statSync(file).isFile()) return send(404, 'not found');
    } catch {
      return send(404, 'not found');
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Cross-origin isolation: finer performance.now() for the timing step.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

// ---- the guide's bucket policy ----------------------------------------------------------------

function dedent(lines) {
  let common = null;
  for (const line of lines) {
    if (!line.trim()) continue;
    const indent = line.match(/^[ \t]*/)[0];
    if (common === null) common = indent;
    else {
      let i = 0;
      while (i < common.length && i < indent.length && common[i] === indent[i]) i++;
      common = common.slice(0, i);
    }
  }
  const n = common ? common.length : 0;
  return lines.map((line) => (line.trim() ? line.slice(n) : ''));
}

function guideBucketPolicy() {
  if (!existsSync(SEEDS)) fail(`the guides folder ${SEEDS} does not exist`);
  const guide = readdirSync(SEEDS).filter((name) => /^000_.*\.txt$/.test(name)).sort()[0];
  if (!guide) fail(`no ${SEEDS}/000_*.txt guide`);
  const lines = readFileSync(path.join(SEEDS, guide), 'utf8').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^[ \t]*(```+|~~~+)\s*json\b/i);
    if (!open) continue;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trim().startsWith(open[1]); j++) body.push(lines[j]);
    const text = dedent(body).join('\n').replace(/^\n+|\n+$/g, '') + '\n';
    if (text.includes('bcm-data-exports.amazonaws.com')) return { text, guide, line: i + 1 };
    i = j;
  }
  fail(`no fenced json block containing bcm-data-exports.amazonaws.com in ${guide}`);
}

// ---- page helpers -----------------------------------------------------------------------------

function watchErrors(page, label, errors) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${label}: console error: ${msg.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${label}: page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    errors.push(`${label}: request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
}

function assertNoErrors(errors) {
  if (errors.length) fail(`errors in the page:\n    ${errors.join('\n    ')}`);
}

async function waitReady(page) {
  await page.waitForSelector('body[data-ready]', { state: 'attached', timeout: 15_000 });
  const ready = await page.getAttribute('body', 'data-ready');
  if (ready !== '1') {
    const status = await page.textContent('#status');
    fail(`the page did not become ready (data-ready=${ready}): ${status}`);
  }
}

async function checks(page) {
  return Number((await page.getAttribute('body', 'data-checks')) || 0);
}

async function waitChecks(page, after, what, count = 1) {
  try {
    await page.waitForFunction(
      (n) => Number(document.body.dataset.checks || 0) >= n,
      after + count,
      { timeout: 10_000 },
    );
  } catch {
    fail(`no re-check after ${what} (checks stayed at ${await checks(page)})`);
  }
}

async function findingsSummary(page) {
  return page.$$eval('#findings .finding', (items) => items.map((item) => ({
    code: item.dataset.code,
    line: Number(item.dataset.line),
    severity: item.dataset.severity,
    text: item.querySelector('.message')?.textContent ?? '',
    fix: Boolean(item.querySelector('button.fix')),
  })));
}

function describeFindings(list) {
  if (!list.length) return '(none)';
  return list.map((f) => `${f.severity} ${f.code} line ${f.line}${f.fix ? ' [fix]' : ''}: ${f.text}`).join('\n    ');
}

function lineOfIndex(text, index) {
  return text.slice(0, index).split('\n').length;
}

// ---- the steps ---------------------------------------------------------------------------------

async function run() {
  for (const file of ['index.html', 'app.js', 'style.css']) {
    if (!existsSync(path.join(WEB, file))) fail(`missing playground/web/${file}`);
  }
  for (const file of ['finops_lint_playground.js', 'finops_lint_playground_bg.wasm']) {
    if (!existsSync(path.join(PKG, file))) fail(`missing playground/web/pkg/${file}: run playground/build.sh first`);
  }
  if (!existsSync(path.join(PKG, 'examples.json'))) {
    console.log('playground/web/pkg/examples.json is missing: running playground/examples.py');
    const result = spawnSync('python3', [path.join(REPO, 'playground', 'examples.py')], { stdio: 'inherit' });
    if (result.status !== 0) fail('playground/examples.py failed');
  }
  if (!existsSync(CHROMIUM)) fail(`no Chromium at ${CHROMIUM} (set FINOPS_LINT_CHROMIUM)`);

  const policy = guideBucketPolicy();

  server = await startServer(WEB);
  const base = `http://127.0.0.1:${server.address().port}/`;
  console.log(`serving ${WEB} at ${base}`);

  userDataDir = mkdtempSync(path.join(os.tmpdir(), 'finops-lint-e2e-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(15_000);
  console.log(`browser: Chromium ${context.browser()?.version() ?? ''} from ${CHROMIUM}`.replace('  ', ' '));

  // 1. Load the page.
  step = '1. load';
  console.log(`step ${step}`);
  const errors = [];
  const page = context.pages()[0] ?? (await context.newPage());
  watchErrors(page, 'page 1', errors);
  await page.goto(base);
  await waitReady(page);
  assertNoErrors(errors);
  const status = (await page.innerText('#status')).replace(/\s+/g, ' ').trim();
  ok(`ready, ${await checks(page)} check(s); status: ${status}`);

  // 2. Paste the guide's bucket policy.
  step = '2. guide bucket policy';
  console.log(`step ${step}`);
  const source = page.locator('#source');
  let before = await checks(page);
  await source.fill('');
  await waitChecks(page, before, 'clearing the editor');
  before = await checks(page);
  await source.fill(policy.text);
  await waitChecks(page, before, 'pasting the bucket policy');
  if ((await source.inputValue()) !== policy.text) fail('the textarea does not hold the pasted policy');
  const placeholderLine = lineOfIndex(policy.text, policy.text.indexOf('<bucket_name>'));
  let list = await findingsSummary(page);
  console.log(`  pasted ${policy.guide}:${policy.line} (${policy.text.split('\n').length - 1} lines); findings:\n    ${describeFindings(list)}`);
  if (!list.some((f) => f.code === 'VAL001' && f.line === placeholderLine)) {
    fail(`no VAL001 finding on line ${placeholderLine} (the first <bucket_name>)`);
  }
  ok(`VAL001 on line ${placeholderLine}`);
  const marked = await page.$$eval(
    `#highlights mark[data-line="${placeholderLine}"]`,
    (marks) => marks
      .filter((m) => (m.dataset.codes || '').split(' ').includes('VAL001'))
      .map((m) => m.textContent),
  );
  if (!marked.length) fail(`no VAL001 underline mark on line ${placeholderLine} of the backdrop`);
  if (!marked.join('').includes('<bucket_name>')) {
    fail(`the VAL001 marks on line ${placeholderLine} do not cover <bucket_name>: ${JSON.stringify(marked)}`);
  }
  ok(`underline on line ${placeholderLine}: ${JSON.stringify(marked.join(''))}`);
  const wavy = await page.$eval(
    `#highlights mark[data-line="${placeholderLine}"]`,
    (m) => getComputedStyle(m).textDecorationStyle,
  );
  if (wavy !== 'wavy') fail(`the mark's underline is ${wavy}, not wavy`);
  ok('the underline is wavy');
  mkdirSync(path.dirname(SCREENSHOT_FINDINGS), { recursive: true });
  await page.screenshot({ path: SCREENSHOT_FINDINGS });
  assertNoErrors(errors);

  // 3. Fill bucket and account, fix one finding, then all.
  step = '3. fixes';
  console.log(`step ${step}`);
  before = await checks(page);
  await page.locator('#bucket').fill(BUCKET);
  await page.locator('#account-id').fill(ACCOUNT);
  await waitChecks(page, before, 'filling bucket and account', 2);
  list = await findingsSummary(page);
  console.log(`  findings with bucket and account:\n    ${describeFindings(list)}`);
  const firstVal001 = page.locator('#findings .finding[data-code="VAL001"]').first();
  if ((await firstVal001.count()) === 0) fail('no VAL001 finding after filling bucket and account');
  const fixLine = Number(await firstVal001.getAttribute('data-line'));
  const fixButton = firstVal001.locator('button.fix');
  if ((await fixButton.count()) === 0) fail(`the first VAL001 finding (line ${fixLine}) has no Fix button`);
  before = await checks(page);
  await fixButton.click();
  await waitChecks(page, before, 'the Fix button');
  const fixedText = await source.inputValue();
  const fixedLineText = fixedText.split('\n')[fixLine - 1] ?? '';
  if (!fixedLineText.includes(BUCKET)) {
    fail(`line ${fixLine} does not hold ${BUCKET} after the fix: ${JSON.stringify(fixedLineText)}`);
  }
  ok(`Fix on line ${fixLine}: ${JSON.stringify(fixedLineText.trim())}`);
  before = await checks(page);
  await page.locator('#fix-all').click();
  try {
    await page.waitForFunction(
      (n) => Number(document.body.dataset.checks || 0) > n
        && document.querySelectorAll('#findings .finding').length === 0,
      before,
      { timeout: 10_000 },
    );
  } catch {
    fail(`findings left after Fix all:\n    ${describeFindings(await findingsSummary(page))}`);
  }
  const allFixed = await source.inputValue();
  if (allFixed.includes('<')) {
    fail(`the text still holds "<" after Fix all, on line ${lineOfIndex(allFixed, allFixed.indexOf('<'))}`);
  }
  ok(`Fix all: no finding left, no "<" left; status: ${(await page.innerText('#status')).replace(/\s+/g, ' ').trim()}`);
  assertNoErrors(errors);

  // 4. The permalink reproduces the page.
  step = '4. permalink';
  console.log(`step ${step}`);
  await page.waitForFunction(() => !document.body.dataset.urlPending, null, { timeout: 5000 });
  const url = page.url();
  if (!/#s=[A-Za-z0-9_-]+$/.test(url)) fail(`the URL holds no state: ${url}`);
  const errors2 = [];
  const page2 = await context.newPage();
  watchErrors(page2, 'page 2', errors2);
  await page2.goto(url);
  await waitReady(page2);
  const snapshot = async (p) => ({
    text: await p.locator('#source').inputValue(),
    kind: await p.locator('#kind').inputValue(),
    bucket: await p.locator('#bucket').inputValue(),
    account: await p.locator('#account-id').inputValue(),
    findings: await findingsSummary(p),
    status: (await p.innerText('#status')).replace(/\s+/g, ' ').trim(),
  });
  const [one, two] = [await snapshot(page), await snapshot(page2)];
  for (const key of Object.keys(one)) {
    if (JSON.stringify(one[key]) !== JSON.stringify(two[key])) {
      fail(`the permalink's ${key} differs: ${JSON.stringify(two[key])} instead of ${JSON.stringify(one[key])}`);
    }
  }
  if (two.bucket !== BUCKET || two.account !== ACCOUNT) fail('the permalink lost the bucket or the account');
  ok(`the permalink (${url.length} characters) restores text, kind, bucket, account and ${two.findings.length} finding(s)`);
  assertNoErrors(errors2);
  await page2.close();

  // 5. Screenshot.
  step = '5. screenshot';
  console.log(`step ${step}`);
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  ok(`screenshot: ${SCREENSHOT} (with the guide's findings: ${SCREENSHOT_FINDINGS})`);

  // 6. Size and speed.
  step = '6. size and speed';
  console.log(`step ${step}`);
  const wasm = readFileSync(WASM);
  const gzipped = zlib.gzipSync(wasm, { level: 9 }).length;
  const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  console.log(`  wasm: ${wasm.length} bytes (${mib(wasm.length)}), gzip -9: ${gzipped} bytes (${mib(gzipped)})`);
  if (gzipped >= WASM_GZIP_LIMIT) fail(`the gzipped wasm is ${gzipped} bytes, not under ${WASM_GZIP_LIMIT}`);
  ok(`gzipped wasm under ${mib(WASM_GZIP_LIMIT)}`);
  // the time of a check in the page: the guide's bucket policy, a 5 KB identity policy (the
  // language server benchmark's shape), and the bundled CloudFormation and Terraform examples
  const bigPolicy = (() => {
    const services = [['ce', 'GetCostAndUsage'], ['cur', 'DescribeReportDefinitions'], ['ec2', 'DescribeInstances'], ['rds', 'DescribeDBInstances']];
    const statements = [];
    for (let i = 0; ; i++) {
      const [svc, action] = services[i % services.length];
      statements.push({ Sid: `Read${i}`, Effect: 'Allow', Action: [`${svc}:${action}`, `${svc}:List*`, `${svc}:Describe*`], Resource: '*' });
      statements.push({ Sid: `Bucket${i}`, Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::<bucket_name>', 'arn:aws:s3:::<bucket_name>/*'] });
      const text = JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
      if (text.length >= 5 * 1024) return text;
    }
  })();
  const documents = [
    ["the guide's bucket policy", policy.text],
    ['a 5 KB identity policy', bigPolicy],
    ['examples/onboarding/cloudformation.yaml', readFileSync(path.join(REPO, 'examples/onboarding/cloudformation.yaml'), 'utf8')],
    ['examples/onboarding/terraform/main.tf', readFileSync(path.join(REPO, 'examples/onboarding/terraform/main.tf'), 'utf8')],
  ];
  for (const [label, text] of documents) {
    const times = await page.evaluate((text) => {
      const request = JSON.stringify({
        kind: 'auto', bucket: '', account_id: '', prefix: '', export_name: '',
        export_type: '', scenario: '', platform: '',
      });
      const first = window.finopsCheck(text, request);
      if (!first || first.ok !== true) throw new Error(`finopsCheck failed: ${JSON.stringify(first)}`);
      const out = [];
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        window.finopsCheck(text, request);
        out.push(performance.now() - t0);
      }
      return { times: out, isolated: window.crossOriginIsolated, findings: first.findings.length };
    }, text);
    const sorted = [...times.times].sort((a, b) => a - b);
    const median = (sorted[24] + sorted[25]) / 2;
    const digits = times.isolated ? 3 : 2;
    console.log(`  50 checks of ${label} (${text.length} characters, ${times.findings} findings) in the page, performance.now() at ${times.isolated ? '5 µs' : '100 µs'} resolution`);
    console.log(`check time: median ${median.toFixed(digits)} ms, max ${sorted[sorted.length - 1].toFixed(digits)} ms`);
  }
  assertNoErrors(errors);
}

async function main() {
  const timer = setTimeout(async () => {
    console.error(`FAIL (step ${step}): the test did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`);
    await cleanup();
    process.exit(1);
  }, OVERALL_TIMEOUT_MS);
  let code = 0;
  try {
    await run();
    console.log(`e2e: ${passed} passed, 0 failed`);
  } catch (error) {
    code = 1;
    if (error instanceof StepFailure) console.error(`FAIL (step ${step}): ${error.message}`);
    else console.error(`FAIL (step ${step}): ${error && error.stack ? error.stack : error}`);
    console.error(`e2e: ${passed} passed, 1 failed`);
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
  process.exit(code);
}

main();
