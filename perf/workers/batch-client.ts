/**
 * Batch memory worker: `client.transcribeMany` over lazily generated `audio_url` inputs, in a
 * process of its own, so that its RSS is the SDK's alone (the mock runs in the parent, and the
 * scenario's earlier phases do not raise the high-water mark). Answers RSS and retained memory
 * (heap plus Buffers after a full collection) once `at` inputs were pulled and at the end.
 */
import { SonioxClient } from '../../lib/client';
import { workerServe } from '../harness/child';

export interface BatchMemoryInput {
  url: string;
  apiKey: string;
  /** Inputs generated in all. */
  inputs: number;
  /** The first measurement, after this many inputs were pulled. */
  at: number;
  concurrency: number;
  /** A journal path (the per-input index is part of what is measured), or none. */
  journal: string | undefined;
}

/** Bytes; `ok` counts the inputs transcribed. */
export interface BatchMemoryOutput {
  rssAt: number;
  rssEnd: number;
  retainedAt: number;
  retainedEnd: number;
  ok: number;
}

function retained(): number {
  // Twice: what the first collection only unlinks goes in the second (steadier readings).
  global.gc?.();
  global.gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function main(input: BatchMemoryInput): Promise<BatchMemoryOutput> {
  const client = new SonioxClient({ apiKey: input.apiKey, baseURL: input.url, env: {} });
  let pulled = 0;
  function* lazy(): Generator<{ audio_url: string }> {
    for (let i = 0; i < input.inputs; i++) {
      pulled++;
      yield { audio_url: `https://audio.example.com/${i}.wav` };
    }
  }
  const at = { rss: 0, retained: 0 };
  const end = { rss: 0, retained: 0 };
  const measure = (into: { rss: number; retained: number }) => {
    into.retained = retained();
    into.rss = process.memoryUsage().rss;
  };
  let ok = 0;
  try {
    for await (const result of client.transcribeMany(lazy(), {
      concurrency: input.concurrency,
      journal: input.journal,
      pollIntervalMs: 10,
      maxPollIntervalMs: 50,
    })) {
      if (result.ok) ok++;
      if (pulled >= input.at && at.rss === 0) measure(at);
      // Measured while the batch runs (every input pulled), its per-input state all held.
      if (pulled === input.inputs && end.rss === 0) measure(end);
    }
    return {
      rssAt: at.rss,
      rssEnd: end.rss,
      retainedAt: at.retained,
      retainedEnd: end.retained,
      ok,
    };
  } finally {
    client.close();
  }
}

workerServe(main);
