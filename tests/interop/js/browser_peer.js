// Headless Chromium (Debian's, driven by puppeteer-core) loads a page whose
// script opens a WebSocket to a zlink ROUTER and speaks bare ZWS 2.0 by
// hand, as a web application would: for test_browser.cpp.
//   node browser_peer.js <ws-or-wss-url> [test-ca.pem] [untrusted]
// With a CA, Chromium trusts it through an NSS database in a private HOME
// (certutil, Debian's libnss3-tools), as a user would import it.
// Prints "OK" or "FAIL <reason>"; exit status 0 only for OK. "untrusted":
// the page expects its WebSocket to fail (a server certificate Chromium does
// not trust) and prints "REFUSED <close code>" when it does.
'use strict';
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const puppeteer = require('puppeteer-core');

const [url, caFile, mode] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';

// The page: sends its routing id, then "hello" + a 300 kB frame (a 64-bit
// length, masked by the browser); expects the router's routing id, then
// "hi" + the same 300 kB back.
const page = `<!doctype html><title>zlink ws test</title><script>
window.runZws = (url) => new Promise((resolve) => {
  const ws = new WebSocket(url, ['ZWS2.0']);
  ws.binaryType = 'arraybuffer';
  const enc = new TextEncoder(), dec = new TextDecoder();
  const frame = (flags, bytes) => { const b = new Uint8Array(bytes.length + 1); b[0] = flags; b.set(bytes, 1); return b; };
  const big = new Uint8Array(300000);
  for (let i = 0; i < big.length; ++i) big[i] = (i * 7) & 255;
  const got = [];
  let finished = false;
  const finish = (verdict) => { if (!finished) { finished = true; resolve(verdict); ws.close(1000); } };
  setTimeout(() => finish('FAIL timeout, got ' + got.length + ' messages'), 8000);
  ws.onopen = () => {
    if (ws.protocol !== 'ZWS2.0') return finish('FAIL subprotocol ' + ws.protocol);
    ws.send(frame(0, enc.encode('chromium')));
    ws.send(frame(1, enc.encode('hello')));
    ws.send(frame(0, big));
  };
  ws.onmessage = (ev) => {
    got.push(new Uint8Array(ev.data));
    if (got.length < 3) return;
    if (got[0].length !== 1 || got[0][0] !== 0) return finish('FAIL routing id ' + got[0]);
    if (got[1][0] !== 1 || dec.decode(got[1].slice(1)) !== 'hi') return finish('FAIL first frame');
    const back = got[2];
    if (back[0] !== 0 || back.length !== big.length + 1) return finish('FAIL big frame ' + back.length);
    for (let i = 0; i < big.length; ++i)
      if (back[i + 1] !== big[i]) return finish('FAIL big frame differs at ' + i);
    finish('OK');
  };
  ws.onclose = (ev) => finish('FAIL closed ' + ev.code);
});
window.expectRefused = (url) => new Promise((resolve) => {
  const ws = new WebSocket(url, ['ZWS2.0']);
  setTimeout(() => resolve('FAIL timeout'), 8000);
  ws.onopen = () => { resolve('FAIL opened'); ws.close(1000); };
  ws.onclose = (ev) => resolve('REFUSED ' + ev.code);
});
</script>`;

function trustingHome(ca) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zlink-chromium-'));
  const db = 'sql:' + path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(path.join(home, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-d', db, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'zlink test CA', '-i', ca]);
  return home;
}

(async () => {
  let browser, home, verdict;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(page);
  });
  try {
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const env = Object.assign({}, process.env);
    if (caFile) env.HOME = home = trustingHome(caFile);
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      env,
      userDataDir: home ? path.join(home, 'profile') : undefined,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
    const tab = await browser.newPage();
    await tab.goto('http://127.0.0.1:' + server.address().port + '/');
    verdict = await tab.evaluate((u, untrusted) =>
      untrusted ? window.expectRefused(u) : window.runZws(u), url, mode === 'untrusted');
  } catch (e) {
    verdict = 'FAIL ' + (e && e.message ? e.message.split('\n')[0] : e);
  }
  if (browser) await browser.close().catch(() => {});
  server.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  console.log(verdict);
  process.exit(verdict === 'OK' || verdict.startsWith('REFUSED') ? 0 : 1);
})();
