#!/usr/bin/env node
// The web remote in a real browser (Debian's chromium, headless, driven by puppeteer-core).
//
//   node tests/web/browser.mjs --base http://127.0.0.1:PORT [--token TOKEN] [--screens DIR]
//
// The C++ end-to-end test runs `stemdeck play --web` on a set of three songs (1 "one": stems Drums
// and Bass, markers Verse at bar 5 and Chorus at bar 9; 2 "two": stem Lead; 3 "three": stem Keys)
// and reads this script's stdout line by line: a `STEP name` line after each step, or
// `FAIL reason` and exit 1.
// It writes `GO unmute` to this script's stdin once it has heard the drums muted, kills the
// server after `STEP ready-restart` and starts it again on the same port.
// Notes for a person (never parsed) go to stderr.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const WAIT_MS = 15000;       // every wait
const HARD_MS = 120000;      // the whole script
const RECONNECT_MS = 40000;  // the server's restart
const CHROMIUM = process.env.STEMDECK_CHROMIUM || '/usr/bin/chromium';

const PHONE = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true, isLandscape: false };
// isMobile and hasTouch stay as on the phone: changing them would reload the page.
const TABLET = { width: 1180, height: 820, deviceScaleFactor: 1, isMobile: true, hasTouch: true, isLandscape: true };

let browser = null;
let finished = false;

function say(line) {
  console.log(line);
}
function note(line) {
  process.stderr.write(`browser.mjs: ${line}\n`);
}

async function closeBrowser() {
  const b = browser;
  browser = null;
  if (!b) return;
  const proc = b.process();
  try {
    await Promise.race([b.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
  } catch (_) { /* killed below */ }
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    try {
      proc.kill('SIGKILL');
    } catch (_) { /* gone */ }
  }
}

async function fail(reason) {
  if (finished) return;
  finished = true;
  say(`FAIL ${String(reason).replace(/\s+/g, ' ').trim()}`);
  await closeBrowser();
  process.exit(1);
}

class Failure extends Error {}

function parseArgs(argv) {
  const out = { base: null, token: null, screens: null };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Failure(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--base') out.base = value();
    else if (a === '--token') out.token = value();
    else if (a === '--screens') out.screens = value();
    else throw new Failure(`unknown argument ${a} (usage: --base URL [--token TOKEN] [--screens DIR])`);
  }
  if (!out.base) throw new Failure('--base http://HOST:PORT is needed');
  out.base = out.base.replace(/\/+$/, '');
  return out;
}

// ---- stdin: the C++ test's go-ahead lines ------------------------------------------------------
const stdinLines = [];
let stdinClosed = false;
const stdinWaiters = new Set();
const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  stdinLines.push(line.trim());
  for (const w of stdinWaiters) w();
});
rl.on('close', () => {
  stdinClosed = true;
  for (const w of stdinWaiters) w();
});

function waitStdin(wanted, ms) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (stdinLines.includes(wanted)) {
        done();
        resolve();
      } else if (stdinClosed) {
        done();
        reject(new Failure(`stdin closed before a line '${wanted}'`));
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Failure(`timeout (${ms / 1000} s) waiting for '${wanted}' on stdin`));
    }, ms);
    const done = () => {
      clearTimeout(timer);
      stdinWaiters.delete(check);
    };
    stdinWaiters.add(check);
    check();
  });
}

// ---- page helpers ------------------------------------------------------------------------------
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sel = (testid) => `[data-testid="${testid}"]`;

async function text(page, selector) {
  return page.$eval(selector, (el) => el.textContent.trim()).catch(() => null);
}
async function attr(page, selector, name) {
  return page.$eval(selector, (el, n) => el.getAttribute(n), name).catch(() => null);
}

// Waits for `fn` (run in the page) to be true; on a timeout fails with `what` and what
// `describe` (run in the page) says is there instead.
async function waitIn(page, what, fn, arg, describe, ms = WAIT_MS) {
  try {
    await page.waitForFunction(fn, { timeout: ms, polling: 100 }, arg);
  } catch (e) {
    let seen = '';
    if (describe) {
      try {
        seen = ` (seen: ${await page.evaluate(describe, arg)})`;
      } catch (_) { /* page gone */ }
    }
    throw new Failure(`timeout (${ms / 1000} s) waiting for ${what}${seen}`);
  }
}

function waitText(page, selector, wanted, what, ms) {
  return waitIn(page, what || `${selector} to read '${wanted}'`,
    ([s, w]) => { const el = document.querySelector(s); return !!el && el.textContent.trim() === w; },
    [selector, wanted],
    ([s]) => { const el = document.querySelector(s); return el ? `'${el.textContent.trim()}'` : 'no such element'; },
    ms);
}

function waitConn(page, state, ms) {
  return waitIn(page, `#conn[data-state=${state}]`,
    (s) => { const el = document.getElementById('conn'); return !!el && el.dataset.state === s; },
    state,
    () => { const el = document.getElementById('conn'); return el ? `${el.dataset.state}: ${el.textContent.trim()}` : 'no #conn'; },
    ms);
}

function waitPressed(page, testid, value) {
  return waitIn(page, `${testid} aria-pressed=${value}`,
    ([s, v]) => { const el = document.querySelector(s); return !!el && el.getAttribute('aria-pressed') === v; },
    [sel(testid), value],
    ([s]) => { const el = document.querySelector(s); return el ? `aria-pressed=${el.getAttribute('aria-pressed')}` : 'no such element'; });
}

// The centre of a button, scrolled to the middle of the screen (clear of the sticky header),
// checked to be what a finger there would touch.
async function fingerPoint(page, testid) {
  const point = await page.evaluate((s) => {
    const el = document.querySelector(s);
    if (!el) return { error: 'no such element' };
    if (el.disabled) return { error: 'it is disabled' };
    el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !el.contains(hit)) return { error: `a touch at its centre would land on ${hit ? hit.outerHTML.slice(0, 80) : 'nothing'}` };
    return { x, y };
  }, sel(testid));
  if (point.error) throw new Failure(`cannot touch ${testid} on ${page.url()}: ${point.error}`);
  return point;
}

// The song rows of the control view in document order (their song numbers), and which rows
// have a class (run in the page: the description of a wait).
function songRows() {
  const rows = [...document.querySelectorAll('#songs [data-testid^="song-"]')];
  const which = (c) => rows.filter((el) => el.classList.contains(c)).map((el) => el.dataset.testid.slice(5)).join(',') || 'none';
  return `order ${rows.map((el) => el.dataset.testid.slice(5)).join(',') || 'empty'}, current ${which('current')}, ` +
    `cued ${which('cued')}, skipped ${which('skipped')}, played ${which('played')}`;
}

// A tap with a finger (touch start and end at once: pointer events, then a click).
async function tap(page, testid) {
  const { x, y } = await fingerPoint(page, testid);
  await page.touchscreen.tap(x, y);
}

// A real press and hold with a finger: touch start on the button's centre, `ms`, touch end.
async function hold(page, testid, ms) {
  const { x, y } = await fingerPoint(page, testid);
  await page.touchscreen.touchStart(x, y);
  await sleep(ms);
  await page.touchscreen.touchEnd();
}

async function newPhonePage(url) {
  // A window of its own, as on a phone of its own: a background tab would not render, and
  // neither its display nor a tap on it would work.
  const page = await browser.newPage({ type: 'window' });
  page.on('pageerror', (err) => { fail(`a script error in ${page.url()}: ${err && err.message ? err.message : err}`); });
  page.setDefaultTimeout(WAIT_MS);
  await page.setViewport(PHONE);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: WAIT_MS });
  return page;
}

// ---- the test ----------------------------------------------------------------------------------
async function main() {
  const args = parseArgs(process.argv.slice(2));
  const frag = args.token ? `#token=${encodeURIComponent(args.token)}` : '';
  if (!fs.existsSync(CHROMIUM)) throw new Failure(`no chromium at ${CHROMIUM}`);
  let puppeteer;
  try {
    puppeteer = (await import('puppeteer-core')).default;
  } catch (e) {
    throw new Failure(`puppeteer-core is not installed (npm ci in tests/web): ${e && e.message ? e.message : e}`);
  }

  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    protocolTimeout: 30000,
  });

  // 1. The control page on a phone.
  const control = await newPhonePage(`${args.base}/control${frag}`);
  await waitConn(control, 'connected');
  await waitText(control, '#control-title', 'one');
  await waitText(control, sel('name-1'), 'Drums', "stem 1's name 'Drums'");
  const href = await control.evaluate(() => location.href);
  if (/token/i.test(href)) throw new Failure(`the token is still in the address: ${href}`);
  if (args.token) {
    const stored = await control.evaluate(() => localStorage.getItem('stemdeck.token.control'));
    if (stored !== args.token) throw new Failure('the token was not kept in localStorage (stemdeck.token.control)');
  }
  say('STEP control-open');

  // 2. Mute the drums by touch; the button follows the server's state.
  await tap(control, 'mute-1');
  await waitPressed(control, 'mute-1', 'true');
  say('STEP drums-muted');
  await waitStdin('GO unmute', WAIT_MS);
  await tap(control, 'mute-1');
  await waitPressed(control, 'mute-1', 'false');
  say('STEP drums-unmuted');

  // 3. The band view on a second phone.
  const band = await newPhonePage(`${args.base}/band${frag}`);
  await waitConn(band, 'connected');
  await waitText(band, '#band-title', 'one');
  await waitIn(band, '#band-barbeat to read BAR.BEAT',
    () => /^\d+\.\d+$/.test(document.getElementById('band-barbeat').textContent.trim()), null,
    () => `'${document.getElementById('band-barbeat').textContent.trim()}'`);
  const before = await text(band, '#band-barbeat');
  await sleep(1500);
  const after = await text(band, '#band-barbeat');
  if (before === after) throw new Failure(`#band-barbeat stayed '${before}' for 1.5 s: is the song playing?`);
  await waitText(band, '#band-next-song', 'two');
  const nextBefore = await text(band, '#band-next-marker');
  if (nextBefore === 'Verse') {
    await tap(control, 'next-marker');
  } else {
    // The play head is past Verse already (a slow step before this one): a jump to marker 1
    // (Verse) brings it back in front of Chorus.
    note(`the next marker was '${nextBefore}' before the tap, not 'Verse': tapping marker-1 instead of next-marker`);
    await tap(control, 'marker-1');
  }
  await waitText(band, '#band-next-marker', 'Chorus', "#band-next-marker to read 'Chorus' (the play head at Verse)");
  const bar = Number((await text(band, '#band-barbeat')).split('.')[0]);
  if (!(bar >= 5 && bar < 9)) throw new Failure(`the next marker reads Chorus but the play head is at bar ${bar}, not in Verse (bars 5-8)`);
  say('STEP band-marker');

  // 3b. The song's lyrics under the bar counter (song one's ChordPro file): in Verse, its line with
  // Am over "Verse words " and F over "here", and the Chorus's line next.
  // (the words of a lyric line, chords left out; inlined: the page's policy allows no eval)
  await waitIn(band, "the band view's lyric line to read 'Verse words here'",
    () => Array.from(document.querySelectorAll('#band-lyrics-line .lyric-words'))
      .map((e) => e.textContent).join('').trim() === 'Verse words here', null,
    () => `'${document.getElementById('band-lyrics-line').textContent}'`);
  const chords = await band.evaluate(() => Array.from(document.querySelectorAll('#band-lyrics-line .lyric-chord'))
    .map((e) => e.textContent).filter((c) => c !== '').join(' '));
  if (chords !== 'Am F') throw new Failure(`the lyric line's chords read '${chords}', not 'Am F'`);
  const next = await band.evaluate(() => Array.from(document.querySelectorAll('#band-lyrics-next .lyric-words'))
    .map((e) => e.textContent).join('').trim());
  if (next !== 'Chorus words') throw new Failure(`the next lyric line reads '${next}', not 'Chorus words'`);
  const section = await text(band, '#band-lyrics-section');
  if (section !== 'Verse') throw new Failure(`the lyrics' section reads '${section}', not 'Verse'`);
  say('STEP band-lyrics');

  // 4. Screenshots on a phone (390x844 at DPR 2) and a landscape tablet (1180x820 at DPR 1).
  if (args.screens) {
    fs.mkdirSync(args.screens, { recursive: true });
    const shot = async (page, name) => {
      await page.bringToFront();
      await page.evaluate(() => window.scrollTo(0, 0));
      await sleep(300);
      await page.screenshot({ path: path.join(args.screens, name) });
    };
    await shot(band, 'phone-band.png');
    await shot(control, 'phone-control.png');
    await band.setViewport(TABLET);
    await control.setViewport(TABLET);
    await shot(band, 'tablet-band.png');
    await shot(control, 'tablet-control.png');
    await band.setViewport(PHONE);
    await control.setViewport(PHONE);
    say('STEP screenshots');
  }

  // 5. Tonight's running order, edited on the phone: song three moved up before two (so it is
  // cued after one), then cut (so two is cued again). The list changes when the server says so.
  await control.bringToFront();
  await tap(control, 'order-edit');
  await waitPressed(control, 'order-edit', 'true');
  await tap(control, 'order-up-3');
  await waitIn(control, 'the running order 1,3,2 with song three cued (after a tap on order-up-3)',
    () => {
      const rows = [...document.querySelectorAll('#songs [data-testid^="song-"]')].map((el) => el.dataset.testid);
      const three = document.querySelector('[data-testid="song-3"]');
      return rows.join(',') === 'song-1,song-3,song-2' && !!three && three.classList.contains('cued');
    }, null, songRows);
  say('STEP order-moved');
  if (args.screens) {
    await control.setViewport(TABLET);
    await control.evaluate(() => document.getElementById('songs').scrollIntoView({ block: 'center', behavior: 'instant' }));
    await sleep(300);
    await control.screenshot({ path: path.join(args.screens, 'web-order-edit.png') });
    await control.setViewport(PHONE);
  }
  await tap(control, 'order-skip-3');
  await waitIn(control, 'song three cut and song two cued (after a tap on order-skip-3)',
    () => {
      const two = document.querySelector('[data-testid="song-2"]');
      const three = document.querySelector('[data-testid="song-3"]');
      return !!two && !!three && three.classList.contains('skipped') && two.classList.contains('cued');
    }, null, songRows);
  say('STEP order-skipped');
  await tap(control, 'order-edit');
  await waitPressed(control, 'order-edit', 'false');

  // 6. A tap on a hold-to-confirm button does nothing; holding it goes to the next song.
  await tap(control, 'next-song');
  await sleep(1500);
  const still = await text(band, '#band-title');
  if (still !== 'one') throw new Failure(`a short tap on next-song changed the song (band title '${still}')`);
  await hold(control, 'next-song', 1200);
  await waitText(band, '#band-title', 'two');
  say('STEP band-song');

  // 7. The server goes away and comes back: the band view says so and reconnects by itself.
  await band.bringToFront();
  say('STEP ready-restart');
  await waitConn(band, 'disconnected', WAIT_MS);
  say('STEP saw-disconnected');
  await waitIn(band, 'the band view connected again on song one',
    () => document.getElementById('conn').dataset.state === 'connected' &&
      document.getElementById('band-title').textContent.trim() === 'one', null,
    () => `${document.getElementById('conn').dataset.state}, title '${document.getElementById('band-title').textContent.trim()}'`,
    RECONNECT_MS);
  say('STEP reconnected');

  finished = true;
  await closeBrowser();
  process.exit(0);
}

const hard = setTimeout(() => { fail(`the whole test took more than ${HARD_MS / 1000} s`); }, HARD_MS);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { fail(`stopped by ${sig}`); });

main().catch((e) => fail(e instanceof Failure ? e.message : `${e && e.stack ? e.stack.split('\n')[0] : e}`));
