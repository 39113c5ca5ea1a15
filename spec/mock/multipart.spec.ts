import { expect } from 'chai';
import { MultipartParser, boundaryOf, type PartInfo } from '../../lib/mock/multipart';

/**
 * The mock's upload body parser, as a client's `multipart/form-data` upload meets it: any
 * boundary a client may choose, a body cut into chunks anywhere by the network, and the
 * malformed bodies it must refuse rather than store (docs/api.md §4, Upload file).
 */
interface Seen {
  info: PartInfo;
  data: string;
  ended: boolean;
}

async function parse(boundary: string, chunks: Buffer[]): Promise<Seen[]> {
  const parts: Seen[] = [];
  const parser = new MultipartParser(boundary, {
    onPart: (info) => parts.push({ info, data: '', ended: false }),
    onData: (chunk) => (parts[parts.length - 1]!.data += chunk.toString('latin1')),
    onPartEnd: () => (parts[parts.length - 1]!.ended = true),
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('finish', resolve);
    for (const chunk of chunks) parser.write(chunk);
    parser.end();
  });
  expect(parser.complete).to.equal(true);
  return parts;
}

// A preamble, a field, a file whose data holds delimiter lookalikes, an epilogue.
const GOOD =
  'preamble the client may send\r\n' +
  '--XyZ\r\n' +
  'Content-Disposition: form-data; name="client_reference_id"\r\n' +
  '\r\n' +
  'ref-1\r\n' +
  '--XyZ\r\n' +
  'Content-Disposition: form-data; name="file"; filename="a.wav"\r\n' +
  'Content-Type: audio/wav\r\n' +
  '\r\n' +
  'RIFF\r\n--Xy not yet the end\r\n-\r\n--Xya' +
  '\r\n--XyZ--\r\n' +
  'epilogue, ignored';

const GOOD_PARTS: Seen[] = [
  { info: { name: 'client_reference_id' }, data: 'ref-1', ended: true },
  {
    info: { name: 'file', filename: 'a.wav', contentType: 'audio/wav' },
    data: 'RIFF\r\n--Xy not yet the end\r\n-\r\n--Xya',
    ended: true,
  },
];

describe('mock/multipart: the upload body a client sends', () => {
  it('finds the boundary of a multipart/form-data Content-Type, quoted or not, in any case', () => {
    expect(boundaryOf('multipart/form-data; boundary=abc')).to.equal('abc');
    expect(boundaryOf('multipart/form-data; boundary=abc; charset=utf-8')).to.equal('abc');
    expect(boundaryOf('Multipart/Form-Data; BOUNDARY="a b:c"')).to.equal('a b:c');
    expect(boundaryOf('multipart/form-data;boundary=--x')).to.equal('--x');
  });

  it('finds no boundary in another type, a lookalike type, or a type without one', () => {
    expect(boundaryOf(undefined)).to.equal(undefined);
    expect(boundaryOf('')).to.equal(undefined);
    expect(boundaryOf('application/json')).to.equal(undefined);
    expect(boundaryOf('multipart/mixed; boundary=abc')).to.equal(undefined);
    expect(boundaryOf('multipart/form-datax; boundary=abc')).to.equal(undefined);
    expect(boundaryOf('text/plain; x=multipart/form-data; boundary=abc')).to.equal(undefined);
    expect(boundaryOf('multipart/form-data')).to.equal(undefined);
    expect(boundaryOf('multipart/form-data; boundary=')).to.equal(undefined);
  });

  it('reads the parts, their names, file name and type, skipping preamble and epilogue', async () => {
    expect(await parse('XyZ', [Buffer.from(GOOD, 'latin1')])).to.deep.equal(GOOD_PARTS);
  });

  it('reads the same parts whichever byte the network cuts the body at', async () => {
    const bytes = Buffer.from(GOOD, 'latin1');
    for (let cut = 1; cut < bytes.length; cut++) {
      const parts = await parse('XyZ', [bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(parts, `cut at ${cut}`).to.deep.equal(GOOD_PARTS);
    }
  });

  it('reads a body sent one byte at a time', async () => {
    const bytes = Buffer.from(GOOD, 'latin1');
    const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    expect(await parse('XyZ', chunks)).to.deep.equal(GOOD_PARTS);
  });

  it('reads a body whose first delimiter has no CRLF before it, and an empty part', async () => {
    const body = '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n\r\n--b--';
    expect(await parse('b', [Buffer.from(body)])).to.deep.equal([
      { info: { name: 'x' }, data: '', ended: true },
    ]);
  });

  it('reads escaped quotes in names, header names in any case, and skips other lines', async () => {
    const body =
      '--b\r\n' +
      'CONTENT-DISPOSITION :  form-data; name="a\\"b"; filename="say \\"hi\\".wav"  \r\n' +
      'a line without a colon\r\n' +
      'content-type:audio/ogg\r\n' +
      'X-Other: form-data; name="not-this"\r\n' +
      '\r\n' +
      'data\r\n--b--';
    expect(await parse('b', [Buffer.from(body)])).to.deep.equal([
      {
        info: { name: 'a"b', filename: 'say "hi".wav', contentType: 'audio/ogg' },
        data: 'data',
        ended: true,
      },
    ]);
  });

  it('names a part without a name "" and reads a bare filename= as no name', async () => {
    const body =
      '--b\r\nContent-Disposition: form-data; myname="x"; xfilename="y"\r\n\r\nv\r\n--b--';
    expect(await parse('b', [Buffer.from(body)])).to.deep.equal([
      { info: { name: '' }, data: 'v', ended: true },
    ]);
  });

  it('reads part headers of up to 16 KiB, even when they arrive in pieces', async () => {
    const header = `Content-Disposition: form-data; name="f"\r\nX-Pad: ${'p'.repeat(16 * 1024 - 50)}`;
    const head = Buffer.from(`--b\r\n${header}`);
    // The first chunk ends where the headers' buffer holds 16 KiB exactly, before their end.
    const first = head.subarray(0, 5 + 16 * 1024);
    const rest = Buffer.concat([head.subarray(first.length), Buffer.from('\r\n\r\nv\r\n--b--')]);
    const parts = await parse('b', [first, rest]);
    expect(parts.map((p) => [p.info.name, p.data])).to.deep.equal([['f', 'v']]);
  });

  const failure = (boundary: string, chunks: Buffer[]): Promise<Error> =>
    parse(boundary, chunks).then(
      () => expect.fail('parsed'),
      (error: Error) => error,
    );

  it('refuses part headers over 16 KiB that never end', async () => {
    const error = await failure('b', [Buffer.from(`--b\r\n${'h'.repeat(16 * 1024 + 1)}`)]);
    expect(error.message).to.equal('multipart part headers too large');
  });

  it('refuses a delimiter followed by neither CRLF nor "--"', async () => {
    const body = GOOD.replace('--Xya', '\r\n--XyZa');
    const error = await failure('XyZ', [Buffer.from(body, 'latin1')]);
    expect(error.message).to.equal('malformed multipart delimiter');
  });

  it('refuses a body that ends before its closing delimiter, in any part of it', async () => {
    for (const body of [
      '',
      'no delimiter at all',
      '--b',
      '--b\r\nContent-Disposition: form-data; name="x"',
      '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nhalf a body',
      '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--b',
    ]) {
      const error = await failure('b', [Buffer.from(body)]);
      expect(error.message, JSON.stringify(body)).to.equal(
        'multipart body ended before its closing boundary',
      );
    }
  });
});
