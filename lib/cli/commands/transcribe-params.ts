/**
 * The flags of `soniox transcribe`, shared by its one-file and many-file forms: the recognition
 * flags (one definition with `soniox realtime`, recognition-flags.ts), the webhook flags, the
 * create parameters they ask for, and their check against the model catalogue. The flags live
 * here so that transcribe-many.ts needs nothing from transcribe.ts, which dispatches to it (no
 * circle).
 */
import { InvalidArgumentError, Option } from 'commander';
import type { SonioxClient } from '../../client';
import { catalogueOf } from '../../model-catalogue';
import type { CreateTranscriptionParams } from '../../types';
import { isURL } from '../options';
import { recognitionParams, type RecognitionFlags } from '../recognition-flags';
import type { TranscriptFormat } from '../render/transcript';

export type { RecognitionFlags } from '../recognition-flags';

/** `--webhook-header`'s value: the header the webhook delivery carries. */
export interface WebhookHeader {
  name: string;
  value: string;
}

/** Options of `soniox transcribe` (both forms). */
export interface TranscribeFlags extends RecognitionFlags {
  webhookUrl?: string;
  webhookHeader?: WebhookHeader;
  format: TranscriptFormat;
  out?: string;
  keep?: boolean;
  pollMs: number;
}

/** `Name: value` (curl's -H): split at the first colon, both sides required. */
export function webhookHeader(text: string): WebhookHeader {
  const colon = text.indexOf(':');
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  // A header name is an HTTP token: no spaces, no separators.
  if (colon < 0 || !/^[!#$%&'*+.^_`|~\w-]+$/.test(name) || value === '')
    throw new InvalidArgumentError('must be "Name: value", e.g. "Authorization: Bearer <token>".');
  return { name, value };
}

/** An http(s) URL for the webhook. */
function webhookUrl(text: string): string {
  if (!isURL(text)) throw new InvalidArgumentError('must be an http(s) URL.');
  return text;
}

/** The async-only flags: where Soniox calls back when the transcription ends. */
export function webhookOptions(): Option[] {
  return [
    new Option(
      '--webhook-url <url>',
      'call <url> when the transcription ends (webhook_url)',
    ).argParser(webhookUrl),
    new Option(
      '--webhook-header <name: value>',
      'a header the webhook call carries, e.g. "Authorization: Bearer <token>" (webhook_auth_header_name/value)',
    ).argParser(webhookHeader),
  ];
}

/** The create parameters the flags ask for. */
export function createParams(
  flags: RecognitionFlags & Pick<TranscribeFlags, 'webhookUrl' | 'webhookHeader'>,
): CreateTranscriptionParams {
  const params: CreateTranscriptionParams = recognitionParams(flags);
  if (flags.webhookUrl) params.webhook_url = flags.webhookUrl;
  if (flags.webhookHeader) {
    params.webhook_auth_header_name = flags.webhookHeader.name;
    params.webhook_auth_header_value = flags.webhookHeader.value;
  }
  return params;
}

/** How the model check names the parameters: by the flags that set them. */
const FLAG_LABELS = {
  model: '--model',
  language_hints: '--language',
  'translation.target_language': '--translate',
  'translation.language_a': '--two-way',
  'translation.language_b': '--two-way',
};

/**
 * `--model`, `--language`, `--translate` and `--two-way` against the model list, before any
 * upload: a typo fails fast (exit 2), naming the valid choices, the closest first. The SDK's
 * own check (client.transcribe and transcribeMany run it too) with the client's list: one
 * request in all.
 */
export function assertModelFlags(
  client: SonioxClient,
  flags: RecognitionFlags,
  signal: AbortSignal,
): Promise<void> {
  return catalogueOf(client).check(createParams(flags), { labels: FLAG_LABELS, signal });
}
