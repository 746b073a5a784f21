/*!
 * kinship.js: the Kinship browser tracker. Plain ES2017, no dependencies, no build step.
 *
 * Loader snippet (put it in <head>; calls made before the script arrives are queued):
 *
 *   <script>
 *     window.kinship = window.kinship || [];
 *     kinship.push(['load', 'WRITE_KEY', {host: 'https://collect.example.com'}]);
 *     kinship.push(['page']);
 *   </script>
 *   <script async src="https://collect.example.com/kinship.js"></script>
 *
 * When the script runs it swaps the array for the API object below and replays the queued calls in
 * order. The API object also has a `push`, so snippet-style calls made later still work.
 *
 * API (window.kinship)
 *   load(writeKey, options)                  only the first call counts; other calls made earlier wait for it
 *   page(category?, name?, properties?)      one string is the name, as in analytics.js
 *   track(event, properties?)
 *   identify(userId?, traits?)               the user id is kept in localStorage (kinship_uid)
 *   alias(userId, previousId?)               previousId defaults to the current user id, else the anonymous id
 *   group(groupId, traits?)
 *   reset()                                  forget the user id and start a new anonymous id
 *   flush() -> Promise                       send the queue now (even while backing off); resolves when settled
 *   consent.set(preferences), consent.get()  e.g. set({analytics: false, marketing: true})
 *   push([method, ...args])                  the snippet form; 'consent.set' is accepted as a method
 *
 * Options: host (defaults to the origin this script was served from), autoPage (true: one page() after
 * load unless a page() call came first or in the same tick), flushAt (20), flushInterval (1000 ms),
 * maxQueueSize (1000, oldest dropped), defaultConsent ({}: categories never set by the person),
 * eventCategories ({'Chat Opened': 'support'}: event name to consent category), cookieDomain (share
 * the anonymous id with subdomains), maxMessageBytes (32 KiB), maxBatchBytes (500 KiB),
 * beaconBytes (60 KiB: browsers cap what page-hide requests may carry in total at 64 KiB).
 *
 * Consent. Each message falls in one category: identify, alias, group and the Consent Preference
 * Updated event are `necessary` (always allowed); the e-mail events in EMAIL_EVENTS are `marketing`;
 * other track calls and pages are `analytics`; options.eventCategories overrides track events. A
 * category counts as refused only when it is false in the person's preferences (or in
 * options.defaultConsent while the person has not chosen); a refused message is never queued, and
 * refusing a category also drops the queued messages of that category. Only `true` grants.
 *
 * Sending. Messages go in POST {host}/v1/batch bodies of at most maxBatchBytes (UTF-8), one request
 * at a time, in order. Network errors, 408, 429 and 5xx are retried after Retry-After, else after an
 * exponential back-off (1 s doubling to 60 s, half of it random). 413 halves the batch; other answers
 * drop it with a console warning, since the same bytes would fail again. A 200 may list refused
 * entries in `refused` (or `errors`): they are warned about, not retried. On page hide (visibilitychange
 * to hidden, pagehide) the queue leaves through sendBeacon, else fetch({keepalive}). No unload or
 * beforeunload listeners: they break the back/forward cache.
 *
 * Delivery is at least once: a message stays queued (and mirrored in localStorage) until the server
 * acknowledged it, so a reload, a retry or a page-hide beacon may send it twice; the server keeps one
 * per messageId.
 *
 * What the server has to do: accept JSON whatever the Content-Type (beacons are text/plain, to avoid a
 * CORS preflight) with the write key in the body; for cross-origin sites answer the preflight of
 * POST /v1/batch (Content-Type: application/json) with Access-Control-Allow-Origin,
 * Access-Control-Allow-Methods: POST and Access-Control-Allow-Headers: Content-Type; expose
 * Retry-After (Access-Control-Expose-Headers) so 429/503 back-offs can honour it.
 */
(function (window) {
  'use strict';

  // Loaded twice (two snippets, two script tags): the first copy keeps its queue and state.
  if (window.kinship && window.kinship.VERSION) return;

  const VERSION = '1.0.0';
  const AID = 'kinship_aid';
  const UID = 'kinship_uid';
  const CONSENT = 'kinship_consent';
  const QUEUE = 'kinship_queue';
  const YEAR = 365 * 24 * 60 * 60; // seconds
  const CONSENT_EVENT = 'Consent Preference Updated';
  const EMAIL_EVENTS = ['Email Delivered', 'Email Opened', 'Email Link Clicked', 'Email Bounced',
    'Email Marked as Spam', 'Unsubscribed'];
  const BACKOFF_BASE = 1000;
  const BACKOFF_MAX = 60000;
  const METHODS = ['load', 'page', 'track', 'identify', 'alias', 'group', 'reset', 'flush', 'consent.set'];
  const DEFAULTS = {
    host: null, autoPage: true, flushAt: 20, flushInterval: 1000, maxQueueSize: 1000,
    defaultConsent: {}, eventCategories: {}, cookieDomain: null,
    maxMessageBytes: 32 * 1024, maxBatchBytes: 500 * 1024, beaconBytes: 60 * 1024,
  };

  // document.currentScript is only set while this script first runs, so read it now.
  const script = window.document.currentScript;
  let scriptOrigin = null;
  try { if (script && script.src) scriptOrigin = new URL(script.src).origin; } catch (e) { /* no origin */ }
  const snippetQueue = Array.isArray(window.kinship) ? window.kinship : [];

  let settings = null; // set by load()
  let writeKey = null;
  let anonymousId = null;
  let userId = null;
  let queue = []; // unacknowledged messages, oldest first
  let memoryConsent = null; // used when storage is blocked
  let pending = []; // calls made before load()
  let pageCalled = false;
  let flushTimer = null;
  let retryTimer = null;
  let attempts = 0; // consecutive retryable failures
  let chain = Promise.resolve(); // sends run one at a time, in order
  let waiting = null; // the queued send that has not started yet
  let forced = false; // flush() was called for it: it goes even while backing off

  // ---- small helpers ---------------------------------------------------------------------------

  function warn(...args) {
    if (window.console && window.console.warn) window.console.warn('[kinship]', ...args);
  }

  function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  // The server's limits are on UTF-8 bytes, and JSON.stringify counts UTF-16 units.
  function byteLength(text) {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) { n += 4; i++; } // surrogate pair
      else n += 3;
    }
    return n;
  }

  // randomUUID exists only in secure contexts (https, localhost), hence the fallback.
  function uuid() {
    const crypto = window.crypto;
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    const h = Array.from(b, (x) => (x + 0x100).toString(16).slice(1)).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // localStorage throws when cookies are blocked or in some private modes: then we run from memory.
  const storage = {
    get(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } },
    set(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* full or blocked */ } },
    remove(key) { try { window.localStorage.removeItem(key); } catch (e) { /* blocked */ } },
  };

  const cookie = {
    get(name) {
      let all = '';
      try { all = window.document.cookie || ''; } catch (e) { return null; }
      for (const part of all.split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0 && part.slice(0, eq).trim() === name) {
          try { return decodeURIComponent(part.slice(eq + 1).trim()); } catch (e) { return null; }
        }
      }
      return null;
    },
    set(name, value) {
      let text = `${name}=${encodeURIComponent(value)}; path=/; max-age=${YEAR}; SameSite=Lax`;
      if (settings && settings.cookieDomain) text += `; domain=${settings.cookieDomain}`;
      if (window.location.protocol === 'https:') text += '; Secure';
      try { window.document.cookie = text; } catch (e) { /* blocked */ }
    },
  };

  // Either copy is enough to recognise a returning browser; writing both lets one survive the other's loss.
  function recall(name) {
    return cookie.get(name) || storage.get(name);
  }

  function remember(name, value) {
    cookie.set(name, value);
    storage.set(name, value);
  }

  // ---- consent ---------------------------------------------------------------------------------

  function storedConsent() {
    const text = recall(CONSENT);
    if (text) {
      try {
        const parsed = JSON.parse(text);
        if (isObject(parsed)) return parsed;
      } catch (e) { /* unreadable: fall through */ }
    }
    return memoryConsent || {};
  }

  function consentPreferences() {
    const defaults = settings ? settings.defaultConsent : {};
    return Object.assign({}, defaults, storedConsent(), { necessary: true });
  }

  function categoryOf(msg) {
    if (msg.type === 'identify' || msg.type === 'alias' || msg.type === 'group') return 'necessary';
    if (msg.type === 'track') {
      if (msg.event === CONSENT_EVENT) return 'necessary';
      const mapped = settings.eventCategories[msg.event];
      if (mapped) return mapped;
      if (EMAIL_EVENTS.indexOf(msg.event) >= 0) return 'marketing';
    }
    return 'analytics';
  }

  function allowed(msg) {
    return consentPreferences()[categoryOf(msg)] !== false;
  }

  function setConsent(preferences) {
    if (!isObject(preferences)) return warn('consent.set() needs an object of categories');
    const next = Object.assign({}, storedConsent());
    for (const key of Object.keys(preferences)) {
      if (key !== 'necessary') next[key] = preferences[key] === true;
    }
    memoryConsent = next;
    remember(CONSENT, JSON.stringify(next));
    // A withdrawal covers what has not left the browser yet.
    queue = queue.filter(allowed);
    saveQueue();
    enqueue(message('track', { event: CONSENT_EVENT, properties: {} }));
  }

  // ---- messages --------------------------------------------------------------------------------

  function pageInfo() {
    const loc = window.location;
    const doc = window.document;
    return { path: loc.pathname, referrer: doc.referrer, search: loc.search, title: doc.title, url: loc.href };
  }

  function timezone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return undefined; }
  }

  function message(type, fields) {
    const nav = window.navigator;
    const screen = window.screen;
    const msg = {
      type,
      messageId: uuid(),
      anonymousId,
      timestamp: new Date().toISOString(),
      context: {
        library: { name: 'kinship.js', version: VERSION },
        page: pageInfo(),
        userAgent: nav.userAgent,
        locale: nav.language,
        timezone: timezone(),
        screen: screen ? { width: screen.width, height: screen.height } : undefined,
        consent: { categoryPreferences: consentPreferences() },
      },
    };
    if (userId) msg.userId = userId;
    return Object.assign(msg, fields);
  }

  function enqueue(msg) {
    if (!allowed(msg)) return; // refused: not sent, not even queued
    const size = byteLength(JSON.stringify(msg));
    if (size > settings.maxMessageBytes) {
      return warn(`dropped a ${msg.type} message of ${size} bytes (limit ${settings.maxMessageBytes})`);
    }
    queue.push(msg);
    if (queue.length > settings.maxQueueSize) {
      const dropped = queue.splice(0, queue.length - settings.maxQueueSize);
      warn(`queue full: dropped the ${dropped.length} oldest message(s)`);
    }
    saveQueue();
    scheduleFlush();
  }

  function page(category, name, properties) {
    if (isObject(category)) { properties = category; category = name = undefined; }
    else if (isObject(name)) { properties = name; name = category; category = undefined; }
    else if (name == null) { name = category; category = undefined; }
    pageCalled = true;
    const fields = { properties: Object.assign(pageInfo(), properties) };
    if (typeof name === 'string') fields.name = fields.properties.name = name;
    if (typeof category === 'string') fields.category = fields.properties.category = category;
    enqueue(message('page', fields));
  }

  function track(event, properties) {
    if (typeof event !== 'string' || !event) return warn('track() needs an event name');
    enqueue(message('track', { event, properties: Object.assign({}, properties) }));
  }

  function identify(id, traits) {
    if (isObject(id)) { traits = id; id = undefined; }
    if (id != null && id !== '') {
      userId = String(id);
      storage.set(UID, userId);
    }
    enqueue(message('identify', { traits: Object.assign({}, traits) }));
  }

  function alias(id, previousId) {
    if (id == null || id === '') return warn('alias() needs the new user id');
    const previous = previousId != null && previousId !== '' ? String(previousId) : (userId || anonymousId);
    enqueue(message('alias', { userId: String(id), previousId: previous }));
  }

  function group(groupId, traits) {
    if (groupId == null || groupId === '') return warn('group() needs a group id');
    enqueue(message('group', { groupId: String(groupId), traits: Object.assign({}, traits) }));
  }

  // Consent stays: it belongs to the browser's user, not to the account that was signed in.
  function reset() {
    userId = null;
    storage.remove(UID);
    anonymousId = uuid();
    remember(AID, anonymousId);
  }

  // ---- queue and delivery ----------------------------------------------------------------------

  function saveQueue() {
    if (queue.length) storage.set(QUEUE, JSON.stringify(queue));
    else storage.remove(QUEUE);
  }

  function restoreQueue() {
    try {
      const saved = JSON.parse(storage.get(QUEUE) || '[]');
      return Array.isArray(saved) ? saved.filter((m) => isObject(m) && m.messageId && allowed(m)) : [];
    } catch (e) {
      return [];
    }
  }

  function forget(batch) {
    const ids = new Set(batch.map((m) => m.messageId));
    queue = queue.filter((m) => !ids.has(m.messageId));
    saveQueue();
  }

  function endpoint() {
    return `${settings.host}/v1/batch`;
  }

  function body(batch) {
    return JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey });
  }

  // Greedy split so that every request body stays within maxBytes.
  function split(messages, maxBytes) {
    const overhead = byteLength(body([]));
    const batches = [];
    let current = [];
    let size = overhead;
    for (const msg of messages) {
      const n = byteLength(JSON.stringify(msg)) + 1; // and its comma
      if (current.length && size + n > maxBytes) {
        batches.push(current);
        current = [];
        size = overhead;
      }
      current.push(msg);
      size += n;
    }
    if (current.length) batches.push(current);
    return batches;
  }

  function scheduleFlush() {
    if (retryTimer) return; // backing off: the retry sends everything
    if (queue.length >= settings.flushAt) startSend();
    else if (!flushTimer) flushTimer = window.setTimeout(() => { flushTimer = null; startSend(); }, settings.flushInterval);
  }

  // The public flush() sends at once, even while backing off.
  function flush() {
    forced = true;
    return startSend();
  }

  // Calls made before the send starts share it.
  function startSend() {
    if (!settings) return Promise.resolve();
    if (!waiting) {
      waiting = chain = chain.then(() => {
        const force = forced;
        waiting = null;
        forced = false;
        return sendQueue(force);
      });
    }
    return waiting;
  }

  async function sendQueue(force) {
    // A timed send that waited behind a request which then failed keeps to the new back-off.
    if (retryTimer && !force) return;
    window.clearTimeout(flushTimer);
    window.clearTimeout(retryTimer);
    flushTimer = retryTimer = null;
    try {
      for (const batch of split(queue.slice(), settings.maxBatchBytes)) {
        if (!(await sendBatch(batch))) return; // backing off; the rest waits, in order
      }
    } catch (e) {
      warn('send failed', e);
    }
    if (queue.length && !retryTimer) scheduleFlush();
  }

  // Resolves false when the batch must be retried later, true when it is settled (sent or dropped).
  async function sendBatch(batch) {
    let res;
    try {
      res = await window.fetch(endpoint(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: body(batch),
        credentials: 'omit',
      });
    } catch (e) {
      return retryLater(null); // network error, blocked, offline
    }
    const status = res.status;
    if (status === 408 || status === 429 || status >= 500) return retryLater(res.headers.get('Retry-After'));
    attempts = 0;
    if (status === 413 && batch.length > 1) {
      // Our byte count and the server's disagree: halve until each part fits or is alone.
      const half = Math.ceil(batch.length / 2);
      return (await sendBatch(batch.slice(0, half))) && sendBatch(batch.slice(half));
    }
    let reply = null;
    try { reply = await res.json(); } catch (e) { /* no JSON body */ }
    if (status >= 200 && status < 300) {
      const refused = reply && (reply.refused || reply.errors);
      if (Array.isArray(refused) && refused.length) warn(`the server refused ${refused.length} message(s)`, refused);
    } else {
      // 400 means the whole body was refused; 401/403 a bad write key; 413 a message too large.
      // Sending the same bytes again would fail again, so the batch is dropped.
      const error = reply && reply.error ? `${reply.error.code}: ${reply.error.message}` : '';
      warn(`dropped ${batch.length} message(s): HTTP ${status} ${error}`);
    }
    forget(batch);
    return true;
  }

  // Retry-After is seconds or an HTTP date; otherwise exponential back-off with "equal jitter", so that
  // many browsers refused at once do not come back at once.
  function retryLater(retryAfter) {
    attempts++;
    let delay = null;
    if (retryAfter) {
      const seconds = Number(retryAfter);
      delay = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (!Number.isFinite(delay) || delay < 0) delay = null;
    }
    if (delay === null) {
      const ceiling = Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (attempts - 1));
      delay = ceiling / 2 + Math.random() * (ceiling / 2);
    }
    retryTimer = window.setTimeout(() => { retryTimer = null; startSend(); }, delay);
    return false;
  }

  // The page may be discarded after this without any other event, so the queue leaves now, through
  // sendBeacon (survives navigation; text/plain keeps it a "simple" request without preflight).
  function sendOnHide() {
    if (!settings || !queue.length) return;
    const nav = window.navigator;
    for (const batch of split(queue.slice(), settings.beaconBytes)) {
      const payload = body(batch);
      let accepted = false;
      try {
        accepted = typeof nav.sendBeacon === 'function' &&
          nav.sendBeacon(endpoint(), new window.Blob([payload], { type: 'text/plain' }));
      } catch (e) { /* fall back to fetch */ }
      if (accepted) {
        forget(batch);
        continue;
      }
      // Kept queued until answered: if the page dies first, the next page load sends it again.
      try {
        window.fetch(endpoint(), { method: 'POST', body: payload, keepalive: true, credentials: 'omit' })
          .then((res) => { if (res.ok) forget(batch); }, () => {});
      } catch (e) { /* nothing more we can do */ }
    }
  }

  // ---- loading and the public object -----------------------------------------------------------

  function load(key, options) {
    if (settings) return warn('load() was already called');
    if (typeof key !== 'string' || !key) return warn('load() needs a write key');
    const chosen = Object.assign({}, DEFAULTS, options);
    chosen.host = String(chosen.host || scriptOrigin || '').replace(/\/+$/, '');
    if (!chosen.host) return warn('load() needs options.host');
    settings = chosen;
    writeKey = key;
    anonymousId = recall(AID) || uuid();
    remember(AID, anonymousId); // also renews the cookie's year
    userId = storage.get(UID);
    queue = restoreQueue().concat(queue);
    window.document.addEventListener('visibilitychange', () => {
      if (window.document.visibilityState === 'hidden') sendOnHide();
    });
    window.addEventListener('pagehide', sendOnHide);

    const calls = pending;
    pending = [];
    calls.forEach((run) => run());
    // A microtask later, so that a page() replayed from the snippet right after load() counts.
    if (settings.autoPage) Promise.resolve().then(() => { if (!pageCalled) page(); });
    if (queue.length) scheduleFlush();
  }

  // Calls made before load() wait for it, in order.
  function afterLoad(fn) {
    return function (...args) {
      if (!settings) pending.push(() => fn(...args));
      else fn(...args);
    };
  }

  const api = {
    VERSION,
    load,
    page: afterLoad(page),
    track: afterLoad(track),
    identify: afterLoad(identify),
    alias: afterLoad(alias),
    group: afterLoad(group),
    reset: afterLoad(reset),
    flush,
    consent: {
      set: afterLoad(setConsent),
      get: consentPreferences,
    },
    push(call) {
      if (!Array.isArray(call) || METHODS.indexOf(call[0]) < 0) return warn('unknown call', call);
      const [name, ...args] = call;
      return name === 'consent.set' ? api.consent.set(...args) : api[name](...args);
    },
  };

  window.kinship = api;
  snippetQueue.forEach((call) => api.push(call));
})(window);
