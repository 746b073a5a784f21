// The smallest browser kinship.js needs, built on node:vm: no jsdom (the npm registry is out of reach)
// and nothing the tracker does not touch. Cookies and localStorage are objects of their own, so a test
// can hand the same ones to a second browser to play a reload, or only one of them to play a loss.
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SOURCE_PATH = fileURLToPath(new URL('../../Services/Ingestion/IngestionService/Resources/kinship.js', import.meta.url));
const SOURCE = readFileSync(SOURCE_PATH, 'utf8');

/** document.cookie as a browser keeps it: assignments are parsed, attributes kept for inspection. */
export class CookieJar {
  constructor() {
    this.cookies = new Map(); // name -> { value, attributes }
  }

  assign(text) {
    const [pair, ...parts] = String(text).split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const attributes = {};
    for (const part of parts) {
      const i = part.indexOf('=');
      const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
      attributes[key] = i < 0 ? true : part.slice(i + 1).trim();
    }
    const expired = attributes['max-age'] !== undefined && Number(attributes['max-age']) <= 0;
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, { value, attributes });
  }

  header() {
    return [...this.cookies].map(([name, cookie]) => `${name}=${cookie.value}`).join('; ');
  }

  value(name) {
    const cookie = this.cookies.get(name);
    return cookie ? decodeURIComponent(cookie.value) : null;
  }
}

export class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
  clear() { this.items.clear(); }
  get length() { return this.items.size; }
}

/** Lets promise callbacks (ours and the tracker's, same microtask queue) run to the end. */
export async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** setTimeout that only moves when a test says so. */
export class FakeClock {
  constructor() {
    this.now = 0;
    this.timers = [];
    this.nextId = 1;
    this.setTimeout = (fn, delay = 0) => {
      const id = this.nextId++;
      this.timers.push({ id, due: this.now + Math.max(0, Number(delay) || 0), fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers = this.timers.filter((timer) => timer.id !== id);
    };
  }

  /** Delays, from now, of the timers still pending. */
  pending() {
    return this.timers.map((timer) => timer.due - this.now);
  }

  async advance(ms) {
    const end = this.now + ms;
    for (;;) {
      await settle();
      const next = this.timers
        .filter((timer) => timer.due <= end)
        .sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.now = next.due;
      next.fn();
    }
    this.now = end;
    await settle();
  }
}

function fakeResponse({ status = 200, headers = {}, body } = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name) => lower[name.toLowerCase()] ?? null },
    json: async () => JSON.parse(text),
    text: async () => text,
  };
}

/**
 * A browser tab. `respond(request, index)` answers the recording fetch ({status, headers, body}, or a
 * promise of it);
 * throwing from it plays a network error. `fetch` replaces the recording fetch altogether.
 */
export function makeBrowser({
  href = 'https://shop.example.com/products/lamp?color=red',
  referrer = 'https://search.example.org/?q=lamp',
  title = 'Lamp',
  jar = new CookieJar(),
  storage = new MemoryStorage(),
  respond = () => ({ status: 200, body: { success: true } }),
  fetch = null,
  beacon = () => true, // null: the browser has no sendBeacon
  crypto = globalThis.crypto,
  scriptSrc = 'https://collect.example.com/kinship.js',
} = {}) {
  const clock = new FakeClock();
  const requests = [];
  const beacons = [];
  const warnings = [];
  const listeners = [];

  const on = (target) => (type, fn) => listeners.push({ target, type, fn });
  const dispatch = (target, type) => {
    for (const l of listeners) if (l.target === target && l.type === type) l.fn({ type });
  };

  const recordingFetch = async (url, init = {}) => {
    const request = { url, init, payload: JSON.parse(init.body) };
    requests.push(request);
    return fakeResponse(await respond(request, requests.length - 1)); // a throw rejects, like fetch
  };

  const url = new URL(href);
  const location = {
    href: url.href, protocol: url.protocol, host: url.host, hostname: url.hostname,
    origin: url.origin, pathname: url.pathname, search: url.search, hash: url.hash,
  };
  const document = {
    get cookie() { return jar.header(); },
    set cookie(text) { jar.assign(text); },
    referrer,
    title,
    visibilityState: 'visible',
    currentScript: scriptSrc ? { src: scriptSrc } : null,
    addEventListener: on('document'),
  };
  const navigator = {
    userAgent: 'FakeBrowser/1.0 (node:vm)',
    language: 'en-GB',
  };
  if (beacon) {
    navigator.sendBeacon = (target, data) => {
      beacons.push({ url: target, data });
      return beacon(target, data);
    };
  }

  const context = {
    document,
    navigator,
    location,
    localStorage: storage,
    screen: { width: 1440, height: 900 },
    crypto,
    Blob,
    URL,
    fetch: fetch || recordingFetch,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    console: {
      warn: (...args) => warnings.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')),
      log: console.log,
      error: console.error,
    },
    addEventListener: on('window'),
  };
  context.window = context;
  vm.createContext(context);

  return {
    context, clock, requests, beacons, warnings, jar, storage,
    get kinship() { return context.kinship; },
    /** Runs page code, such as the loader snippet. */
    run(code) { return vm.runInContext(code, context); },
    /** The async <script src=".../kinship.js"> arriving. */
    loadScript() { vm.runInContext(SOURCE, context, { filename: SOURCE_PATH }); },
    /** Every message sent through fetch so far, in order. */
    sent() { return requests.flatMap((r) => r.payload.batch); },
    pageHide() { dispatch('window', 'pagehide'); },
    setVisibility(state) {
      document.visibilityState = state;
      dispatch('document', 'visibilitychange');
    },
  };
}
