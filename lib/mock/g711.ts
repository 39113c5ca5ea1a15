/**
 * G.711 decoding (ITU-T G.711, the classic Sun reference): mu-law and A-law bytes to 16-bit
 * linear samples, so the mock can hear phone audio (`mulaw` / `alaw`, usually 8 kHz) the way it
 * hears PCM. Pure tables; nothing of the client.
 */

/** 16-bit sample of each mu-law byte. */
export const G711_MULAW: Int16Array = Int16Array.from({ length: 256 }, (_, byte) => {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
});

/** 16-bit sample of each A-law byte. */
export const G711_ALAW: Int16Array = Int16Array.from({ length: 256 }, (_, byte) => {
  const a = byte ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t = seg === 0 ? t + 8 : (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
});

/** The decoding table of a raw format, or undefined when it is no G.711 law. */
export function g711Table(audioFormat: string): Int16Array | undefined {
  if (audioFormat === 'mulaw') return G711_MULAW;
  if (audioFormat === 'alaw') return G711_ALAW;
  return undefined;
}

/** Decodes G.711 bytes to 16-bit little-endian PCM (two bytes out per byte in). */
export function decodeG711(bytes: Buffer, table: Int16Array): Buffer {
  const out = Buffer.alloc(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++)
    out.writeInt16LE(table[bytes[i] as number] as number, i * 2);
  return out;
}
