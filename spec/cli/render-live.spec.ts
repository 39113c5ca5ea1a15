import { expect } from 'chai';
import pc from 'picocolors';
import { memoryIO } from '../../lib/cli/io';
import { JsonLines, LiveText, PlainText, TailTracker } from '../../lib/cli/render/live';
import { ERASE_LINE, Progress } from '../../lib/cli/render/progress';
import { bytes, table } from '../../lib/cli/render/table';
import type { RealtimeToken } from '../../lib/types';
import { said, TWO_WAY } from '../transcript/tokens';

const f = (text: string, start_ms: number, speaker?: string): RealtimeToken => ({
  text,
  start_ms,
  end_ms: start_ms + 100,
  is_final: true,
  ...(speaker ? { speaker } : {}),
});
const n = (text: string, start_ms: number): RealtimeToken => ({
  text,
  start_ms,
  end_ms: start_ms + 100,
  is_final: false,
});
const colors = pc.createColors(true);
const DIM = '\x1b[2m';

describe('cli: live rendering', () => {
  it('TailTracker: a result restates the tail; a new result starts at a final or a non-final that does not move forward', () => {
    const t = new TailTracker();
    t.take(n('hel', 0));
    t.take(n('lo', 100));
    expect(t.tailText).to.equal('hello');
    t.take(n('hello', 0));
    expect(t.tailText).to.equal('hello');
    t.take(n(' wor', 500));
    expect(t.tailText).to.equal('hello wor');
    expect(t.take(f('hello', 0))).to.equal(true);
    expect(t.tailText).to.equal('');
    t.take(n(' world', 500));
    t.take({ text: ' x', is_final: false });
    expect(t.tailText).to.equal(' world x');
  });

  it('LiveText on a TTY: finals stay, the dimmed tail is rewritten in place, endpoints commit the line', () => {
    const io = memoryIO({ isTTY: true });
    const live = new LiveText(io.stdout, colors);
    live.token(n('hel', 0));
    expect(io.stdout.text).to.equal(`${ERASE_LINE}${DIM}hel\x1b[22m`);
    live.token(f('hello', 0));
    live.token(n(' wor', 500));
    expect(io.stdout.text.endsWith(`${ERASE_LINE}hello${DIM} wor\x1b[22m`)).to.equal(true);
    live.endpoint();
    expect(io.stdout.text.endsWith(`${ERASE_LINE}hello\n`)).to.equal(true);
    live.token(f(' world', 500));
    live.end();
    expect(io.stdout.text.endsWith(`${ERASE_LINE}world\n`)).to.equal(true);
  });

  it('LiveText wraps long lines at the terminal width, cuts a long tail, starts a line per speaker', () => {
    const io = memoryIO({ isTTY: true, columns: 21 });
    const live = new LiveText(io.stdout, pc.createColors(false));
    'one two three four five six'
      .split(' ')
      .forEach((w, i) => live.token(f(i ? ` ${w}` : w, i * 100)));
    expect(io.stdout.text).to.include(`${ERASE_LINE}one two three four\n`);
    live.token(n(' a very long tail that cannot fit', 900));
    expect(io.stdout.text.endsWith(`${ERASE_LINE}five six a very lon…`)).to.equal(true);
    live.token(f(' hi', 1000, '2'));
    live.token(f(' there', 1100, '2'));
    live.end();
    expect(io.stdout.text).to.include(`${ERASE_LINE}five six\n`);
    expect(io.stdout.text.endsWith(`${ERASE_LINE}Speaker 2: hi there\n`)).to.equal(true);
    const narrow = memoryIO({ isTTY: true, columns: 10 });
    const unbroken = new LiveText(narrow.stdout, pc.createColors(false));
    unbroken.token(f('abcdefghijklmnopqrstuvwxyz', 0));
    expect(narrow.stdout.text).to.include(`${ERASE_LINE}abcdefghijklmnopqrst\n`);
  });

  it('PlainText: final words only, a line per endpoint and per speaker; JsonLines: a token per line', () => {
    const io = memoryIO();
    const plain = new PlainText(io.stdout);
    plain.token(n('hel', 0));
    plain.token(f(' hello', 0));
    plain.token(f(' world', 100));
    plain.endpoint();
    plain.endpoint();
    plain.token(f(' again', 200, '1'));
    plain.token(f(' yes', 400, '2'));
    plain.end();
    expect(io.stdout.text).to.equal('hello world\nSpeaker 1: again\nSpeaker 2: yes\n');
    const json = memoryIO();
    const lines = new JsonLines(json.stdout);
    lines.token(n('a', 0));
    lines.endpoint();
    lines.end();
    expect(json.stdout.text).to.equal('{"text":"a","start_ms":0,"end_ms":100,"is_final":false}\n');
  });

  it('Progress: plain lines every 10 %, sizes unknown in MB steps, status lines; off writes nothing', () => {
    const io = memoryIO();
    let now = 0;
    const plain = new Progress(io.stdout, 'plain', () => now);
    for (let loaded = 0; loaded <= 10_485_760; loaded += 1_048_576) {
      now += 100;
      plain.upload(loaded, 10_485_760);
    }
    expect(io.stdout.text.trim().split('\n')).to.have.length(11);
    plain.upload(20_971_520, undefined);
    plain.status('working');
    plain.line('done');
    expect(io.stdout.text.endsWith('upload: 20.0 MB\nworking\ndone\n')).to.equal(true);
    const tty = memoryIO({ isTTY: true });
    const bar = new Progress(tty.stdout, 'tty', () => now);
    bar.upload(1_048_576, undefined);
    expect(tty.stdout.text.startsWith(`${ERASE_LINE}uploading: 1.0 MB, `)).to.equal(true);
    bar.stop();
    expect(tty.stdout.text.endsWith(ERASE_LINE)).to.equal(true);
    const off = memoryIO();
    const silent = new Progress(off.stdout, 'off');
    silent.upload(1, 2);
    silent.status('x');
    silent.line('y');
    silent.stop();
    expect(off.stdout.text).to.equal('');
  });

  it('table and bytes', () => {
    expect(
      table(
        ['A', 'BB'],
        [
          ['xyz', '1'],
          ['q', ''],
        ],
      ),
    ).to.equal('A    BB\nxyz  1\nq');
    expect(bytes(512)).to.equal('512 B');
    expect(bytes(1536)).to.equal('1.5 KB');
    expect(bytes(3 * 1024 ** 4)).to.equal('3072.0 GB');
  });
});

describe('cli: live rendering of translations', () => {
  const t = (text: string, start_ms: number, is_final = true): RealtimeToken => ({
    text,
    start_ms,
    end_ms: start_ms + 100,
    is_final,
    translation_status: 'translation',
    language: 'fr',
  });

  it('PlainText and LiveText print final translation tokens on their own lines after the spoken ones', () => {
    const io = memoryIO();
    const plain = new PlainText(io.stdout);
    plain.token(f('hello', 0));
    plain.token(f(' world', 100));
    plain.token(t('bon', 0, false));
    plain.token(t('bonjour', 0));
    plain.token(t(' le monde', 100));
    plain.token(f(' again', 200));
    plain.end();
    expect(io.stdout.text).to.equal('hello world\n→ bonjour le monde\nagain\n');

    const tty = memoryIO({ isTTY: true });
    const live = new LiveText(tty.stdout, pc.createColors(false));
    live.token(f('hello', 0));
    live.token(t('bon', 0, false));
    live.token(t('bonjour', 0));
    live.token(t(' monde', 100));
    live.endpoint();
    live.token(t(' encore', 200));
    live.token(n(' wor', 100));
    live.token(f(' world', 100));
    live.end();
    expect(tty.stdout.text).to.include(`${ERASE_LINE}hello\n`);
    expect(tty.stdout.text).to.include(`${ERASE_LINE}→ bonjour monde\n`);
    expect(tty.stdout.text).to.include(`${ERASE_LINE}→ encore\n`);
    expect(tty.stdout.text.endsWith(`${ERASE_LINE}world\n`)).to.equal(true);
  });
});

describe('cli: live rendering of speakers, languages and two-way translation', () => {
  /** Feeds realtime finals as the stream delivers them: `<end>` becomes an endpoint call. */
  const feed = (sink: PlainText | LiveText, tokens: readonly RealtimeToken[]) => {
    for (const token of tokens) {
      if (token.text === '<end>') sink.endpoint();
      else sink.token(token);
    }
    sink.end();
  };
  const EXPECTED = [
    'Speaker 1 [en]: Good morning.',
    '→ [es] Buenos días.',
    'Speaker 2 [es]: Hola amigo',
    '→ [en] Hello friend',
  ];

  it('PlainText with languages: speaker and language on each line, each translation under its original', () => {
    const io = memoryIO();
    feed(new PlainText(io.stdout, { languages: true }), TWO_WAY);
    expect(io.stdout.text).to.equal(`${EXPECTED.join('\n')}\n`);
  });

  it('LiveText with languages: the same lines, committed as they complete', () => {
    const io = memoryIO({ isTTY: true });
    feed(new LiveText(io.stdout, pc.createColors(false), { languages: true }), TWO_WAY);
    const committed = io.stdout.text
      .split('\n')
      .map((l) => l.split(ERASE_LINE).pop())
      .filter(Boolean);
    expect(committed).to.deep.equal(EXPECTED);
  });

  it('a change of language starts a new line when languages are shown', () => {
    const io = memoryIO();
    const plain = new PlainText(io.stdout, { languages: true });
    feed(plain, [said('Hi', 0, 100, '1', 'en'), said(' hola', 200, 300, '1', 'es')]);
    expect(io.stdout.text).to.equal('Speaker 1 [en]: Hi\nSpeaker 1 [es]: hola\n');
    const unlabelled = memoryIO();
    feed(new PlainText(unlabelled.stdout), [
      said('Hi', 0, 100, '1', 'en'),
      said(' hola', 200, 300, '1', 'es'),
    ]);
    expect(unlabelled.stdout.text).to.equal('Speaker 1: Hi hola\n');
  });
});
