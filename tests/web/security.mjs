// The web remote's refusals, from a phone's address on another network namespace (security.sh):
// no token, a wrong one, the band token on the control view, another site's page (Origin) or name
// (Host: DNS rebinding), traversal (plain and encoded), oversized headers and frames, a slow-loris
// request, a flood, a page that never reads, too many connections, and tokens rotated mid-show.
// Every refusal must leave the show playing: the player's summary says 0 underruns, 0 lost.
//   node security.mjs STEMDECK WORKDIR PLAYER_NETNS PLAY_PID
import fs from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';

const [, , STEMDECK, WORK, NS, PLAY_PID] = process.argv;
const HOST = '10.77.1.1:8080';
const BASE = `http://${HOST}`;
const WS = `ws://${HOST}/ws`;
let passed = 0, failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} - ${what}`);
  ok ? ++passed : ++failed;
  return ok;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = () => fs.readFileSync(`${WORK}/play.log`, 'utf8');
const tokens = () => Object.fromEntries(fs.readFileSync(`${WORK}/state/stemdeck/web-tokens`, 'utf8')
  .trim().split('\n').map((l) => l.split(' ')));
async function until(cond, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(50);
  }
  return cond();
}

/// A raw HTTP request (no client library normalising the path): the status line and the body.
function raw(text, ms = 5000) {
  return new Promise((resolve) => {
    const s = net.connect(8080, '10.77.1.1');
    let got = '';
    const done = () => { s.destroy(); resolve(got); };
    s.setTimeout(ms, done);
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('end', done);
    s.on('error', done);
    s.write(text);
  });
}
const status = (reply) => Number((reply.match(/^HTTP\/1\.1 (\d+)/) || [])[1] || 0);

/// A page on the WebSocket: its messages, its close code, its HTTP refusal (before any upgrade).
function page(query, headers = {}) {
  const p = { msgs: [], code: null, httpStatus: null, ws: null };
  p.ws = new WebSocket(`${WS}?${query}`, { headers, handshakeTimeout: 5000 });
  p.ws.on('message', (d) => { try { p.msgs.push(JSON.parse(d.toString())); } catch { p.msgs.push({ type: 'garbled' }); } });
  p.ws.on('close', (code) => { p.code = code; });
  p.ws.on('unexpected-response', (_, res) => { p.httpStatus = res.statusCode; p.code = -1; res.resume(); });
  p.ws.on('error', () => { if (p.code === null) p.code = -2; });
  p.has = (type) => p.msgs.some((m) => m.type === type);
  p.last = (type) => [...p.msgs].reverse().find((m) => m.type === type);
  p.send = (o) => p.ws.readyState === WebSocket.OPEN && p.ws.send(typeof o === 'string' ? o : JSON.stringify(o));
  return p;
}

async function main() {
  // The pages themselves are public (they hold no show); the traversal is not.
  check(status(await raw(`GET /band HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`)) === 200, 'GET /band: the page');
  for (const path of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd',
    '/%252e%252e/etc/passwd', '/web/../../../../etc/passwd', '/.%2e/.%2e/etc/passwd', '/..\\..\\etc\\passwd']) {
    const r = await raw(`GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
    check(status(r) === 404 && !r.includes('root:'), `traversal ${path}: ${status(r)}, nothing of /etc/passwd`);
  }
  const big = await raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
  check(status(big) === 431 || big === '', `headers of 20 KB are refused (${status(big) || 'closed'})`);
  const rebind = await raw(`GET / HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n`);
  check(status(rebind) === 403, `another site's name in Host (DNS rebinding) is refused: ${status(rebind)}`);
  const t0 = Date.now();
  const loris = await raw('GET / HTTP/1.1\r\nHost: 10.77.1.1:8080\r\n', 20000); // and never the blank line
  check(loris === '' && Date.now() - t0 < 15000, `a request that never ends its headers is cut off (${Date.now() - t0} ms)`);

  const t = tokens();
  const none = page('view=control');
  const wrong = page('view=control&token=AAAAAAAAAAAAAAAAAAAAAA');
  const bandOnly = page(`view=control&token=${t.band}`);
  const foreign = page(`view=control&token=${t.control}`, { Origin: 'http://evil.example' });
  const ctl = page(`view=control&token=${t.control}`);
  await until(() => none.code !== null && wrong.code !== null && foreign.code !== null && ctl.has('state') && bandOnly.has('state'));
  check(none.code === 4401 && none.last('refused')?.code === 'token' && !none.has('state'),
    `no token from the network: refused with 4401, no state (${none.code}, '${none.last('refused')?.reason}')`);
  check(wrong.code === 4401 && !wrong.has('state'), `a wrong token: refused with 4401 (${wrong.code})`);
  check(foreign.httpStatus === 403, `another site's page (Origin: http://evil.example): 403 before any WebSocket (${foreign.httpStatus})`);
  check(bandOnly.last('hello')?.control === false, 'the band token on the control view: view only');
  bandOnly.send({ type: 'action', action: 'toggle_mute', stem: 1, id: 'b1' });
  check(await until(() => bandOnly.last('error')?.message?.includes('view only')), 'its mute is refused: view only');
  check(ctl.last('hello')?.control === true, 'the control token: control');
  const drums = (p) => p.last('state')?.stems?.[0]?.muted;
  const before = drums(ctl);
  ctl.send({ type: 'action', action: 'toggle_mute', stem: 1, id: 'c1' });
  check(await until(() => ctl.msgs.some((m) => m.type === 'ack' && m.id === 'c1') && drums(ctl) === !before),
    `with the control token the mute is applied (Drums muted ${!before})`);
  check(drums(bandOnly) === !before, 'and the view-only page sees it');
  ctl.send({ type: 'action', action: 'unlock', id: 'u1' });
  check(await until(() => ctl.msgs.some((m) => m.type === 'ack' && m.id === 'u1')), 'unlock with the control token is taken');
  ctl.send({ type: 'action', action: 'quit', id: 'q1' });
  check(await until(() => ctl.msgs.some((m) => m.type === 'error' && m.id === 'q1')), 'quit is never taken over the network');

  // An oversized frame closes that page (1009), and only it.
  const fat = page(`view=control&token=${t.control}`);
  await until(() => fat.has('state'));
  fat.send({ type: 'action', action: 'toggle_mute', stem: 1, pad: 'x'.repeat(5000) });
  check(await until(() => fat.code !== null) && fat.code === 1009, `a 5 KB frame closes the page with 1009 (${fat.code})`);

  // A flood from one page is cut, then the page is closed (4429); the others hear on.
  const flood = page(`view=control&token=${t.control}`);
  await until(() => flood.has('state'));
  for (let i = 0; i < 2000; ++i) flood.send({ type: 'action', action: 'gain', stem: 2, value: '-1dB' });
  check(await until(() => flood.code !== null, 10000) && flood.code === 4429, `a flood of 2000 messages: closed with 4429 (${flood.code})`);
  check(flood.msgs.some((m) => m.type === 'error' && m.message.includes('some were dropped')), 'after being told it sent too many');
  const n = ctl.msgs.length;
  check(await until(() => ctl.msgs.length > n + 3), 'the other page still gets its position frames');

  // A page that never reads (a phone asleep with its socket open: it answers no ping) is dropped,
  // not fed forever.
  const sleeper = page(`view=control&token=${t.control}`);
  await until(() => sleeper.has('state'));
  sleeper.ws._socket.pause(); // reads nothing from now on, so answers no ping either
  check(await until(() => log().includes('web: dropped the page at 10.77.1.2'), 30000),
    `a page that never reads is dropped: '${(log().match(/web: dropped the page[^\n]*/) || [''])[0]}'`);
  sleeper.ws.terminate();

  // Too many connections from one address: the rest are refused.
  const many = [];
  for (let i = 0; i < 40; ++i) many.push(net.connect(8080, '10.77.1.1'));
  await sleep(1000);
  const closedEarly = many.filter((s) => s.destroyed || s.readableEnded).length;
  check(closedEarly >= 5 || log().includes('too many connections'), `40 connections at once: the ones past 32 are refused (${closedEarly} closed)`);
  many.forEach((s) => s.destroy());

  // Tokens rotated mid-show: pages joined with the old ones are refused within a second or two.
  execFileSync('ip', ['netns', 'exec', NS, STEMDECK, 'web', 'token', '--rotate'], { env: process.env });
  check(await until(() => ctl.code === 4401 && bandOnly.code === 4401, 5000),
    `after 'web token --rotate' the old tokens' pages are refused (${ctl.code}, ${bandOnly.code})`);
  const fresh = page(`view=control&token=${tokens().control}`);
  check(await until(() => fresh.last('hello')?.control === true), 'the new control token joins');
  fresh.ws.close();

  process.kill(Number(PLAY_PID), 'SIGTERM');
  await until(() => log().includes('web remote:') && /underruns \d+/.test(log()) && log().includes('pages dropped'), 15000);
  const text = log();
  check(/underruns 0\b/.test(text) && /commands lost 0\b/.test(text),
    `the show never underran and lost no command: '${(text.match(/[^\n]*underruns[^\n]*/) || [''])[0].slice(0, 200)}'`);
  check(/refused a page from 10\.77\.1\.2: no valid token/.test(text), 'the refusals are said in the log, with the address');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => { console.log(`FAIL - ${e.stack}`); process.exit(1); });
