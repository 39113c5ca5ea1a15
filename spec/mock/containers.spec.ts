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
});
