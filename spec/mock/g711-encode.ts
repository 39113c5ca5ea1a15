/**
 * G.711 encoders for specs (the classic Sun reference, written apart from the mock's decoder so
 * a spec does not check the decoder against itself), and 16 kHz -> 8 kHz phone audio.
 */

/** 16-bit linear sample to mu-law. */
export function linearToMulaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; exponent--, mask >>= 1);
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  s = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return s;
}

const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

/** 16-bit linear sample to A-law. */
export function linearToAlaw(sample: number): number {
  let pcm = sample >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = SEG_AEND.findIndex((end) => pcm <= end);
  if (seg < 0) return 0x7f ^ mask;
  const aval = (seg << 4) | ((seg < 2 ? pcm >> 1 : pcm >> seg) & 0x0f);
  return aval ^ mask;
}

/**
 * 16 kHz s16le mono to 8 kHz G.711 as a phone gateway would send it: each pair of samples
 * averaged (`average`) or every other sample kept (`drop`), then encoded.
 */
export function toPhone(
  pcm16k: Buffer,
  law: 'mulaw' | 'alaw',
  resample: 'average' | 'drop',
): Buffer {
  const encode = law === 'mulaw' ? linearToMulaw : linearToAlaw;
  const out = Buffer.alloc(Math.floor(pcm16k.length / 4));
  for (let i = 0; i < out.length; i++) {
    const a = pcm16k.readInt16LE(i * 4);
    const b = pcm16k.readInt16LE(i * 4 + 2);
    out[i] = encode(resample === 'average' ? Math.round((a + b) / 2) : a);
  }
  return out;
}
