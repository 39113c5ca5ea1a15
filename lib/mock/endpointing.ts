/**
 * How long a pause after speech makes the mock's `<end>`. The API documents
 * `max_endpoint_delay_ms` as the "Maximum delay between the end of speech and returned
 * endpoint" (500..3000, default 2000), `endpoint_sensitivity` (-1..1: "Higher values make
 * endpoints more likely") and `endpoint_latency_adjustment_level` (0..3: "endpoints are returned
 * sooner"). The live model listens to intonation and context; the mock has only the pause, so it
 * ends a turn after a short pause scaled by those two options, never longer than the maximum.
 */

/** The pause (ms of silence after speech) that ends a turn with neutral settings. */
export const BASE_ENDPOINT_PAUSE_MS = 800;
/** The shortest pause that ends a turn, whatever the settings (gaps between words are shorter). */
export const MIN_ENDPOINT_PAUSE_MS = 200;
/** The documented default of `max_endpoint_delay_ms`. */
export const DEFAULT_MAX_ENDPOINT_DELAY_MS = 2000;

/** The endpoint settings of a start message. */
export interface EndpointSettings {
  max_endpoint_delay_ms?: number | undefined;
  endpoint_sensitivity?: number | undefined;
  endpoint_latency_adjustment_level?: number | undefined;
}

/**
 * The silence after speech (ms) after which the mock emits `<end>`: the base pause, halved at
 * sensitivity 1 and half as long again at -1, 15 % shorter per latency level, at least
 * MIN_ENDPOINT_PAUSE_MS and at most `max_endpoint_delay_ms`.
 */
export function endpointPauseMs(settings: EndpointSettings): number {
  const max = settings.max_endpoint_delay_ms ?? DEFAULT_MAX_ENDPOINT_DELAY_MS;
  const sensitivity = Math.max(-1, Math.min(1, settings.endpoint_sensitivity ?? 0));
  const level = Math.max(0, settings.endpoint_latency_adjustment_level ?? 0);
  const pause = BASE_ENDPOINT_PAUSE_MS * (1 - 0.5 * sensitivity) * Math.max(0, 1 - 0.15 * level);
  return Math.min(max, Math.max(MIN_ENDPOINT_PAUSE_MS, Math.round(pause)));
}
