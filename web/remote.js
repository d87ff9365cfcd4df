// stemdeck web remote: the band view (read-only) and the control view, in one page.
// Protocol: docs/manual/web-remote.md (protocol v1). No framework, no build step, no external
// resources: the page runs on a LAN without internet.
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------------
  // Which view, and the token
  // ---------------------------------------------------------------------------------------------
  const path = location.pathname.replace(/\/+$/, '');
  const VIEW = path === '/band' ? 'band' : path === '/control' ? 'control' : 'chooser';
  // One key per view: the band QR code scanned on the MD's tablet must not replace its control
  // token (the band view takes the control token too, when it has no band token of its own).
  const TOKEN_KEY = VIEW === 'band' ? 'stemdeck.token.band' : 'stemdeck.token.control';

  // The token travels in the fragment (#token=…), is kept in localStorage and taken out of the
  // address bar at once, so it is not left on screen or in the history.
  function takeToken() {
    let token = null;
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      try {
        token = decodeURIComponent(m[1]);
      } catch (_) {
        token = m[1];
      }
      if (token) {
        try {
          localStorage.setItem(TOKEN_KEY, token);
        } catch (_) { /* private mode: the token lives in this page only */ }
      }
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    if (!token) {
      try {
        token = localStorage.getItem(TOKEN_KEY) ||
          (VIEW === 'band' ? localStorage.getItem('stemdeck.token.control') : null);
      } catch (_) {
        token = null;
      }
    }
    return token || null;
  }
  const token = takeToken();

  const debug = { state: null, lastError: null, sent: 0 };
  window.stemdeck = debug;

  const $ = (id) => document.getElementById(id);
  const byTest = (id) => document.querySelector(`[data-testid="${id}"]`);

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }
  function setAttr(el, name, value) {
    if (el && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  // el.replaceChildren(...nodes), for browsers older than it (Safari before 14).
  function fill(el, nodes) {
    el.textContent = '';
    for (const n of nodes) el.appendChild(n);
  }

  // ---------------------------------------------------------------------------------------------
  // Chooser (/)
  // ---------------------------------------------------------------------------------------------
  if (VIEW === 'chooser') {
    const frag = token ? `#token=${encodeURIComponent(token)}` : '';
    $('choose-band').href = `/band${frag}`;
    $('choose-control').href = `/control${frag}`;
    $('chooser').hidden = false;
    document.title = 'stemdeck remote';
    return;
  }

  document.documentElement.classList.add(`view-${VIEW}`);
  document.body.classList.add(`view-${VIEW}`, 'nostate'); // nothing to show before a state
  $('topbar').hidden = false;
  // The control view scrolls under a sticky top bar and song header: the header sits below the
  // bar, whose height changes with the connection banner.
  if (typeof ResizeObserver === 'function') {
    const ro = new ResizeObserver(() => {
      const root = document.documentElement.style;
      root.setProperty('--topbar-h', `${$('topbar').offsetHeight}px`);
      if (VIEW === 'control') root.setProperty('--head-h', `${document.querySelector('.control-head').offsetHeight}px`);
    });
    ro.observe($('topbar'));
    if (VIEW === 'control') ro.observe(document.querySelector('.control-head'));
  }
  $(VIEW).hidden = false;
  document.title = VIEW === 'band' ? 'stemdeck · band' : 'stemdeck · control';

  // Stem colours when the state has none: the stage screen's palette (src/app/gui/StemStrip.cpp).
  const PALETTE = ['#4ea1ff', '#ff7a45', '#a66bff', '#3ddc97', '#ffc53d', '#ff5c93', '#36cfc9', '#bae637'];
  function stemColour(stem, i) {
    const c = stem && typeof stem.color === 'string' ? stem.color.trim() : '';
    return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(c) ? c : PALETTE[i % PALETTE.length];
  }

  // ---------------------------------------------------------------------------------------------
  // Hint line (hold to confirm, server errors)
  // ---------------------------------------------------------------------------------------------
  let hintTimer = 0;
  function hint(text, kind) {
    const el = $('hint');
    el.textContent = text;
    el.className = `hint${kind ? ` ${kind}` : ''}`;
    el.hidden = false;
    clearTimeout(hintTimer);
    hintTimer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 3500 : 1400);
  }

  // ---------------------------------------------------------------------------------------------
  // Position: the last frame and the extrapolation between frames (spec: "extrapolates")
  // ---------------------------------------------------------------------------------------------
  let pos = null;        // the last position frame
  let offsets = [];      // performance.now() - t of the last frames
  let clockOffset = 0;   // min of offsets: server clock -> page clock
  let frozenAt = null;   // performance.now() when the link went: the display stops there
  let lastShownBeats = null; // guards against a beat flicking back when a late frame arrives
  let lastShownKey = '';

  function takePosition(p, fallbackT) {
    if (!p || typeof p !== 'object') return;
    const t = typeof p.t === 'number' ? p.t : fallbackT;
    if (typeof t !== 'number') return;
    if (pos && t < pos.t) return; // an older frame overtaken by a newer state: ignored
    const now = performance.now();
    offsets.push(now - t);
    if (offsets.length > 20) offsets.shift();
    clockOffset = Math.min(...offsets);
    pos = {
      t,
      seconds: num(p.seconds, 0),
      rate: num(p.rate, 1) > 0 ? num(p.rate, 1) : 1,
      bar: Math.trunc(num(p.bar, 1)),
      beat: Math.trunc(num(p.beat, 1)),
      fraction: Math.min(Math.max(num(p.fraction, 0), 0), 1),
      bpm: num(p.bpm, 0),
      beatsPerBar: Math.max(1, Math.trunc(num(p.beatsPerBar, 4))),
      rolling: !!p.rolling,
      remaining: num(p.remaining, -1),
    };
  }
  function num(v, dflt) {
    return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
  }

  // Where the show is now, from the last frame: seconds' = seconds + elapsed*rate;
  // beats' = (beat-1+fraction) + elapsed*bpm/60, rolling into bars.
  function extrapolate() {
    if (!pos) return null;
    const now = frozenAt !== null ? frozenAt : performance.now();
    let elapsed = 0;
    if (pos.rolling) {
      elapsed = (now - clockOffset - pos.t) / 1000;
      // Never backwards, and never far: frames come 5 times a second, so a second without one
      // means the link is failing; the display stops rather than run on a guess.
      elapsed = Math.min(Math.max(elapsed, 0), 1);
    }
    const bpb = pos.beatsPerBar;
    const seconds = pos.seconds + elapsed * pos.rate;
    let inBar = pos.beat - 1 + pos.fraction + (elapsed * pos.bpm) / 60;
    let bar = pos.bar + Math.floor(inBar / bpb);
    inBar -= Math.floor(inBar / bpb) * bpb;
    // A frame that lands a hair behind what is on screen (network jitter) must not flick the
    // beat back: hold the shown value for up to a fifth of a beat.
    const key = `${debug.state ? debug.state.song : 0}`;
    let total = (bar - 1) * bpb + inBar;
    if (pos.rolling && lastShownBeats !== null && key === lastShownKey &&
        total < lastShownBeats && lastShownBeats - total < 0.2) {
      total = lastShownBeats;
      bar = Math.floor(total / bpb) + 1;
      inBar = total - (bar - 1) * bpb;
    }
    lastShownBeats = total;
    lastShownKey = key;
    const beat = Math.min(Math.floor(inBar), bpb - 1) + 1;
    const fraction = inBar - Math.floor(inBar);
    const remaining = pos.remaining >= 0 ? Math.max(pos.remaining - elapsed, 0) : -1;
    return { seconds, bar, beat, fraction, bpb, bpm: pos.bpm, rate: pos.rate, rolling: pos.rolling, remaining };
  }

  function clock(sec) {
    if (!(sec >= 0)) return '–:––';
    const s = Math.floor(sec + 1e-6);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  }

  // The marker after the play head, and how far it is (bars or beats, and seconds). A marker
  // counts as reached from its own time on (2 ms for rounding), as the bar.beat shows it.
  function nextMarker(st, x) {
    if (!st || !Array.isArray(st.markers) || !x) return null;
    for (let i = 0; i < st.markers.length; ++i) {
      const m = st.markers[i];
      if (m && typeof m.seconds === 'number' && m.seconds > x.seconds + 0.002) {
        const realSeconds = (m.seconds - x.seconds) / (x.rate > 0 ? x.rate : 1);
        const beats = x.bpm > 0 ? (realSeconds * x.bpm) / 60 : -1;
        let inText = '';
        if (beats >= 0) {
          if (beats >= x.bpb - 1e-3) {
            const bars = Math.ceil(beats / x.bpb - 1e-3);
            inText = `in ${bars} bar${bars === 1 ? '' : 's'}`;
          } else {
            const b = Math.max(1, Math.ceil(beats - 1e-3));
            inText = `in ${b} beat${b === 1 ? '' : 's'}`;
          }
          inText += ` · ${Math.ceil(realSeconds - 1e-3)} s`;
        } else {
          inText = `in ${Math.ceil(realSeconds - 1e-3)} s`;
        }
        return { index: i + 1, name: String(m.name || `marker ${i + 1}`), inText };
      }
    }
    return null;
  }
  // The marker the play head is in (1-based, 0: before the first).
  function currentMarker(st, x) {
    if (!st || !Array.isArray(st.markers) || !x) return 0;
    let cur = 0;
    st.markers.forEach((m, i) => {
      if (m && typeof m.seconds === 'number' && m.seconds <= x.seconds + 0.002) cur = i + 1;
    });
    return cur;
  }

  function flagsOf(st) {
    const flags = [];
    if (!st) return flags;
    if (st.locked) flags.push(['LOCKED', 'warn']);
    if (st.vamp) flags.push(['VAMP', 'info']);
    if (st.practiceLoop || (typeof st.loopA === 'number' && st.loopA >= 0)) {
      flags.push([st.practiceLoop ? `LOOP ${st.practiceLoop}` : 'A–B LOOP', 'info']);
    }
    if (st.reference) flags.push(['REFERENCE MIX', 'info']);
    const tempo = num(st.tempo, 1);
    const transpose = num(st.transpose, 0);
    if (st.stretch) {
      flags.push([String(st.stretch), 'warn']);
    } else if (Math.abs(tempo - 1) > 1e-3 || Math.abs(transpose) > 1e-3) {
      const parts = [];
      if (Math.abs(tempo - 1) > 1e-3) parts.push(`${Math.round(tempo * 100)}% tempo`);
      if (Math.abs(transpose) > 1e-3) parts.push(`${transpose > 0 ? '+' : ''}${fmtNum(transpose)} st`);
      flags.push([parts.join(', '), 'warn']);
    }
    if (!st.rolling) flags.push([st.finished ? 'END OF SET' : 'STOPPED', 'dim']);
    return flags;
  }
  function fmtNum(v) {
    return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
  }
  let flagsKey = {};
  function renderFlags(el, st) {
    const flags = flagsOf(st);
    const key = JSON.stringify(flags);
    if (flagsKey[el.id] === key) return;
    flagsKey[el.id] = key;
    fill(el, flags.map(([text, kind]) => {
      const s = document.createElement('span');
      s.className = `flag ${kind}`;
      s.textContent = text;
      return s;
    }));
  }

  // Makes a line of big text as large as its box allows (only when its length or the box changes).
  const fitCache = new WeakMap();
  function fit(el, maxPx) {
    const box = el.parentElement;
    const key = `${el.textContent.length}|${box.clientWidth}|${box.clientHeight}|${maxPx}`;
    if (fitCache.get(el) === key) return;
    fitCache.set(el, key);
    el.style.fontSize = '100px';
    const w = el.scrollWidth || 1;
    const h = el.scrollHeight || 1;
    const size = Math.max(16, Math.min(maxPx, (100 * box.clientWidth * 0.96) / w, (100 * box.clientHeight * 0.98) / h));
    el.style.fontSize = `${Math.floor(size)}px`;
  }

  // ---------------------------------------------------------------------------------------------
  // Connection: #conn[data-state] = connecting | connected | disconnected | refused
  // ---------------------------------------------------------------------------------------------
  const connEl = $('conn');
  let ws = null;
  let connState = 'connecting';
  let control = false;        // from hello
  let backoff = 500;          // ms: 0.5 s doubling to 5 s
  let retryTimer = 0;
  let lastMessage = 0;        // performance.now() of the last message (or of the connect)
  let pingSent = false;
  let refusedForGood = false; // 4401: never again from this page load
  let refusal = null;         // {reason, code} from the last "refused" message
  let busyUntil = 0;          // 4429: no new connection before this performance.now()
  let nextId = 0;

  function wsUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = `view=${VIEW}${token ? `&token=${encodeURIComponent(token)}` : ''}`;
    return `${scheme}//${location.host}/ws?${q}`;
  }

  function setConn(state, text) {
    connState = state;
    setAttr(connEl, 'data-state', state);
    setText(connEl, text);
    document.body.classList.toggle('offline', state !== 'connected');
    updateEnabled();
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    if (refusedForGood) return;
    if (ws && (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN)) return;
    let sock;
    try {
      sock = new WebSocket(wsUrl());
    } catch (e) {
      debug.lastError = String(e && e.message ? e.message : e);
      lost(0);
      return;
    }
    ws = sock;
    lastMessage = performance.now();
    pingSent = false;
    refusal = null;
    sock.onmessage = (ev) => {
      if (sock !== ws) return;
      lastMessage = performance.now();
      pingSent = false;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (_) {
        return;
      }
      if (msg && typeof msg === 'object') handle(msg);
    };
    sock.onclose = (ev) => {
      if (sock !== ws) return;
      ws = null;
      lost(ev.code);
    };
    sock.onerror = () => { /* a close follows */ };
  }

  // Drops the socket without waiting for a close handshake a dead link would never finish.
  function drop() {
    const sock = ws;
    ws = null;
    if (sock) {
      sock.onmessage = sock.onclose = sock.onerror = null;
      try {
        sock.close();
      } catch (_) { /* already gone */ }
    }
  }

  function lost(code) {
    if (frozenAt === null) frozenAt = performance.now();
    control = false;
    if (code === 4401) {
      refusedForGood = true;
      const reason = refusal && refusal.reason ? refusal.reason : 'the server refused this page (token missing, wrong or replaced)';
      setConn('refused', `REFUSED — ${reason}`);
      return;
    }
    if (code === 4429) {
      const reason = refusal && refusal.reason ? refusal.reason : 'too many remotes or messages';
      setConn('refused', `REFUSED — ${reason} — retrying in 10 s`);
      busyUntil = performance.now() + 10000;
      scheduleRetry(10000);
      return;
    }
    setConn('disconnected', 'DISCONNECTED — reconnecting…');
    scheduleRetry(backoff);
    backoff = Math.min(backoff * 2, 5000);
  }

  function scheduleRetry(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, ms);
  }

  // Reconnect at once when the page comes back or the network does.
  function reconnectNow() {
    if (refusedForGood || performance.now() < busyUntil) return;
    if (ws && ws.readyState === WebSocket.OPEN && performance.now() - lastMessage < 3000) return;
    if (ws) {
      drop();
      if (connState === 'connected') setConn('disconnected', 'DISCONNECTED — reconnecting…');
      if (frozenAt === null) frozenAt = performance.now();
    }
    backoff = 500;
    connect();
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') reconnectNow();
  });
  window.addEventListener('online', reconnectNow);
  window.addEventListener('pageshow', (e) => { if (e.persisted) reconnectNow(); });

  // A dead link: position frames come 5 times a second, so 1.5 s of silence asks for the state,
  // and 3 s of silence (or a connect that hangs) is a lost link.
  setInterval(() => {
    if (!ws) return;
    const quiet = performance.now() - lastMessage;
    if (ws.readyState === WebSocket.OPEN && quiet > 1500 && !pingSent) {
      pingSent = true;
      rawSend({ type: 'get' });
    }
    if (quiet > 3000) {
      drop();
      lost(0);
    }
  }, 250);

  function rawSend(obj) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(JSON.stringify(obj));
    } catch (_) {
      return false;
    }
    debug.sent += 1;
    return true;
  }

  function handle(msg) {
    switch (msg.type) {
      case 'hello':
        control = VIEW === 'control' && msg.control === true;
        backoff = 500;
        // A new connection may be a restarted server: another clock, another show.
        frozenAt = null;
        offsets = [];
        pos = null;
        lastShownBeats = null;
        setConn('connected', 'connected');
        if (VIEW === 'control') $('view-only').hidden = msg.control === true;
        updateEnabled();
        break;
      case 'refused':
        refusal = { reason: typeof msg.reason === 'string' ? msg.reason : '', code: msg.code };
        debug.lastError = refusal.reason;
        break;
      case 'state':
        if (debug.state && debug.state.song !== msg.song) pendingContinuous.clear(); // (another song's stems)
        debug.state = msg;
        document.body.classList.remove('nostate');
        takePosition(msg.position, msg.t);
        renderState(msg);
        render();
        break;
      case 'position':
        takePosition(msg, undefined);
        render();
        break;
      case 'error':
        debug.lastError = typeof msg.message === 'string' ? msg.message : 'error';
        hint(debug.lastError, 'error');
        break;
      default:
        break; // ack and anything newer
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Display loop: requestAnimationFrame, and once per message (rAF stops in a hidden page)
  // ---------------------------------------------------------------------------------------------
  function frame() {
    render();
    requestAnimationFrame(frame);
  }

  function render() {
    if (VIEW === 'band') renderBand();
    else renderControlPosition();
  }

  function renderState(st) {
    if (VIEW === 'band') renderBandState(st);
    else renderControlState(st);
  }

  // ---------------------------------------------------------------------------------------------
  // Band view
  // ---------------------------------------------------------------------------------------------
  const band = VIEW === 'band' ? {
    title: $('band-title'),
    nextSong: $('band-next-song'),
    nextSongLine: $('band-next-song-line'),
    barbeat: $('band-barbeat'),
    countin: $('band-countin'),
    countinNum: $('band-countin-num'),
    beats: $('band-beats'),
    remaining: $('band-remaining'),
    nextMarker: $('band-next-marker'),
    nextMarkerIn: $('band-next-marker-in'),
    stems: $('band-stems'),
    flags: $('band-flags'),
    lyrics: $('band-lyrics'),
    lyricsSection: $('band-lyrics-section'),
    lyricsLine: $('band-lyrics-line'),
    lyricsNext: $('band-lyrics-next'),
    lyricsKey: '',
    cells: [],
    stemsKey: '',
  } : null;

  // A lyric line: each chord set above the words it stands over (the server cut the line at its chords).
  function lyricLine(el, segments) {
    fill(el, (Array.isArray(segments) ? segments : []).map((seg) => {
      const part = document.createElement('span');
      part.className = 'lyric-seg';
      const chord = document.createElement('span');
      chord.className = 'lyric-chord';
      chord.textContent = String(seg.chord || '');
      const words = document.createElement('span');
      words.className = 'lyric-words';
      words.textContent = String(seg.words || '') || '\u00a0';
      part.append(chord, words);
      return part;
    }));
  }

  function renderLyrics(st) {
    const ly = st.lyrics && typeof st.lyrics === 'object' ? st.lyrics : null;
    band.lyrics.hidden = !ly;
    if (!ly) return;
    const key = JSON.stringify([ly.section, ly.line, ly.next]);
    if (key === band.lyricsKey) return;
    band.lyricsKey = key;
    setText(band.lyricsSection, String(ly.section || ''));
    lyricLine(band.lyricsLine, ly.line);
    lyricLine(band.lyricsNext, ly.next);
  }

  function renderBandState(st) {
    setText(band.title, st.song > 0 || st.title ? String(st.title || '') : '—');
    renderLyrics(st);
    const next = typeof st.next === 'string' ? st.next : '';
    setText(band.nextSong, next);
    band.nextSongLine.classList.toggle('last', next === '');
    renderFlags(band.flags, st);
    document.title = `${st.title || 'stemdeck'} · band`;

    const stems = Array.isArray(st.stems) ? st.stems : [];
    const key = JSON.stringify(stems.map((s, i) => [s.name, stemColour(s, i)]));
    if (key !== band.stemsKey) {
      band.stemsKey = key;
      fill(band.stems, stems.map((s, i) => {
        const chip = document.createElement('div');
        chip.className = 'band-stem';
        chip.dataset.stem = String(i + 1);
        chip.style.setProperty('--c', stemColour(s, i));
        const name = document.createElement('span');
        name.className = 'band-stem-name';
        name.textContent = String(s.name || `Stem ${i + 1}`);
        chip.append(name);
        return chip;
      }));
    }
    const anySolo = stems.some((s) => s.soloed);
    stems.forEach((s, i) => {
      const chip = band.stems.children[i];
      if (!chip) return;
      setAttr(chip, 'data-muted', s.muted ? 'true' : 'false');
      chip.classList.toggle('soloed', !!s.soloed);
      chip.classList.toggle('silent', !s.muted && anySolo && !s.soloed);
      chip.classList.toggle('pending', !!s.pending);
    });
  }

  function beatCells(n) {
    if (band.cells.length === n) return;
    band.cells = [];
    const cells = [];
    for (let i = 0; i < n; ++i) {
      const c = document.createElement('div');
      c.className = i === 0 ? 'beat down' : 'beat';
      cells.push(c);
    }
    fill(band.beats, cells);
    band.cells = cells;
  }

  function renderBand() {
    const st = debug.state;
    const x = extrapolate();
    if (!x) return;
    const countIn = x.seconds < 0;
    setText(band.barbeat, `${x.bar}.${x.beat}`);
    fit(band.barbeat, 560);
    band.countin.classList.toggle('active', countIn);
    if (countIn) {
      setText(band.countinNum, String(x.beat));
      band.countin.classList.toggle('flash', x.rolling && x.fraction < 0.3);
      band.countin.classList.toggle('down', x.beat === 1);
    }
    // The beat bar: every beat of the bar so far lit, the one sounding now bright.
    beatCells(x.bpb);
    const flash = x.rolling && frozenAt === null && x.fraction < 0.35;
    band.cells.forEach((c, i) => {
      const on = i + 1 <= x.beat;
      c.classList.toggle('on', on);
      c.classList.toggle('now', i + 1 === x.beat && flash);
    });
    setText(band.remaining, clock(x.remaining));
    const m = nextMarker(st, x);
    setText(band.nextMarker, m ? m.name : '');
    setText(band.nextMarkerIn, m ? m.inText : 'none');
    band.nextMarker.parentElement.classList.toggle('soon', !!m && x.rolling && /in [1-4] beat|in 1 bar/.test(m.inText));
  }

  // ---------------------------------------------------------------------------------------------
  // Control view
  // ---------------------------------------------------------------------------------------------
  const QUANT_KEY = 'stemdeck.quantize';
  let quantize = 'none';

  // Sends an action; the button does not change by itself: the next state says what happened.
  // A stem, marker or scene is named by its number in the song on screen: the action says which
  // song that was, and the show refuses it if the song has changed since (it would mute another
  // song's stem 2).
  function act(fields) {
    if (!control || connState !== 'connected') return false;
    nextId = (nextId + 1) % 1000000;
    const songScoped = 'stem' in fields || 'stems' in fields ||
      fields.action === 'marker' || fields.action === 'scene';
    const song = songScoped && debug.state && typeof debug.state.song === 'number' ? { song: debug.state.song } : {};
    return rawSend({ type: 'action', ...fields, ...song, id: `c${nextId}` });
  }

  // Faders and filters send while dragged, at most 15 messages a second in all (the server
  // takes ~20 a second from one remote; taps need the rest), always sending the last value.
  const sendTimes = [];
  const pendingContinuous = new Map(); // key -> fields
  const lastContinuous = new Map();    // key -> time of the last send
  let continuousTimer = 0;
  function sendContinuous(key, fields) {
    pendingContinuous.set(key, fields);
    flushContinuous();
  }
  function flushContinuous() {
    clearTimeout(continuousTimer);
    continuousTimer = 0;
    const now = performance.now();
    while (sendTimes.length && now - sendTimes[0] > 1000) sendTimes.shift();
    let wait = Infinity;
    for (const [key, fields] of pendingContinuous) {
      const since = now - (lastContinuous.get(key) || -Infinity);
      const perControl = 67 - since;
      const overall = sendTimes.length >= 15 ? 1000 - (now - sendTimes[0]) : 0;
      const w = Math.max(perControl, overall, 0);
      if (w <= 0) {
        pendingContinuous.delete(key);
        lastContinuous.set(key, now);
        sendTimes.push(now);
        act(fields);
      } else {
        wait = Math.min(wait, w);
      }
    }
    if (pendingContinuous.size && wait < Infinity) continuousTimer = setTimeout(flushContinuous, Math.ceil(wait) + 1);
  }

  // Tap buttons act on click (mouse, touch, keyboard). Hold buttons need 700 ms of pressing.
  const HOLD_MS = 700;
  function onTap(el, fn) {
    el.addEventListener('click', (e) => {
      e.preventDefault();
      if (el.disabled || !control) return;
      fn();
    });
  }
  function onHold(el, fn) {
    el.classList.add('hold');
    el.style.setProperty('--hold-ms', `${HOLD_MS}ms`);
    let timer = 0;
    let pointer = null;
    let origin = null;
    const start = () => {
      if (el.disabled || !control) return false;
      clearTimeout(timer);
      el.classList.remove('held');
      el.classList.add('holding');
      timer = setTimeout(() => {
        timer = 0;
        pointer = null;
        el.classList.remove('holding');
        if (!el.isConnected) return; // taken off the page while held (its list changed)
        el.classList.add('held');
        setTimeout(() => el.classList.remove('held'), 400);
        fn();
      }, HOLD_MS);
      return true;
    };
    const cancel = (showHint) => {
      pointer = null;
      if (!timer) return;
      clearTimeout(timer);
      timer = 0;
      el.classList.remove('holding');
      if (showHint) hint('hold to confirm');
    };
    el.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || pointer !== null) return;
      if (!start()) return;
      pointer = e.pointerId;
      origin = [e.clientX, e.clientY];
      try {
        el.setPointerCapture(e.pointerId);
      } catch (_) { /* not capturable: the up still comes to the document */ }
    });
    el.addEventListener('pointerup', (e) => { if (e.pointerId === pointer) cancel(true); });
    el.addEventListener('pointercancel', (e) => { if (e.pointerId === pointer) cancel(false); });
    el.addEventListener('lostpointercapture', (e) => { if (e.pointerId === pointer) cancel(true); });
    // Sliding well off the button lets go of it.
    el.addEventListener('pointermove', (e) => {
      if (e.pointerId !== pointer || !origin) return;
      const r = el.getBoundingClientRect();
      const out = e.clientX < r.left - 24 || e.clientX > r.right + 24 || e.clientY < r.top - 24 || e.clientY > r.bottom + 24;
      if (out) cancel(true);
    });
    // Keyboard: hold Enter or Space.
    el.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) {
        e.preventDefault();
        if (start()) pointer = 'key';
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
      }
    });
    el.addEventListener('keyup', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && pointer === 'key') cancel(true);
    });
    el.addEventListener('blur', () => cancel(false));
    // A tap must never act on a hold button.
    el.addEventListener('click', (e) => e.preventDefault());
  }

  function button(testid, label, cls) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `btn ctl${cls ? ` ${cls}` : ''}`;
    b.dataset.testid = testid;
    b.textContent = label;
    return b;
  }

  function updateEnabled() {
    if (VIEW !== 'control') return;
    const on = control && connState === 'connected';
    document.querySelectorAll('#control .ctl').forEach((el) => {
      const off = !on || el.dataset.blocked === 'true'; // blocked: the state rules it out (block())
      if (el.disabled !== off) el.disabled = off;
      if (!on) el.classList.remove('holding');
    });
    document.body.classList.toggle('readonly', !control);
  }

  const ctl = VIEW === 'control' ? {
    title: $('control-title'),
    nextSong: $('control-next-song'),
    barbeat: $('control-barbeat'),
    remaining: $('control-remaining'),
    nextMarker: $('control-next-marker'),
    flags: $('control-flags'),
    stems: $('stems'),
    scenes: $('scenes'),
    markers: $('markers'),
    songs: $('songs'),
    notTonight: $('not-tonight'),
    notTonightList: $('not-tonight-list'),
    orderEdit: byTest('order-edit'),
    stemsKey: '',
    scenesKey: '',
    markersKey: '',
    stemRows: [],
  } : null;

  function dbText(db) {
    if (db === null || db === undefined || !Number.isFinite(db)) return '−∞ dB';
    const v = Math.round(db * 10) / 10;
    return `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(1)} dB`;
  }
  // The remote taper: 0 silence, else -60 dB … +6 dB linear in dB (0.909 = 0 dB).
  function faderDb(f) {
    return f <= 0 ? null : -60 + 66 * f;
  }
  function filterText(v) {
    if (Math.abs(v) < 0.005) return 'filter off';
    return `${v < 0 ? 'low-pass' : 'high-pass'} ${Math.round(Math.abs(v) * 100)}%`;
  }

  // A range input that follows the state except while a finger (or the mouse) is on it.
  // A slider's row: its name, the slider, its value.
  function sliderRow(name, input, valueLabel) {
    const row = document.createElement('label');
    row.className = 'slider-row';
    const label = document.createElement('span');
    label.className = 'slider-name';
    label.textContent = name;
    row.append(label, input, valueLabel);
    return row;
  }

  function slider(testid, min, max, step, onInput, onReset) {
    const input = document.createElement('input');
    input.type = 'range';
    input.min = String(min);
    input.max = String(max);
    input.step = String(step);
    input.className = 'ctl range';
    input.dataset.testid = testid;
    const s = { input, touching: false, until: 0 };
    const grab = () => { s.touching = true; };
    const release = () => {
      if (!s.touching) return;
      s.touching = false;
      s.until = performance.now() + 800; // the last value's state is on its way
    };
    input.addEventListener('pointerdown', grab);
    input.addEventListener('pointerup', release);
    input.addEventListener('pointercancel', release);
    input.addEventListener('input', () => {
      s.until = performance.now() + 800;
      onInput(Number(input.value));
    });
    input.addEventListener('change', () => {
      s.until = performance.now() + 800;
      onInput(Number(input.value));
    });
    if (onReset) {
      let lastTap = 0;
      let lastReset = 0;
      const reset = () => {
        const now = performance.now();
        if (now - lastReset < 500) return;
        lastReset = now;
        s.until = now + 800;
        onReset();
      };
      input.addEventListener('dblclick', reset);
      input.addEventListener('pointerup', (e) => {
        if (e.pointerType === 'mouse') return; // dblclick does it
        const now = performance.now();
        if (now - lastTap < 350) {
          lastTap = 0;
          reset();
        } else {
          lastTap = now;
        }
      });
    }
    s.busy = () => s.touching || performance.now() < s.until;
    return s;
  }

  function buildStems(stems) {
    ctl.stemRows = stems.map((s, i) => {
      const n = i + 1;
      const card = document.createElement('div');
      card.className = 'stem';
      card.style.setProperty('--c', stemColour(s, i));
      card.dataset.stem = String(n);

      const head = document.createElement('div');
      head.className = 'stem-head';
      const name = document.createElement('span');
      name.className = 'stem-name';
      name.dataset.testid = `name-${n}`;
      name.textContent = String(s.name || `Stem ${n}`);
      const pending = document.createElement('span');
      pending.className = 'stem-pending';
      pending.textContent = 'waiting';
      pending.hidden = true;
      head.append(name, pending);

      const mute = button(`mute-${n}`, 'MUTE', 'toggle mute');
      const solo = button(`solo-${n}`, 'SOLO', 'toggle solo');
      onTap(mute, () => act({ action: 'toggle_mute', stem: n, quantize }));
      onTap(solo, () => act({ action: 'toggle_solo', stem: n, quantize }));
      const buttons = document.createElement('div');
      buttons.className = 'stem-buttons';
      buttons.append(mute, solo);

      const gainLabel = document.createElement('span');
      gainLabel.className = 'slider-value';
      const fader = slider(`fader-${n}`, 0, 1, 0.001, (v) => {
        setText(gainLabel, dbText(faderDb(v)));
        sendContinuous(`g${n}`, { action: 'gain', stem: n, fader: v });
      }, null);
      const gainRow = sliderRow('level', fader.input, gainLabel);

      const filterLabel = document.createElement('span');
      filterLabel.className = 'slider-value';
      const filter = slider(`filter-${n}`, -1, 1, 0.01, (v) => {
        setText(filterLabel, filterText(v));
        sendContinuous(`f${n}`, { action: 'filter', stem: n, value: v });
      }, () => {
        filter.input.value = '0';
        setText(filterLabel, filterText(0));
        pendingContinuous.delete(`f${n}`);
        act({ action: 'filter', stem: n, value: 0 });
      });
      filter.input.classList.add('filter');
      const filterRow = sliderRow('filter', filter.input, filterLabel);

      card.append(head, buttons, gainRow, filterRow);
      return { card, name, pending, mute, solo, fader, gainLabel, filter, filterLabel };
    });
    fill(ctl.stems, ctl.stemRows.map((r) => r.card));
  }

  function renderControlState(st) {
    setText(ctl.title, st.song > 0 || st.title ? String(st.title || '') : '—');
    setText(ctl.nextSong, st.next ? String(st.next) : '(end of set)');
    document.title = `${st.title || 'stemdeck'} · control`;
    renderFlags(ctl.flags, st);

    // Stems
    const stems = Array.isArray(st.stems) ? st.stems : [];
    const key = JSON.stringify([st.song, stems.map((s, i) => [s.name, stemColour(s, i)])]);
    if (key !== ctl.stemsKey) {
      ctl.stemsKey = key;
      buildStems(stems);
      updateEnabled();
    }
    const anySolo = stems.some((s) => s.soloed);
    stems.forEach((s, i) => {
      const r = ctl.stemRows[i];
      if (!r) return;
      setAttr(r.mute, 'aria-pressed', s.muted ? 'true' : 'false');
      setAttr(r.solo, 'aria-pressed', s.soloed ? 'true' : 'false');
      r.pending.hidden = !s.pending;
      r.card.classList.toggle('pending', !!s.pending);
      r.card.classList.toggle('muted', !!s.muted);
      r.card.classList.toggle('silent', !s.muted && anySolo && !s.soloed);
      r.card.classList.toggle('broken', !!s.broken);
      if (!r.fader.busy()) {
        const f = num(s.fader, 0);
        if (Number(r.fader.input.value) !== f) r.fader.input.value = String(f);
        setText(r.gainLabel, dbText(s.gain));
      }
      if (!r.filter.busy()) {
        const v = num(s.filter, 0);
        if (Number(r.filter.input.value) !== v) r.filter.input.value = String(v);
        setText(r.filterLabel, filterText(v));
      }
    });

    // Scenes: slots 1..8, the empty ones hidden.
    const scenes = Array.isArray(st.scenes) ? st.scenes : [];
    const sKey = JSON.stringify(scenes);
    if (sKey !== ctl.scenesKey) {
      ctl.scenesKey = sKey;
      const buttons = [];
      for (let k = 1; k <= 8; ++k) {
        const name = typeof scenes[k - 1] === 'string' ? scenes[k - 1] : '';
        const b = button(`scene-${k}`, name ? `${k} · ${name}` : String(k), 'toggle scene');
        b.hidden = !name;
        onTap(b, () => act({ action: 'scene', value: k }));
        buttons.push(b);
      }
      fill(ctl.scenes, buttons);
      $('no-scenes').hidden = scenes.some((s) => s);
      updateEnabled();
    }
    for (let k = 1; k <= 8; ++k) {
      const b = ctl.scenes.children[k - 1];
      if (!b) continue;
      setAttr(b, 'aria-pressed', st.scene === k ? 'true' : 'false');
      b.classList.toggle('waiting', st.sceneWaiting === k);
    }

    // Markers
    const markers = Array.isArray(st.markers) ? st.markers : [];
    const mKey = JSON.stringify([st.song, markers.map((m) => m.name)]);
    if (mKey !== ctl.markersKey) {
      ctl.markersKey = mKey;
      fill(ctl.markers, markers.map((m, i) => {
        const b = button(`marker-${i + 1}`, String(m.name || `marker ${i + 1}`), 'marker');
        onTap(b, () => act({ action: 'marker', value: String(i + 1) }));
        return b;
      }));
      $('no-markers').hidden = markers.length > 0;
      updateEnabled();
    }

    renderOrder(st);

    // Show buttons: their state is the server's.
    setAttr(byTest('play'), 'aria-pressed', st.rolling ? 'true' : 'false');
    setAttr(byTest('vamp'), 'aria-pressed', st.vamp ? 'true' : 'false');
    setAttr(byTest('ab'), 'aria-pressed', st.reference ? 'true' : 'false');
    setAttr(byTest('lock'), 'aria-pressed', st.locked ? 'true' : 'false');
    const click = typeof st.click === 'string' ? st.click : 'off';
    setAttr(byTest('click'), 'aria-pressed', click !== 'off' ? 'true' : 'false');
    setText($('click-mode'), click);
    const tempo = num(st.tempo, 1);
    const bpm = num(st.bpm, 0);
    setText($('tempo-value'), `${Math.round(tempo * 100)}%${bpm > 0 ? ` · ${Math.round(bpm * tempo)} bpm` : ''}`);
    const tr = num(st.transpose, 0);
    setText($('key-value'), `${tr > 0 ? '+' : tr < 0 ? '−' : ''}${fmtNum(Math.abs(tr))} st`);
    $('tempo-value').classList.toggle('changed', Math.abs(tempo - 1) > 1e-3);
    $('key-value').classList.toggle('changed', Math.abs(tr) > 1e-3);
  }

  function renderControlPosition() {
    const st = debug.state;
    const x = extrapolate();
    if (!x) return;
    setText(ctl.barbeat, x.seconds < 0 ? `count-in ${x.beat}` : `${x.bar}.${x.beat}`);
    ctl.barbeat.classList.toggle('countin', x.seconds < 0);
    const m = nextMarker(st, x);
    setText(ctl.remaining, `${clock(x.remaining)} left`);
    setText(ctl.nextMarker, m ? `${m.name} ${m.inText}` : '');
    const cur = currentMarker(st, x);
    const bs = ctl.markers.children;
    for (let i = 0; i < bs.length; ++i) bs[i].classList.toggle('current', i + 1 === cur);
  }

  // ---------------------------------------------------------------------------------------------
  // Tonight's running order: the control view's song list
  // ---------------------------------------------------------------------------------------------
  // The rows are the server's order (st.songs), each named by its song's number (song-N; its place
  // tonight shown beside its title): hold one to go to that song. EDIT ORDER shows each row's tap
  // buttons (move up or down, play next, skip, played) and the set's songs not tonight (add).
  // Every button sends an action; the list changes only when the next state says so.
  const order = {
    editing: false,
    key: '',         // what the rows show, but for the current and cued song (set every state)
    notKey: '',      // the songs not tonight
    rows: new Map(), // song number -> its row's elements, kept while the song is tonight
  };

  // The song's 1-based place tonight in the last state (0: not tonight).
  function placeTonight(k) {
    const songs = debug.state && Array.isArray(debug.state.songs) ? debug.state.songs : [];
    return songs.findIndex((s) => s && s.number === k) + 1;
  }

  // A control the state rules out (the first song's ▲, the playing song's SKIP): disabled, and
  // kept so by updateEnabled() whatever the connection does.
  function block(el, blocked) {
    const v = blocked ? 'true' : 'false';
    if (el.dataset.blocked !== v) el.dataset.blocked = v;
    const off = blocked || !control || connState !== 'connected';
    if (el.disabled !== off) el.disabled = off;
  }

  function span(cls, text) {
    const el = document.createElement('span');
    el.className = cls;
    el.textContent = text;
    return el;
  }
  function songName(s) {
    return String(s.title || `song ${s.number}`);
  }
  function lengthText(s) {
    return s.broken ? 'broken' : num(s.length, -1) >= 0 ? clock(s.length) : '';
  }
  // The songs of a state's list that can be shown: each number once.
  function songList(list) {
    const seen = new Set();
    return (Array.isArray(list) ? list : []).filter((s) => {
      if (!s || typeof s !== 'object' || !Number.isInteger(s.number) || seen.has(s.number)) return false;
      seen.add(s.number);
      return true;
    });
  }

  // A tap button of the order (edit mode is the guard, not a hold): `fields()` is the action as
  // the last state makes it (null: none).
  function orderButton(testid, label, cls, fields) {
    const b = button(testid, label, `order-btn ${cls}`);
    onTap(b, () => {
      const f = fields();
      if (f) act(f);
    });
    return b;
  }

  // A song's row: the song (hold to go) and, below it in edit mode, its buttons. They are the
  // song button's siblings, so a finger on one never starts the song's hold.
  function orderRow(k) {
    const go = button(`song-${k}`, '', 'song');
    const r = {
      go,
      place: span('song-nr', ''),
      title: span('song-title', ''),
      id: span('song-id', `#${k}`),
      tag: span('song-tag', ''),
      len: span('song-len', ''),
    };
    go.append(r.place, r.title, r.id, r.tag, r.len);
    onHold(go, () => act({ action: 'go_to_song', value: k }));

    const move = (by) => () => {
      const p = placeTonight(k);
      return p > 0 && p + by >= 1 ? { action: 'move_song', value: `${k} to ${p + by}` } : null;
    };
    r.up = orderButton(`order-up-${k}`, '▲', 'order-up', move(-1));
    r.down = orderButton(`order-down-${k}`, '▼', 'order-down', move(+1));
    r.next = orderButton(`order-next-${k}`, 'NEXT', 'order-next', () => ({ action: 'play_next', value: String(k) }));
    r.skip = orderButton(`order-skip-${k}`, 'SKIP', 'order-skip', () => ({ action: 'toggle_skip', value: String(k) }));
    r.played = orderButton(`order-played-${k}`, 'PLAYED', 'order-played', () => ({ action: 'toggle_played', value: String(k) }));
    r.tools = document.createElement('div');
    r.tools.className = 'order-tools';
    r.tools.hidden = !order.editing;
    r.tools.append(r.up, r.down, r.next, r.skip, r.played);

    r.row = document.createElement('div');
    r.row.className = 'song-row';
    r.row.append(go, r.tools);
    return r;
  }

  // The rows in the server's order, moving as few as it takes (a row taken off the page loses
  // the focus and a finger's hold on it), and what each shows.
  function layOutOrder(songs) {
    const focused = ctl.songs.contains(document.activeElement) ? document.activeElement : null;
    const tonight = new Set(songs.map((s) => s.number));
    for (const [k, r] of order.rows) {
      if (tonight.has(k)) continue;
      r.row.remove();
      order.rows.delete(k);
    }
    songs.forEach((s, i) => {
      const k = s.number;
      const place = i + 1;
      let r = order.rows.get(k);
      if (!r) {
        r = orderRow(k);
        order.rows.set(k, r);
      }
      const at = ctl.songs.children[i] || null;
      if (at !== r.row) ctl.songs.insertBefore(r.row, at);

      const name = songName(s);
      setText(r.place, String(place));
      setText(r.title, name);
      r.id.hidden = k === place; // its number (go_to_song, the keyboard's g N) where it is not its place
      setText(r.tag, s.played ? '✓' : s.added ? 'added' : '');
      setText(r.len, lengthText(s));
      r.go.classList.toggle('skipped', !!s.skipped);
      r.go.classList.toggle('played', !!s.played);
      r.go.classList.toggle('added', !!s.added);
      r.go.classList.toggle('broken', !!s.broken);
      setText(r.skip, s.skipped ? 'UNSKIP' : 'SKIP');
      setAttr(r.played, 'aria-pressed', s.played ? 'true' : 'false');
      setAttr(r.up, 'aria-label', `move ${name} up to place ${place - 1}`);
      setAttr(r.down, 'aria-label', `move ${name} down to place ${place + 1}`);
      setAttr(r.next, 'aria-label', `play ${name} next`);
      setAttr(r.skip, 'aria-label', s.skipped ? `bring ${name} back` : `skip ${name} tonight`);
      setAttr(r.played, 'aria-label', `${name} played`);
      block(r.up, place <= 1);
      block(r.down, place >= songs.length);
    });
    if (focused && document.activeElement !== focused && focused.isConnected && !focused.disabled) {
      focused.focus({ preventScroll: true });
    }
  }

  function notTonightRow(s) {
    const k = s.number;
    const name = songName(s);
    const song = document.createElement('div');
    song.className = `not-tonight-song${s.broken ? ' broken' : ''}`;
    song.append(span('song-id', `#${k}`), span('song-title', name), span('song-len', s.added ? 'added' : lengthText(s)));
    const add = orderButton(`add-${k}`, 'ADD', 'order-add', () => ({ action: 'add_song', value: String(k) }));
    const next = orderButton(`add-next-${k}`, 'NEXT', 'order-add-next', () => ({ action: 'play_next', value: String(k) }));
    add.setAttribute('aria-label', `add ${name} at the end`);
    next.setAttribute('aria-label', `add ${name} to play next`);
    const row = document.createElement('div');
    row.className = 'not-tonight-row';
    row.append(song, add, next);
    return row;
  }

  function showNotTonight() {
    ctl.notTonight.hidden = !order.editing || ctl.notTonightList.children.length === 0;
  }

  function setEditing(on) {
    order.editing = on;
    setAttr(ctl.orderEdit, 'aria-pressed', on ? 'true' : 'false');
    ctl.songs.classList.toggle('editing', on);
    for (const r of order.rows.values()) r.tools.hidden = !on;
    showNotTonight();
  }

  function renderOrder(st) {
    const songs = songList(st.songs);
    const key = JSON.stringify(songs.map((s) =>
      [s.number, s.title, s.length, !!s.broken, !!s.skipped, !!s.played, !!s.added]));
    if (key !== order.key) {
      order.key = key;
      layOutOrder(songs);
      updateEnabled();
    }
    const out = songList(st.notTonight);
    const notKey = JSON.stringify(out.map((s) => [s.number, s.title, s.length, !!s.broken, !!s.added]));
    if (notKey !== order.notKey) {
      order.notKey = notKey;
      fill(ctl.notTonightList, out.map(notTonightRow));
      showNotTonight();
      updateEnabled();
    }
    // The current and the cued song; what the playing song refuses (it is never cut, and stays
    // played while it plays).
    const started = !!st.rolling || num(st.position && st.position.seconds, 0) > 0;
    for (const s of songs) {
      const r = order.rows.get(s.number);
      const current = st.song === s.number;
      r.go.classList.toggle('current', current);
      r.go.classList.toggle('cued', st.cued === s.number);
      setAttr(r.go, 'aria-current', current ? 'true' : 'false');
      r.next.hidden = current;
      block(r.skip, current && !s.skipped && started);
      block(r.played, current && !!s.played && !!st.rolling);
    }
  }

  if (VIEW === 'control') {
    try {
      const q = localStorage.getItem(QUANT_KEY);
      if (q === 'beat' || q === 'bar' || q === 'none') quantize = q;
    } catch (_) { /* default */ }
    const sel = $('quantize');
    sel.value = quantize;
    sel.addEventListener('change', () => {
      quantize = sel.value === 'beat' || sel.value === 'bar' ? sel.value : 'none';
      try {
        localStorage.setItem(QUANT_KEY, quantize);
      } catch (_) { /* this page only */ }
    });
    const taps = {
      play: { action: 'play' },
      'prev-marker': { action: 'previous_marker' },
      'next-marker': { action: 'next_marker' },
      vamp: { action: 'vamp' },
      ab: { action: 'toggle_reference' },
      click: { action: 'cycle_click' },
      panic: { action: 'panic' },
      lock: { action: 'lock' },
      unlock: { action: 'unlock' },
    };
    for (const [id, fields] of Object.entries(taps)) onTap(byTest(id), () => act(fields));
    const holds = {
      stop: { action: 'stop' },
      'prev-song': { action: 'previous_song' },
      'next-song': { action: 'next_song' },
      'tempo-down': { action: 'tempo_down' },
      'tempo-up': { action: 'tempo_up' },
      'tempo-reset': { action: 'tempo', value: '100%' },
      'key-down': { action: 'transpose_down' },
      'key-up': { action: 'transpose_up' },
      'key-reset': { action: 'transpose', value: 0 },
    };
    for (const [id, fields] of Object.entries(holds)) onHold(byTest(id), () => act(fields));
    onTap(ctl.orderEdit, () => setEditing(!order.editing));
    updateEnabled();
  }

  // No text selection, long-press menus or callouts on the controls and the band display.
  document.addEventListener('contextmenu', (e) => {
    if (!(e.target instanceof Element) || !e.target.closest('select')) e.preventDefault();
  });
  document.addEventListener('selectstart', (e) => {
    if (!(e.target instanceof Element) || !e.target.closest('input, select')) e.preventDefault();
  });

  // ---------------------------------------------------------------------------------------------
  // Keep the screen on
  // ---------------------------------------------------------------------------------------------
  // The Screen Wake Lock API where there is one (secure contexts only: https or localhost).
  // Otherwise (plain LAN HTTP on a phone): a hidden, muted, looping, inline <video> that playing
  // keeps the screen on; it may only start on a user gesture. web/keepawake.mp4 was made with:
  //   ffmpeg -f lavfi -i color=c=black:s=16x16:r=10:d=2 -f lavfi -i anullsrc=r=22050:cl=mono -t 2 \
  //     -c:v libx264 -profile:v baseline -level 3.0 -pix_fmt yuv420p -tune stillimage \
  //     -c:a aac -b:a 8k -map_metadata -1 -fflags +bitexact -movflags +faststart web/keepawake.mp4
  // (2 s, 16x16 black, H.264 constrained baseline, yuv420p, a silent AAC track, moov first: 2.9 KB)
  const awakeBtn = $('keepawake');
  const awake = { want: true, lock: null, video: null, on: false };

  function showAwake() {
    const on = awake.on && awake.want;
    setAttr(awakeBtn, 'aria-pressed', on ? 'true' : 'false');
    setText(awakeBtn, on ? 'screen stays on' : 'keep screen on');
  }

  async function requestWakeLock() {
    if (!awake.want || awake.lock || document.visibilityState !== 'visible') return true;
    try {
      const lock = await navigator.wakeLock.request('screen');
      awake.lock = lock;
      awake.on = true;
      lock.addEventListener('release', () => {
        if (awake.lock === lock) awake.lock = null;
        awake.on = false;
        showAwake();
      });
      showAwake();
      return true;
    } catch (_) {
      return false;
    }
  }

  function startVideo() {
    if (!awake.video) {
      const v = document.createElement('video');
      v.className = 'keepawake-video';
      v.muted = true;
      v.defaultMuted = true;
      v.loop = true;
      v.playsInline = true;
      v.setAttribute('muted', '');
      v.setAttribute('playsinline', '');
      v.setAttribute('webkit-playsinline', '');
      v.setAttribute('aria-hidden', 'true');
      v.setAttribute('tabindex', '-1');
      v.preload = 'auto';
      v.src = '/keepawake.mp4';
      v.addEventListener('playing', () => { awake.on = true; showAwake(); });
      v.addEventListener('pause', () => { awake.on = false; showAwake(); });
      document.body.append(v);
      awake.video = v;
    }
    const p = awake.video.play();
    if (p && p.catch) p.catch(() => { awake.on = false; showAwake(); });
  }

  async function keepAwake() {
    if (!awake.want) return;
    if ('wakeLock' in navigator && (await requestWakeLock())) return;
    startVideo();
  }

  function letSleep() {
    awake.want = false;
    if (awake.lock) {
      const l = awake.lock;
      awake.lock = null;
      l.release().catch(() => {});
    }
    if (awake.video) awake.video.pause();
    awake.on = false;
    showAwake();
  }

  awakeBtn.hidden = false;
  showAwake();
  awakeBtn.addEventListener('click', (e) => {
    e.stopPropagation();
    if (awake.want && awake.on) {
      letSleep();
    } else {
      awake.want = true;
      keepAwake();
    }
  });
  // The first gesture anywhere starts it (a video may only play after one).
  const firstGesture = (e) => {
    if (e.target === awakeBtn) return; // its own click decides
    document.removeEventListener('pointerdown', firstGesture, true);
    document.removeEventListener('keydown', firstGesture, true);
    if (awake.want && !awake.on) keepAwake();
  };
  document.addEventListener('pointerdown', firstGesture, true);
  document.addEventListener('keydown', firstGesture, true);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible' || !awake.want) return;
    if ('wakeLock' in navigator) requestWakeLock();
    if (awake.video && awake.video.paused && !awake.lock) startVideo();
  });
  if ('wakeLock' in navigator) requestWakeLock();

  // ---------------------------------------------------------------------------------------------
  // Go
  // ---------------------------------------------------------------------------------------------
  window.addEventListener('resize', () => render());
  setConn('connecting', 'connecting…');
  connect();
  requestAnimationFrame(frame);
})();
