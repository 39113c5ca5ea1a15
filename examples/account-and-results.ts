/**
 * README "Results, usage and observability": what `transcribe()` resolves to, the client's
 * `headers`, a `logger`, a call's own `onResponse`, webhook-or-poll with `webhooks.url()`,
 * `sentences()` / `paragraphs()`, then the account's usage logs and concurrency limits.
 * Reads SONIOX_API_KEY and friends from the environment (the mock's export lines, or the real
 * API). The webhook receiver listens on loopback, where the mock delivers; against the real
 * API, set WEBHOOK_URL to a public address forwarding to it (a tunnel to WEBHOOK_PORT), or the
 * example asks for no webhook.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { paragraphs, sentences, SonioxClient, type Logger } from '../lib';

/** Milliseconds as seconds with two decimals, for stable lines. */
const s = (ms: number | undefined): string => ((ms ?? 0) / 1000).toFixed(2);

async function main(): Promise<void> {
  const file = process.argv[2] ?? 'fixtures/audio/conversation-two.wav';
  const reference = `example-${randomUUID()}`; // attributes this run's usage records
  const window = { start_time: new Date(Date.now() - 60_000), end_time: new Date() };

  // The library logs nothing unless asked; here every line is kept, to check them at the end.
  const lines: string[] = [];
  const keep = (line: string) => void lines.push(line);
  const logger: Logger = { debug: keep, info: keep, warn: keep, error: keep };
  // `headers` go on every request (a corporate gateway's, say); never over Authorization.
  const client = new SonioxClient({ headers: { 'X-Team': 'reports' }, logger, logLevel: 'debug' });

  // A webhook receiver; `wait` ends on its verified delivery or on the poll, whichever is first.
  const auth = { name: 'X-Webhook-Secret', secret: randomUUID() };
  let delivered: (query: string) => void = () => undefined;
  const delivery = new Promise<string>((resolve) => (delivered = resolve));
  let query = '';
  const hook = client.webhooks.handler({
    auth,
    onEvent: (event) => delivered(`${event.status}, ${query}`),
  });
  const receiver = http.createServer((req, res) => {
    query = new URL(req.url ?? '/', 'http://receiver').searchParams.toString();
    void hook(req, res);
  });
  await new Promise<void>((resolve) =>
    receiver.listen(Number(process.env.WEBHOOK_PORT ?? 0), '127.0.0.1', resolve),
  );
  // The mock (on loopback) delivers to the receiver; the real API only to a public WEBHOOK_URL.
  const api = new URL(process.env.SONIOX_API_BASE_URL ?? 'https://api.soniox.com');
  const onLoopback = ['127.0.0.1', 'localhost', '[::1]'].includes(api.hostname);
  const local = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const base = process.env.WEBHOOK_URL ?? (onLoopback ? local : undefined);

  try {
    const result = await client.transcribe(file, {
      enable_speaker_diarization: true,
      client_reference_id: reference,
      // Your own metadata in the URL, checked against the API's limits before anything is sent.
      ...(base && {
        webhook_url: client.webhooks.url(base, { order: 42 }),
        webhook_auth_header_name: auth.name,
        webhook_auth_header_value: auth.secret,
        webhook: client.webhooks,
        webhookPollIntervalMs: 5_000, // the fallback poll while the delivery is expected
      }),
    });
    // The transcription as it ended (even though cleanup deleted it), its transcript attached.
    console.log(`status: ${result.status}`);
    console.log(`audio: ${s(result.audio_duration_ms ?? undefined)} s`);
    console.log(`model: ${result.model}`);
    console.log(`reference: ${result.client_reference_id === reference ? 'ours' : 'other'}`);
    console.log(`text: ${result.text}`);
    console.log(`tokens: ${result.tokens.length}`);
    // Soniox may deliver after the poll saw the job done: give the delivery a moment.
    const timeout = new Promise<string>((resolve) =>
      setTimeout(() => resolve('not delivered within 5 s'), base ? 5_000 : 0).unref(),
    );
    console.log(
      `webhook: ${base ? await Promise.race([delivery, timeout]) : 'none (no WEBHOOK_URL)'}`,
    );

    for (const sentence of sentences(result.tokens))
      console.log(
        `sentence [speaker ${sentence.speaker}, ${s(sentence.start_ms)}-${s(sentence.end_ms)} s]: ${sentence.text}`,
      );
    console.log(`paragraphs: ${paragraphs(result.tokens, { pauseMs: 2_000 }).length}`);

    // A call's own onResponse: a successful answer's status, headers and request id, no second call.
    const { models } = await client.models.list({
      onResponse: (r) =>
        console.log(`response: ${r.method} ${r.url} ${r.status}, request id ${r.requestId ?? '-'}`),
    });
    console.log(`models: ${models.length > 0 ? 'listed' : 'none'}`);

    // Usage (the real API may take a while to record a request; the mock records at once).
    window.end_time = new Date();
    let mine = 0;
    for await (const u of client.usageLogs.iterate(window)) {
      if (u.client_reference_id !== reference) continue;
      mine += 1;
      console.log(
        `usage: ${u.request_scope} ${u.model} ${s(u.input_audio_duration_ms)} s, ${u.cost_usd} USD`,
      );
    }
    console.log(`usage records of this run: ${mine}`);
    const { total } = await client.usageLogs.getSummary(window);
    console.log(
      `summary: ${total.total_num_requests} request(s), ${s(total.total_input_audio_duration_ms)} s, ${total.total_cost_usd} USD`,
    );
    const { project } = await client.concurrencyLimits.get();
    console.log(
      `realtime sessions: ${project.current.transcribe_concurrent} of ${project.limits.transcribe_concurrent ?? 'no limit'}`,
    );
    // Periods that start in the window: the last minute holds one minute's start, not an hour's.
    const history = await client.concurrencyLimits.getHistory({
      ...window,
      period_sec: 60,
      kind: 'stt',
    });
    console.log(`history: ${history.kind}, ${history.entries.length > 0 ? 'periods' : 'empty'}`);

    const key = process.env.SONIOX_API_KEY ?? '';
    console.log(
      `log: ${lines.length > 0 ? 'lines' : 'none'}, ${lines.every((l) => l.startsWith('soniox: ')) ? 'prefixed' : 'mixed'}, key ${key && lines.some((l) => l.includes(key)) ? 'LEAKED' : 'never in them'}`,
    );
    for (const line of lines.filter((l) => l.includes('POST /v1/transcriptions ')))
      console.error(line);
  } finally {
    client.close();
    receiver.close();
  }
}

void main();
