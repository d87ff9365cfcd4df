// N WebSocket pages (ws, an independent client) on stemdeck's web remote for S seconds: what a band
// of phones and tablets costs. Half watch the band view, half the control view, and each control
// page rides stem 2's fader 5 times a second (a hand on a fader, not a flood). Prints one JSON line.
//   node web_clients.mjs WS_BASE CLIENTS SECONDS        (WS_BASE: ws://127.0.0.1:PORT)
import WebSocket from '../web/node_modules/ws/wrapper.mjs';

const [, , base, clientsArg, secondsArg] = process.argv;
const clients = Number(clientsArg || 20), seconds = Number(secondsArg || 600);
const pages = [];
for (let i = 0; i < clients; ++i) {
  const view = i % 2 === 0 ? 'band' : 'control';
  const p = { view, frames: 0, states: 0, acks: 0, errors: 0, bytes: 0, closes: 0, maxGap: 0, last: 0 };
  const open = () => {
    const ws = new WebSocket(`${base}/ws?view=${view}`);
    p.ws = ws;
    ws.on('message', (d) => {
      const now = performance.now();
      if (p.last && now - p.last > p.maxGap) p.maxGap = now - p.last;
      p.last = now;
      p.bytes += d.length;
      const type = JSON.parse(d.toString()).type;
      if (type === 'position') ++p.frames;
      else if (type === 'state') { ++p.states; ++p.frames; } // (a state carries the position too)
      else if (type === 'ack') ++p.acks;
      else if (type === 'error') ++p.errors;
    });
    ws.on('close', () => { ++p.closes; p.last = 0; if (!done) setTimeout(open, 500); });
    ws.on('error', () => {});
  };
  open();
  pages.push(p);
}
let done = false;
let k = 0;
const rider = setInterval(() => {
  k += 1;
  for (const p of pages)
    if (p.view === 'control' && p.ws.readyState === WebSocket.OPEN)
      p.ws.send(JSON.stringify({ type: 'action', action: 'gain', stem: 2, fader: 0.8 + 0.1 * Math.sin(k / 10) }));
}, 200);
setTimeout(() => {
  done = true;
  clearInterval(rider);
  for (const p of pages) p.ws.terminate();
  const sum = (f) => pages.reduce((a, p) => a + f(p), 0);
  console.log(JSON.stringify({
    clients, seconds,
    positionUpdatesPerClientPerSecond: +(sum((p) => p.frames) / clients / seconds).toFixed(2),
    stateMessages: sum((p) => p.states), acks: sum((p) => p.acks), errors: sum((p) => p.errors),
    megabytes: +(sum((p) => p.bytes) / 1e6).toFixed(2),
    reconnects: sum((p) => p.closes), // (during the run: the pages' own ends come after this line)
    worstGapMs: Math.round(Math.max(...pages.map((p) => p.maxGap))),
  }));
  process.exit(0);
}, seconds * 1000);
