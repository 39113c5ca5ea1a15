import { expect } from 'chai';
import { containerOf, downloadProblem, looksLikePcm16 } from '../../lib/mock/containers';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );

describe('mock/containers: what the mock tells about audio without decoding it', () => {
  it('knows each documented container by its signature', () => {
    expect(
      [
        bytes('RIFF', [0, 0, 0, 0], 'WAVE'),
        bytes('ID3', [4, 0]),
        bytes('OggS'),
        bytes('fLaC'),
        bytes('#!AMR\n'),
        bytes('FORM', [0, 0, 0, 0], 'AIFF'),
        bytes('FORM', [0, 0, 0, 0], 'AIFC'),
        bytes([0, 0, 0, 0x20], 'ftypM4A '),
        bytes([0x1a, 0x45, 0xdf, 0xa3]),
        bytes([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66]),
        bytes([0xff, 0xfb, 0x90]),
        bytes([0xff, 0xf1, 0x50]),
      ].map(containerOf),
    ).to.deep.equal([
      'wav',
      'mp3',
      'ogg',
      'flac',
      'amr',
      'aiff',
      'aiff',
      'mp4',
      'webm',
      'asf',
      'mp3',
      'aac',
    ]);
    expect(
      [bytes('RIFF', [0, 0, 0, 0], 'AVI '), bytes('hello'), bytes([0xff]), bytes()].map(
        containerOf,
      ),
    ).to.deep.equal([undefined, undefined, undefined, undefined]);
  });

  it('takes silence, quiet sound and constant test buffers for PCM; not text, noise or one byte', () => {
    expect(looksLikePcm16(Buffer.alloc(100))).to.equal(true);
    expect(looksLikePcm16(Buffer.alloc(100, 0x41))).to.equal(true);
    expect(looksLikePcm16(Buffer.from('The quick brown fox jumps over the lazy dog.'))).to.equal(
      false,
    );
    const noise = Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 167 + 13) % 256));
    expect(looksLikePcm16(noise)).to.equal(false);
    expect(looksLikePcm16(Buffer.alloc(1))).to.equal(false);
    expect(looksLikePcm16(Buffer.alloc(2))).to.equal(true);
  });

  it('says which audio_url the service could not download, and lets public ones through', () => {
    for (const url of [
      'https://[',
      'https://example.com/fail.mp3',
      'http://[::1]/a.wav',
      'http://[fd00::1]/a.wav',
      'http://[fe80::1]/a.wav',
      'http://10.0.0.2/a.wav',
      'http://172.16.0.1/a.wav',
      'http://169.254.1.1/a.wav',
      'http://0.0.0.0/a.wav',
      'https://files.test/a.wav',
      'https://printer.local/a.wav',
    ])
      expect(downloadProblem(url), url).to.be.a('string');
    for (const url of [
      'https://example.com/a.mp3',
      'https://8.8.8.8/a.wav',
      'https://172.32.0.1/a.wav',
      'https://[2001:db8::1]/a.wav',
    ])
      expect(downloadProblem(url), url).to.equal(undefined);
  });

  it('knows a frame as short as its two sync bytes, and takes no other file for audio', () => {
    expect(containerOf(bytes([0xff, 0xfb]))).to.equal('mp3');
    // A JPEG starts with 0xff too, but without the frame's sync bits; an 8SVX is a FORM, not AIFF.
    expect(containerOf(bytes([0xff, 0xd8, 0xff, 0xe0]))).to.equal(undefined);
    expect(containerOf(bytes('FORM', [0, 0, 0, 0], '8SVX'))).to.equal(undefined);
  });

  it('takes silence of an odd length for PCM (its last byte is no sample)', () => {
    expect(looksLikePcm16(Buffer.alloc(101))).to.equal(true);
    expect(looksLikePcm16(Buffer.alloc(3))).to.equal(true);
  });

  it('refuses loopback, private and reserved hosts a user may paste, and no public one', () => {
    for (const url of [
      'http://127.0.0.1:8080/a.wav',
      'http://192.168.1.20/a.wav',
      'http://172.31.255.254/a.wav',
      'http://intranet/a.wav',
      'https://audio.invalid/a.wav',
      'https://audio.example/a.wav',
      'https://app.localhost/a.wav',
      'http://[::]/a.wav',
      'http://[fc00::1]/a.wav',
      'http://[feb0::1]/a.wav',
      'https://example.com/FAILED.mp3',
    ])
      expect(downloadProblem(url), url).to.be.a('string');
    for (const url of [
      'https://172.15.0.1/a.wav',
      'https://104.16.0.1/a.wav',
      'https://192.169.0.1/a.wav',
      'https://193.168.0.1/a.wav',
      'https://1.254.0.1/a.wav',
      'https://169.1.0.1/a.wav',
      'https://11.0.0.1/a.wav',
      'https://128.0.0.1/a.wav',
      'https://cdn.test.example.com/a.wav',
      'https://media.local-cdn.com/a.wav',
      'https://[2001:db8:fc::1]/a.wav',
      'https://[::ffff:808:808]/a.wav',
    ])
      expect(downloadProblem(url), url).to.equal(undefined);
  });

  it('names the host it cannot reach in its message', () => {
    expect(downloadProblem('http://192.168.1.20/a.wav')).to.equal(
      'Failed to download the audio file: cannot reach host 192.168.1.20.',
    );
    expect(downloadProblem('http://[FD00::1]/a.wav')).to.equal(
      'Failed to download the audio file: cannot reach host fd00::1.',
    );
    expect(downloadProblem('not a url')).to.equal('The audio URL is not a valid URL.');
    expect(downloadProblem('https://example.com/fail.mp3')).to.equal(
      'Failed to download the audio file.',
    );
  });

  it('takes a quiet sound (small samples, many byte values) for PCM', () => {
    const quiet = Buffer.alloc(200);
    for (let i = 0; i < 100; i++) quiet.writeInt16LE(Math.round(100 * Math.sin(i / 5)), 2 * i);
    expect(looksLikePcm16(quiet)).to.equal(true);
  });

  it('takes no text for PCM, however smooth its bytes: base64, hex, CSV, tab- and space-separated', () => {
    const audio = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97 + 7) % 256));
    for (const text of [
      audio.toString('base64'),
      audio.toString('hex'),
      '1,2,3\n4,5,6\n'.repeat(20),
      '1;2;3;4;5\r\n\r\n'.repeat(20),
      '1\t2\t3\t4\t5\t6\t7\t8\t9\t0\t'.repeat(20),
      '1 2 3 4 5 6 7 8\n'.repeat(20),
    ])
      expect(
        looksLikePcm16(Buffer.from(text, 'latin1')),
        JSON.stringify(text.slice(0, 20)),
      ).to.equal(false);
  });

  it('tells an asf header of four bytes, headerless PCM starting with a small negative sample is no mp3, and RIFX is no WAV', () => {
    expect(containerOf(bytes([0x30, 0x26, 0xb2, 0x75]))).to.equal('asf');
    expect(containerOf(bytes([0x10, 0xf0, 0x20, 0xf0]))).to.equal(undefined);
    expect(containerOf(bytes('RIFX', [0, 0, 0, 0], 'WAVE'))).to.equal(undefined);
    expect(containerOf(bytes('RIFF', [0, 0, 0, 0], 'AIFF'))).to.equal(undefined);
  });

  it('takes a quiet sound wholly above or below zero (a DC offset) for PCM', () => {
    for (const offset of [50, -50]) {
      const quiet = Buffer.alloc(200);
      for (let i = 0; i < 100; i++)
        quiet.writeInt16LE(offset + Math.round(40 * Math.sin(i / 5)), 2 * i);
      expect(looksLikePcm16(quiet), String(offset)).to.equal(true);
    }
  });
});
