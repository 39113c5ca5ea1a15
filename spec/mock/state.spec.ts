import { expect } from 'chai';
import sinon from 'sinon';
import { MockState, seededRandom, type StoredTranscription } from '../../lib/mock/state';
import type { Transcription } from '../../lib/types';

/**
 * What the mock remembers, as a spec reading `server.state` or replaying a seeded run sees it:
 * reproducible ids, the keys it accepts for REST and for realtime sessions (docs/api.md §7:
 * temporary keys are for the WebSocket API only, expire, and may be single-use), and the counts
 * its quotas read.
 */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const job = (status: Transcription['status']): StoredTranscription => ({
  transcription: { status } as Transcription,
  tokens: undefined,
  timers: [],
});

describe('mock/state: ids, keys and counts', () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => clock?.restore());

  it("draws mulberry32's published sequence from a seed, the same on every run", () => {
    const r = seededRandom(1);
    expect([r(), r(), r()]).to.deep.equal([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522,
    ]);
    // Seeds are 32-bit: 2^32 + 1 is seed 1.
    expect(seededRandom(2 ** 32 + 1)()).to.equal(0.6270739405881613);
    const a = seededRandom(7);
    const b = seededRandom(8);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws.every((x) => x >= 0 && x < 1)).to.equal(true);
    expect(new Set(draws).size).to.equal(1000);
    expect(b()).to.not.equal(seededRandom(7)());
  });

  it('mints the same v4 UUIDs for the same seed, and random ones without a seed', () => {
    const seeded = new MockState('k', 42);
    expect([seeded.newId(), seeded.newId()]).to.deep.equal([
      '9972daab-2c86-459f-9d78-3fe1be4e3280',
      'af9c0078-d60d-4708-840f-2fc887062cd7',
    ]);
    const many = new MockState('k', 3);
    for (let i = 0; i < 200; i++) expect(many.newId()).to.match(UUID_V4);
    const free = new MockState('k');
    const ids = [free.newId(), free.newId()];
    for (const id of ids) expect(id).to.match(UUID_V4);
    expect(ids[0]).to.not.equal(ids[1]);
    expect(new MockState('k').newId()).to.not.equal(new MockState('k').newId());
  });

  it('mints temporary keys of 26 base32 letters, reproducibly for a seed', () => {
    const state = new MockState('k', 42);
    const key = state.addTemporaryKey(Date.now() + 60_000, false);
    expect(key).to.equal('temp:TO3VFQIT3PH4XJGQVTAP2BSBIB');
    for (let i = 0; i < 50; i++)
      expect(state.addTemporaryKey(0, false)).to.match(/^temp:[A-Z2-7]{26}$/);
  });

  it('accepts its API key for REST and sessions, and no key, an empty one or another', () => {
    const state = new MockState('sk-main');
    for (const purpose of ['rest', 'websocket'] as const) {
      expect(state.acceptsKey('sk-main', purpose), purpose).to.equal(true);
      expect(state.acceptsKey(undefined, purpose), purpose).to.equal(false);
      expect(state.acceptsKey('', purpose), purpose).to.equal(false);
      expect(state.acceptsKey('sk-other', purpose), purpose).to.equal(false);
    }
    expect(new MockState('').acceptsKey('', 'rest')).to.equal(false);
  });

  it('accepts a temporary key for sessions only, until the moment it expires', () => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
    const state = new MockState('sk-main');
    const key = state.addTemporaryKey(1_000_000 + 60_000, false);
    expect(state.acceptsKey(key, 'rest')).to.equal(false);
    expect(state.acceptsKey(key, 'websocket')).to.equal(true);
    state.useKey(key);
    expect(state.acceptsKey(key, 'websocket'), 'a reusable key after a use').to.equal(true);
    clock.tick(59_999);
    expect(state.acceptsKey(key, 'websocket')).to.equal(true);
    clock.tick(1);
    expect(state.acceptsKey(key, 'websocket'), 'at its expiry').to.equal(false);
  });

  it('accepts a single-use temporary key once', () => {
    const state = new MockState('sk-main');
    const key = state.addTemporaryKey(Date.now() + 60_000, true);
    expect(state.acceptsKey(key, 'websocket')).to.equal(true);
    state.useKey(key);
    expect(state.acceptsKey(key, 'websocket')).to.equal(false);
    state.useKey('temp:unknown');
  });

  it("attributes a temporary key's sessions to its own reference, others to the one sent", () => {
    const state = new MockState('sk-main');
    const named = state.addTemporaryKey(Date.now() + 60_000, false, 30_000, 'order-9');
    const plain = state.addTemporaryKey(Date.now() + 60_000, false);
    expect(state.sessionReference(named, 'sent')).to.equal('order-9');
    expect(state.sessionReference(plain, 'sent')).to.equal(null);
    expect(state.sessionReference('sk-main', 'sent')).to.equal('sent');
    expect(state.sessionReference('sk-main', undefined)).to.equal(null);
    expect(state.sessionReference(undefined, 'sent')).to.equal('sent');
    expect(state.keySessionMs(named)).to.equal(30_000);
    expect(state.keySessionMs(plain)).to.equal(undefined);
    expect(state.keySessionMs('sk-main')).to.equal(undefined);
  });

  it('counts hits per route, stored bytes, pending jobs and the realtime models', () => {
    const state = new MockState('k');
    state.hit('GET /v1/files');
    state.hit('GET /v1/files');
    state.hit('POST /v1/files');
    expect(state.hits).to.deep.equal({ 'GET /v1/files': 2, 'POST /v1/files': 1 });
    expect(state.storedBytes()).to.equal(0);
    for (const [id, size] of [
      ['a', 10],
      ['b', 32],
    ] as const)
      state.files.set(id, { size } as never);
    expect(state.storedBytes()).to.equal(42);
    expect(state.pendingTranscriptions()).to.equal(0);
    for (const status of ['queued', 'processing', 'completed', 'error', 'completed'] as const)
      state.transcriptions.set(`${status}-${state.transcriptions.size}`, job(status));
    expect(state.pendingTranscriptions()).to.equal(2);
    expect(state.realtimeModels()).to.deep.equal(['stt-rt-v5', 'stt-rt-v4']);
  });

  it('cancels every pending timer of every job on close', () => {
    clock = sinon.useFakeTimers();
    const state = new MockState('k');
    let fired = 0;
    for (const id of ['a', 'b']) {
      const j = job('queued');
      j.timers.push(
        setTimeout(() => fired++, 10),
        setTimeout(() => fired++, 20),
      );
      state.transcriptions.set(id, j);
    }
    state.clearTimers();
    clock.tick(100);
    expect(fired).to.equal(0);
  });
});
