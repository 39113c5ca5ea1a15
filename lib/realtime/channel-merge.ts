/**
 * ChannelMerge: the final tokens of two channels' sessions, merged in time order. A channel's
 * final token may go out once the other channel can no longer send a final token that starts
 * before it: the other has sent a final token starting at or after it, its server has finalized
 * past it, or it has ended. Non-final tokens (and tokens with no time) go out at once: they are
 * provisional, and waiting for the other channel would only delay the live view.
 */
import type { RealtimeToken } from '../types';

/** A token of one channel of a split stereo stream (0 left, 1 right). */
export type ChannelToken = RealtimeToken & { channel: 0 | 1 };

/** Merges two channels' tokens in time order (see the file comment). */
export class ChannelMerge {
  /** Held final tokens of each channel, in the order each channel sent them. */
  private readonly held: [ChannelToken[], ChannelToken[]] = [[], []];
  /** How far each channel is known to be final: none of its final tokens will start before it. */
  private readonly reached: [number, number] = [-Infinity, -Infinity];

  /** `emit` gets each token as it may go out. */
  constructor(private readonly emit: (token: ChannelToken) => void) {}

  /** A token of `channel`, as its session yielded it. */
  token(channel: 0 | 1, token: RealtimeToken): void {
    const labelled: ChannelToken = { ...token, channel };
    if (!token.is_final || token.start_ms === undefined) {
      this.emit(labelled);
      return;
    }
    this.held[channel].push(labelled);
    this.progress(channel, token.start_ms);
  }

  /** `channel` is final up to `ms` (its server finalized that far, or it ended: Infinity). */
  progress(channel: 0 | 1, ms: number): void {
    if (ms > this.reached[channel]) this.reached[channel] = ms;
    this.release();
  }

  /** Emits held tokens, earliest first, while the other channel cannot precede them. */
  private release(): void {
    for (;;) {
      const [left, right] = [this.held[0][0], this.held[1][0]];
      const next: 0 | 1 | undefined =
        left && (!right || (left.start_ms as number) <= (right.start_ms as number))
          ? 0
          : right
            ? 1
            : undefined;
      if (next === undefined) return;
      const head = this.held[next][0] as ChannelToken;
      if ((head.start_ms as number) > this.reached[next === 0 ? 1 : 0]) return;
      this.held[next].shift();
      this.emit(head);
    }
  }
}
