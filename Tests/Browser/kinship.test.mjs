// kinship.js in a fake browser (FakeBrowser.mjs). Run with: node --test Tests/Browser/
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeBrowser, settle, CookieJar, MemoryStorage } from './FakeBrowser.mjs';

const HOST = 'https://collect.example.com';
const KEY = 'wk_test';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const YEAR_SECONDS = String(365 * 24 * 60 * 60);
// Objects made inside the vm context have that realm's prototypes, which deepStrictEqual would compare.
const plain = (value) => JSON.parse(JSON.stringify(value));
const bytes = (value) => Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

/** A tab that ran the loader snippet (plus `calls`, page code) and then received the script. */
async function loaded(browser = {}, options = {}, calls = '') {
  const b = makeBrowser(browser);
  b.run(`window.kinship = window.kinship || [];
         kinship.push(['load', '${KEY}', ${JSON.stringify({ host: HOST, autoPage: false, ...options })}]);
         ${calls}`);
  b.loadScript();
  await settle();
  return b;
}

const events = (messages) => messages.map((m) => (m.type === 'track' ? m.event : m.type));
const storedQueue = (storage) => JSON.parse(storage.getItem('kinship_queue') ?? '[]');

describe('loading', () => {
  it('replays the calls queued before the script loaded, in order, and keeps push working', async () => {
    const b = makeBrowser();
    b.run(`window.kinship = window.kinship || [];
           kinship.push(['track', 'Before Load']);
           kinship.push(['load', '${KEY}', {host: '${HOST}'}]);
           kinship.push(['identify', 'u-1', {plan: 'pro'}]);
           kinship.push(['track', 'After Identify', {step: 2}]);
           kinship.push(['page', 'Docs', 'Setup']);`);
    b.loadScript();
    await settle();
    assert.equal(Array.isArray(b.kinship), false);
    assert.equal(typeof b.kinship.VERSION, 'string');
    await b.kinship.flush();
    const sent = b.sent();
    assert.deepEqual(events(sent), ['Before Load', 'identify', 'After Identify', 'page']);
    assert.equal(sent[0].userId, undefined);
    assert.deepEqual(sent.slice(1).map((m) => m.userId), ['u-1', 'u-1', 'u-1']);
    assert.deepEqual(sent[2].properties, { step: 2 });
    assert.equal(sent[3].category, 'Docs');
    assert.equal(sent[3].name, 'Setup');

    b.run(`kinship.push(['track', 'Late']);`);
    await b.kinship.flush();
    assert.deepEqual(events(b.sent()).slice(4), ['Late']);
  });

  it('sends one page() after load by default', async () => {
    const b = await loaded({}, { autoPage: true });
    await b.kinship.flush();
    assert.deepEqual(events(b.sent()), ['page']);
    assert.equal(b.sent()[0].properties.path, '/products/lamp');
  });

  it('sends no automatic page() when the snippet queued one', async () => {
    const b = await loaded({}, { autoPage: true }, `kinship.push(['page', 'Home']);`);
    await b.kinship.flush();
    assert.deepEqual(events(b.sent()), ['page']);
    assert.equal(b.sent()[0].name, 'Home');
  });

  it('sends no page() when autoPage is false', async () => {
    const b = await loaded({}, { autoPage: false }, `kinship.push(['track', 'Only']);`);
    await b.kinship.flush();
    assert.deepEqual(events(b.sent()), ['Only']);
  });

  it('holds direct calls made before load() and defaults the host to the script origin', async () => {
    const b = makeBrowser({ scriptSrc: 'https://cdp.example.net:8443/kinship.js' });
    b.loadScript();
    b.kinship.track('Early');
    await settle();
    assert.equal(b.requests.length, 0);
    b.kinship.load(KEY, { autoPage: false });
    await b.kinship.flush();
    assert.equal(b.requests[0].url, 'https://cdp.example.net:8443/v1/batch');
    assert.deepEqual(events(b.sent()), ['Early']);
  });

  it('defines no global besides kinship', async () => {
    const b = makeBrowser();
    const before = new Set(Object.getOwnPropertyNames(b.context));
    b.loadScript();
    const added = Object.getOwnPropertyNames(b.context).filter((name) => !before.has(name));
    assert.deepEqual(added, ['kinship']);
  });

  it('keeps the first copy when the script is included twice', async () => {
    const b = await loaded();
    const first = b.kinship;
    b.loadScript();
    assert.equal(b.kinship, first);
  });
});

describe('identity', () => {
  it('keeps the anonymous id in a cookie and localStorage, and either one alone is enough', async () => {
    const jar = new CookieJar();
    const storage = new MemoryStorage();
    const first = await loaded({ jar, storage }, {}, `kinship.push(['track', 'One']);`);
    await first.kinship.flush();
    const aid = first.sent()[0].anonymousId;
    assert.match(aid, UUID_V4);
    assert.equal(jar.value('kinship_aid'), aid);
    assert.deepEqual(jar.cookies.get('kinship_aid').attributes,
      { path: '/', 'max-age': YEAR_SECONDS, samesite: 'Lax', secure: true });
    assert.equal(storage.getItem('kinship_aid'), aid);

    const reload = await loaded({ jar, storage }, {}, `kinship.push(['track', 'Two']);`);
    await reload.kinship.flush();
    assert.equal(reload.sent()[0].anonymousId, aid);

    const cookieOnly = await loaded({ jar }, {}, `kinship.push(['track', 'Three']);`);
    await cookieOnly.kinship.flush();
    assert.equal(cookieOnly.sent()[0].anonymousId, aid);

    const storageOnly = await loaded({ storage }, {}, `kinship.push(['track', 'Four']);`);
    await storageOnly.kinship.flush();
    assert.equal(storageOnly.sent()[0].anonymousId, aid);
    assert.equal(storageOnly.jar.value('kinship_aid'), aid, 'the lost cookie is written again');

    const stranger = await loaded({}, {}, `kinship.push(['track', 'Five']);`);
    await stranger.kinship.flush();
    assert.notEqual(stranger.sent()[0].anonymousId, aid);
  });

  it('does not mark the cookie Secure on plain http', async () => {
    const b = await loaded({ href: 'http://localhost:3000/' });
    assert.equal(b.jar.cookies.get('kinship_aid').attributes.secure, undefined);
  });

  it('makes v4 ids from getRandomValues where randomUUID is missing', async () => {
    const crypto = { getRandomValues: (array) => globalThis.crypto.getRandomValues(array) };
    const b = await loaded({ crypto }, {}, `kinship.push(['track', 'A']); kinship.push(['track', 'B']);`);
    await b.kinship.flush();
    const [a, c] = b.sent();
    for (const id of [a.messageId, c.messageId, a.anonymousId]) assert.match(id, UUID_V4);
    assert.notEqual(a.messageId, c.messageId);
  });

  it('remembers the user id across loads', async () => {
    const storage = new MemoryStorage();
    const first = await loaded({ storage }, {}, `kinship.push(['identify', 'u-42']);`);
    await first.kinship.flush();
    assert.equal(storage.getItem('kinship_uid'), 'u-42');
    const second = await loaded({ storage }, {}, `kinship.push(['track', 'Back Again']);`);
    await second.kinship.flush();
    assert.equal(second.sent()[0].userId, 'u-42');
  });

  it('reset() forgets the user and starts a new anonymous id', async () => {
    const b = await loaded({}, {}, `kinship.push(['identify', 'u-1']);`);
    await b.kinship.flush();
    const before = b.sent()[0];
    b.kinship.reset();
    b.kinship.track('After Reset');
    await b.kinship.flush();
    const after = b.sent()[1];
    assert.equal(before.userId, 'u-1');
    assert.equal(after.userId, undefined);
    assert.match(after.anonymousId, UUID_V4);
    assert.notEqual(after.anonymousId, before.anonymousId);
    assert.equal(b.storage.getItem('kinship_uid'), null);
    assert.equal(b.jar.value('kinship_aid'), after.anonymousId);
    assert.equal(b.storage.getItem('kinship_aid'), after.anonymousId);
  });
});

describe('messages', () => {
  it('posts a Segment batch with the write key in the body', async () => {
    const started = Date.now();
    const b = await loaded({}, {}, `kinship.push(['track', 'Ping']);`);
    await b.kinship.flush();
    assert.equal(b.requests.length, 1);
    const { url, init, payload } = b.requests[0];
    assert.equal(url, `${HOST}/v1/batch`);
    assert.equal(init.method, 'POST');
    assert.equal(init.credentials, 'omit');
    assert.deepEqual(plain(init.headers), { 'Content-Type': 'application/json' });
    assert.deepEqual(Object.keys(payload).sort(), ['batch', 'sentAt', 'writeKey']);
    assert.equal(payload.writeKey, KEY);
    const sentAt = Date.parse(payload.sentAt);
    assert.ok(sentAt >= started && sentAt <= Date.now());
    assert.equal(new Date(sentAt).toISOString(), payload.sentAt);
  });

  it('gives page() the page, the context and the consent', async () => {
    const started = Date.now();
    const b = await loaded({}, {}, `kinship.push(['page', 'Shop', 'Lamp', {sku: 'L-1'}]);`);
    await b.kinship.flush();
    const [msg] = b.sent();
    const page = {
      path: '/products/lamp', referrer: 'https://search.example.org/?q=lamp', search: '?color=red',
      title: 'Lamp', url: 'https://shop.example.com/products/lamp?color=red',
    };
    assert.equal(msg.type, 'page');
    assert.match(msg.messageId, UUID_V4);
    assert.match(msg.anonymousId, UUID_V4);
    assert.ok(Date.parse(msg.timestamp) >= started && Date.parse(msg.timestamp) <= Date.now());
    assert.equal(msg.name, 'Lamp');
    assert.equal(msg.category, 'Shop');
    assert.deepEqual(msg.properties, { ...page, name: 'Lamp', category: 'Shop', sku: 'L-1' });
    assert.deepEqual(msg.context, {
      library: { name: 'kinship.js', version: b.kinship.VERSION },
      page,
      userAgent: 'FakeBrowser/1.0 (node:vm)',
      locale: 'en-GB',
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: { width: 1440, height: 900 },
      consent: { categoryPreferences: { necessary: true } },
    });
  });

  it('reads a single page() string as the name', async () => {
    const b = await loaded({}, {}, `kinship.push(['page', 'Home', {a: 1}]); kinship.push(['page', {b: 2}]);`);
    await b.kinship.flush();
    const [named, bare] = b.sent();
    assert.equal(named.name, 'Home');
    assert.equal(named.category, undefined);
    assert.equal(named.properties.a, 1);
    assert.equal(bare.name, undefined);
    assert.equal(bare.properties.b, 2);
  });

  it('shapes track, identify, alias and group like the Segment spec', async () => {
    const b = await loaded();
    const k = b.kinship;
    k.alias('early-user');
    k.track('Order Completed', { total: 25, currency: 'EUR' });
    k.identify({ email: 'ann@example.com' });
    k.identify('u-7', { plan: 'pro' });
    k.alias('u-8');
    k.alias('u-9', 'legacy-3');
    k.group('g-1', { name: 'Acme' });
    k.track('');
    await k.flush();
    const [earlyAlias, track, anonymousIdentify, identify, alias, explicitAlias, group] = b.sent();
    const aid = track.anonymousId;
    assert.equal(b.sent().length, 7, 'track("") is refused');
    assert.ok(b.warnings.some((w) => w.includes('track() needs an event name')));

    assert.deepEqual([earlyAlias.type, earlyAlias.userId, earlyAlias.previousId], ['alias', 'early-user', aid]);
    assert.deepEqual([track.type, track.event, track.properties], ['track', 'Order Completed', { total: 25, currency: 'EUR' }]);
    assert.equal(track.userId, undefined);
    assert.deepEqual([anonymousIdentify.type, anonymousIdentify.userId, anonymousIdentify.traits],
      ['identify', undefined, { email: 'ann@example.com' }]);
    assert.deepEqual([identify.userId, identify.traits, identify.anonymousId], ['u-7', { plan: 'pro' }, aid]);
    assert.deepEqual([alias.type, alias.userId, alias.previousId], ['alias', 'u-8', 'u-7']);
    assert.deepEqual([explicitAlias.userId, explicitAlias.previousId], ['u-9', 'legacy-3']);
    assert.deepEqual([group.type, group.groupId, group.traits, group.userId], ['group', 'g-1', { name: 'Acme' }, 'u-7']);
    const ids = b.sent().map((m) => m.messageId);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('consent', () => {
  const REFUSE_ANALYTICS = { analytics: false, marketing: true };

  it('sends nothing for a refused category, still sends necessary ones, and records the change', async () => {
    const b = await loaded({}, {}, `kinship.push(['track', 'Queued Before Refusal']);`);
    b.kinship.consent.set(REFUSE_ANALYTICS);
    b.kinship.page();
    b.kinship.track('Product Viewed');
    b.kinship.identify('u-1', { plan: 'pro' });
    b.kinship.group('g-1');
    b.kinship.track('Email Opened', { campaign: 'spring' });
    await b.kinship.flush();

    const preferences = { necessary: true, analytics: false, marketing: true };
    assert.deepEqual(events(b.sent()), ['Consent Preference Updated', 'identify', 'group', 'Email Opened']);
    for (const msg of b.sent()) assert.deepEqual(msg.context.consent.categoryPreferences, preferences);
    assert.deepEqual(plain(b.kinship.consent.get()), preferences);
    assert.deepEqual(JSON.parse(b.storage.getItem('kinship_consent')), REFUSE_ANALYTICS);
    assert.deepEqual(JSON.parse(b.jar.value('kinship_consent')), REFUSE_ANALYTICS);
  });

  it('remembers the preferences on the next page', async () => {
    const jar = new CookieJar();
    const first = await loaded({ jar }, {}, `kinship.push(['consent.set', ${JSON.stringify(REFUSE_ANALYTICS)}]);`);
    await first.kinship.flush();
    const next = await loaded({ jar }, { autoPage: true }, `kinship.push(['track', 'Product Viewed']);
      kinship.push(['track', 'Email Link Clicked']);`);
    await next.kinship.flush();
    assert.deepEqual(events(next.sent()), ['Email Link Clicked']);
  });

  it('applies defaultConsent until the person chooses', async () => {
    const b = await loaded({}, { defaultConsent: { marketing: false } }, `
      kinship.push(['track', 'Unsubscribed']);
      kinship.push(['track', 'Product Viewed']);`);
    b.kinship.consent.set({ marketing: true });
    b.kinship.track('Email Delivered');
    await b.kinship.flush();
    const sent = b.sent();
    assert.deepEqual(events(sent), ['Product Viewed', 'Consent Preference Updated', 'Email Delivered']);
    assert.deepEqual(sent[0].context.consent.categoryPreferences, { marketing: false, necessary: true });
    assert.deepEqual(sent[2].context.consent.categoryPreferences, { marketing: true, necessary: true });
  });

  it('maps events to custom categories, keeps necessary on, and grants only with true', async () => {
    const b = await loaded({}, { eventCategories: { 'Chat Opened': 'support' } });
    b.kinship.consent.set({ support: false, necessary: false, analytics: 'yes' });
    b.kinship.track('Chat Opened');
    b.kinship.track('Product Viewed');
    b.kinship.identify('u-1');
    await b.kinship.flush();
    assert.deepEqual(events(b.sent()), ['Consent Preference Updated', 'identify']);
    assert.deepEqual(plain(b.kinship.consent.get()), { support: false, analytics: false, necessary: true });
  });
});

describe('batching', () => {
  it('sends as soon as flushAt messages are queued', async () => {
    const b = await loaded({}, { flushAt: 3, flushInterval: 60000 });
    b.kinship.track('One');
    b.kinship.track('Two');
    await settle();
    assert.equal(b.requests.length, 0);
    b.kinship.track('Three');
    await settle();
    assert.equal(b.requests.length, 1);
    assert.deepEqual(events(b.sent()), ['One', 'Two', 'Three']);
  });

  it('sends after flushInterval otherwise', async () => {
    const b = await loaded({}, { flushAt: 100, flushInterval: 1000 });
    b.kinship.track('Lonely');
    await b.clock.advance(999);
    assert.equal(b.requests.length, 0);
    await b.clock.advance(1);
    assert.equal(b.requests.length, 1);
    assert.deepEqual(events(b.sent()), ['Lonely']);
    await b.clock.advance(10000);
    assert.equal(b.requests.length, 1, 'an empty queue sends nothing');
  });

  it('splits the queue into requests of at most 500 KiB, in order', async () => {
    const b = await loaded({}, { flushAt: 1000, flushInterval: 60000 });
    // 28,000 bytes of text in 14,000 characters: sizes must be counted in UTF-8.
    for (let i = 0; i < 40; i++) b.kinship.track(`Big ${i}`, { text: 'é'.repeat(14000) });
    await b.kinship.flush();
    assert.ok(b.requests.length >= 3, `${b.requests.length} requests`);
    for (const request of b.requests) assert.ok(bytes(request.init.body) <= 500 * 1024);
    assert.deepEqual(events(b.sent()), Array.from({ length: 40 }, (_, i) => `Big ${i}`));
    assert.equal(b.warnings.length, 0);
  });

  it('drops a message over 32 KiB with a warning and sends the rest', async () => {
    const b = await loaded({}, { flushAt: 1000, flushInterval: 60000 });
    b.kinship.track('Too Big', { text: 'é'.repeat(17000) }); // 17,000 characters, 34,000 bytes
    b.kinship.track('Fits', { text: 'a'.repeat(30000) });
    await b.kinship.flush();
    assert.deepEqual(events(b.sent()), ['Fits']);
    assert.ok(bytes(b.sent()[0]) <= 32 * 1024);
    assert.equal(b.warnings.length, 1);
    assert.match(b.warnings[0], /dropped a track message of \d+ bytes/);
  });

  it('keeps at most maxQueueSize messages, dropping the oldest', async () => {
    const b = await loaded({}, { flushAt: 1000, flushInterval: 60000, maxQueueSize: 5 });
    for (let i = 0; i < 8; i++) b.kinship.track(`E${i}`);
    await b.kinship.flush();
    assert.deepEqual(events(b.sent()), ['E3', 'E4', 'E5', 'E6', 'E7']);
    assert.ok(b.warnings.some((w) => w.includes('queue full')));
  });
});

describe('retries', () => {
  /** Answers in turn; 'network' plays a failed connection; the last answer repeats. */
  const answers = (...list) => (_request, index) => {
    const answer = list[Math.min(index, list.length - 1)];
    if (answer === 'network') throw new TypeError('Failed to fetch');
    return answer;
  };
  const OK = { status: 200, body: { success: true } };

  for (const status of [503, 429]) {
    it(`retries a ${status} after Retry-After seconds with the same messages`, async () => {
      const respond = answers({ status, headers: { 'Retry-After': '7' }, body: { error: { code: 'busy', message: 'later' } } }, OK);
      const b = await loaded({ respond }, { flushInterval: 60000 });
      b.kinship.track('Retried');
      await b.kinship.flush();
      assert.equal(b.requests.length, 1);
      assert.deepEqual(b.clock.pending(), [7000]);
      await b.clock.advance(6999);
      assert.equal(b.requests.length, 1);
      await b.clock.advance(1);
      assert.equal(b.requests.length, 2);
      assert.deepEqual(b.requests[1].payload.batch.map((m) => m.messageId), b.requests[0].payload.batch.map((m) => m.messageId));
      assert.equal(b.storage.getItem('kinship_queue'), null);
      await b.clock.advance(120000);
      assert.equal(b.requests.length, 2);
    });
  }

  it('backs off exponentially with jitter on network errors, up to 60 s', async () => {
    const b = await loaded({ respond: answers('network') }, { flushInterval: 60000 });
    b.kinship.track('Offline');
    await b.kinship.flush();
    const delays = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      const [delay] = b.clock.pending();
      delays.push(delay);
      const ceiling = Math.min(60000, 1000 * 2 ** (attempt - 1));
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay} ms`);
      await b.clock.advance(delay);
      assert.equal(b.requests.length, attempt + 1);
    }
    assert.ok(delays.at(-1) >= 30000);
    assert.deepEqual(storedQueue(b.storage).map((m) => m.event), ['Offline']);
  });

  it('sends what was queued during a back-off only when the back-off ends', async () => {
    const respond = answers({ status: 503, headers: { 'Retry-After': '10' } }, OK);
    const b = await loaded({ respond }, { flushAt: 2, flushInterval: 1000 });
    b.kinship.track('First');
    b.kinship.track('Second');
    await settle();
    assert.equal(b.requests.length, 1);
    for (let i = 0; i < 5; i++) b.kinship.track(`During ${i}`);
    await b.clock.advance(9999);
    assert.equal(b.requests.length, 1);
    await b.clock.advance(1);
    assert.equal(b.requests.length, 2);
    assert.deepEqual(events(b.requests[1].payload.batch), ['First', 'Second', 'During 0', 'During 1', 'During 2', 'During 3', 'During 4']);
  });

  it('keeps to the back-off when a timed send was waiting behind the failing one', async () => {
    let answer;
    const respond = answers(new Promise((resolve) => { answer = resolve; }), OK);
    const b = await loaded({ respond }, { flushAt: 100, flushInterval: 1000 });
    b.kinship.track('In Flight');
    const inFlight = b.kinship.flush();
    await settle();
    b.kinship.track('Waiting');
    await b.clock.advance(1000); // the interval fires while the first request is still open
    answer({ status: 503, headers: { 'Retry-After': '30' } });
    await inFlight;
    await b.clock.advance(29999);
    assert.equal(b.requests.length, 1);
    await b.clock.advance(1);
    assert.equal(b.requests.length, 2);
    assert.deepEqual(events(b.requests[1].payload.batch), ['In Flight', 'Waiting']);
  });

  it('lets an explicit flush() through a back-off', async () => {
    const respond = answers({ status: 503, headers: { 'Retry-After': '60' } }, OK);
    const b = await loaded({ respond }, { flushInterval: 1000 });
    b.kinship.track('Urgent');
    await b.kinship.flush();
    await b.kinship.flush();
    assert.equal(b.requests.length, 2);
    assert.deepEqual(b.clock.pending(), [], 'the retry is no longer needed');
    assert.equal(b.storage.getItem('kinship_queue'), null);
  });

  for (const status of [400, 401, 403]) {
    it(`drops the batch on ${status} with a warning, without retrying`, async () => {
      const respond = answers({ status, body: { error: { code: 'invalid_batch', message: 'bad' } } });
      const b = await loaded({ respond }, { flushInterval: 1000 });
      b.kinship.track('Doomed');
      await b.kinship.flush();
      await b.clock.advance(120000);
      assert.equal(b.requests.length, 1);
      assert.equal(b.storage.getItem('kinship_queue'), null);
      assert.equal(b.warnings.length, 1);
      assert.ok(b.warnings[0].includes(`HTTP ${status} invalid_batch: bad`), b.warnings[0]);
    });
  }

  it('halves a batch the server finds too large', async () => {
    const respond = answers({ status: 413, body: { error: { code: 'batch_too_large', message: 'big' } } }, OK);
    const b = await loaded({ respond }, { flushAt: 100 });
    for (let i = 0; i < 4; i++) b.kinship.track(`E${i}`);
    await b.kinship.flush();
    assert.deepEqual(b.requests.map((r) => events(r.payload.batch)), [['E0', 'E1', 'E2', 'E3'], ['E0', 'E1'], ['E2', 'E3']]);
    assert.equal(b.storage.getItem('kinship_queue'), null);
  });

  it('does not retry the entries of a partly refused batch', async () => {
    const respond = answers({ status: 200, body: { success: true, refused: [{ index: 1, code: 'missing_identifier', message: 'no id' }] } });
    const b = await loaded({ respond }, { flushInterval: 1000 });
    b.kinship.track('Good');
    b.kinship.track('Refused');
    await b.kinship.flush();
    await b.clock.advance(120000);
    assert.equal(b.requests.length, 1);
    assert.equal(b.storage.getItem('kinship_queue'), null);
    assert.ok(b.warnings.some((w) => w.includes('refused 1 message')));
  });
});

describe('persistence and page hide', () => {
  it('keeps unsent messages in localStorage and sends them after a reload', async () => {
    const storage = new MemoryStorage();
    const respond = () => ({ status: 503 });
    const first = await loaded({ storage, respond }, { flushInterval: 60000 });
    first.kinship.track('Unsent');
    first.kinship.track('Failed');
    await first.kinship.flush(); // 503: both stay queued
    const ids = storedQueue(storage).map((m) => m.messageId);
    assert.equal(ids.length, 2);

    const second = await loaded({ storage }, { flushInterval: 60000 });
    second.kinship.track('New');
    await second.kinship.flush();
    assert.deepEqual(events(second.sent()), ['Unsent', 'Failed', 'New']);
    assert.deepEqual(second.sent().slice(0, 2).map((m) => m.messageId), ids);
    assert.equal(storage.getItem('kinship_queue'), null);
  });

  it('sends the queue with sendBeacon as text/plain on pagehide', async () => {
    const b = await loaded({}, { flushInterval: 60000 });
    b.kinship.track('Clicked Link');
    b.kinship.track('Left');
    const queued = storedQueue(b.storage);
    b.pageHide();
    assert.equal(b.beacons.length, 1);
    const { url, data } = b.beacons[0];
    assert.equal(url, `${HOST}/v1/batch`);
    assert.equal(data.type, 'text/plain');
    const payload = JSON.parse(await data.text());
    assert.equal(payload.writeKey, KEY);
    assert.ok(Date.parse(payload.sentAt));
    assert.deepEqual(payload.batch, queued);
    assert.deepEqual(events(payload.batch), ['Clicked Link', 'Left']);
    assert.equal(b.storage.getItem('kinship_queue'), null);
    assert.equal(b.requests.length, 0);

    b.pageHide();
    await b.clock.advance(120000);
    assert.equal(b.beacons.length, 1, 'nothing left to send');
    assert.equal(b.requests.length, 0);
  });

  it('sends on visibilitychange to hidden, not to visible', async () => {
    const b = await loaded({}, { flushInterval: 60000 });
    b.kinship.track('Tab Switch');
    b.setVisibility('visible');
    assert.equal(b.beacons.length, 0);
    b.setVisibility('hidden');
    assert.equal(b.beacons.length, 1);
    assert.deepEqual(events(JSON.parse(await b.beacons[0].data.text()).batch), ['Tab Switch']);
  });

  it('splits beacons to stay under the browser keepalive quota', async () => {
    const b = await loaded({}, { flushAt: 1000, flushInterval: 60000 });
    for (let i = 0; i < 6; i++) b.kinship.track(`Big ${i}`, { text: 'x'.repeat(20000) });
    b.pageHide();
    assert.ok(b.beacons.length >= 2);
    const sent = [];
    for (const { data } of b.beacons) {
      assert.ok(data.size <= 64 * 1024);
      sent.push(...JSON.parse(await data.text()).batch);
    }
    assert.deepEqual(events(sent), Array.from({ length: 6 }, (_, i) => `Big ${i}`));
  });

  for (const [name, beacon] of [['refuses', () => false], ['is missing', null]]) {
    it(`falls back to fetch with keepalive when sendBeacon ${name}`, async () => {
      const b = await loaded({ beacon }, { flushInterval: 60000 });
      b.kinship.track('Leaving');
      b.pageHide();
      assert.equal(b.requests.length, 1);
      const { init, payload } = b.requests[0];
      assert.equal(init.keepalive, true);
      assert.equal(init.headers, undefined, 'a string body goes as text/plain: no preflight');
      assert.deepEqual(events(payload.batch), ['Leaving']);
      await settle();
      assert.equal(b.storage.getItem('kinship_queue'), null, 'forgotten once answered');
    });
  }
});
