/**
 * `client.webhooks.url(base, query)` (and `webhookUrl`): a webhook URL carrying your own query
 * parameters (docs/api.md §10: "put your own query params in webhook_url; they are preserved"),
 * checked against the create parameter's documented limits before any request, and accepted by
 * a create over the wire.
 */
import { expect } from 'chai';
import { SonioxValidationError } from '../../lib/errors';
import { webhookUrl } from '../../lib';
import { fixture } from '../helpers';

describe('webhook URL with query parameters', () => {
  const t = fixture();

  it('appends the parameters, encoded, after those the URL already has', () => {
    expect(
      t.client.webhooks.url('https://hooks.example.com/soniox?tenant=7', {
        order: 42,
        note: 'a b&c=d',
        urgent: true,
      }),
    ).to.equal('https://hooks.example.com/soniox?tenant=7&order=42&note=a+b%26c%3Dd&urgent=true');
  });

  it('leaves out parameters whose value is undefined, and takes URLSearchParams', () => {
    expect(webhookUrl('http://127.0.0.1:8080/hook', { a: '1', b: undefined })).to.equal(
      'http://127.0.0.1:8080/hook?a=1',
    );
    expect(webhookUrl('http://127.0.0.1:8080/hook', new URLSearchParams([['x', 'y']]))).to.equal(
      'http://127.0.0.1:8080/hook?x=y',
    );
  });

  for (const [what, base, query, message] of [
    [
      'a URL that is not http(s)',
      'ftp://hooks.example.com/x',
      {},
      /webhook_url: must be an http\(s\) URL/,
    ],
    [
      'a string that is not a URL',
      'hooks.example.com/x',
      {},
      /webhook_url: must be an http\(s\) URL/,
    ],
    [
      'a URL past the API limit of 256 characters',
      'https://hooks.example.com/x',
      { pad: 'p'.repeat(300) },
      /webhook_url: 3\d\d characters, the API takes at most 256/,
    ],
    [
      'a value that is an object',
      'https://hooks.example.com/x',
      { a: { b: 1 } },
      /query\.a: must be a string, number or boolean/,
    ],
  ] as const) {
    it(`refuses ${what}, naming it`, () => {
      expect(() => webhookUrl(base, query as never)).to.throw(SonioxValidationError, message);
    });
  }

  it('gives a URL that a create takes as webhook_url', async () => {
    const webhook_url = t.client.webhooks.url('https://hooks.example.com/soniox', { order: 42 });
    const created = await t.client.transcriptions.create({
      audio_url: 'https://example.com/a.wav',
      webhook_url,
    });
    expect(created.webhook_url).to.equal('https://hooks.example.com/soniox?order=42');
  });
});
