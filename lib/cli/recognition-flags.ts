/**
 * The recognition flags, defined once for `soniox realtime` and `soniox transcribe` (both of
 * its forms): what to recognise and how (model, languages, speakers, context, translation,
 * your reference), as opposed to how the audio travels (realtime's own flags). A flag added
 * here appears in both commands' --help and parsing, and reaches the realtime start message and
 * the async create request alike (the API names the fields the same in both).
 */
import { Option, type Command } from 'commander';
import type { CreateTranscriptionParams, StructuredContext } from '../types';
import { list } from './options';
import { contextFile, languagePair, termsFile } from './recognition';

/** The values of the recognition flags, as commander parses them. */
export interface RecognitionFlags {
  model?: string;
  language?: string[];
  strictHints?: boolean;
  languageId?: boolean;
  diarize?: boolean;
  context?: StructuredContext;
  terms?: string[];
  translate?: string;
  twoWay?: [string, string];
  reference?: string;
}

/** Which API a command's flags go to: it names the default model in --help. */
export type RecognitionApi = 'realtime' | 'async';

const DEFAULT_MODEL: Record<RecognitionApi, string> = {
  realtime: 'stt-rt-v5',
  async: 'stt-async-v5',
};

/** The recognition flags' options, in --help order (fresh objects: commander owns each one). */
export function recognitionOptions(api: RecognitionApi): Option[] {
  // Realtime prints as it goes, a line per speaker or language: its help says what lines show.
  const shown = (what: string) => (api === 'realtime' ? what : '');
  return [
    new Option('-m, --model <model>', `${api} model (default ${DEFAULT_MODEL[api]})`),
    new Option(
      '-l, --language <codes>',
      'language hints, comma separated: en,fr (repeatable)',
    ).argParser(list),
    new Option('--strict-hints', 'recognise only the --language hints (language_hints_strict)'),
    new Option(
      '--language-id',
      `identify the language of each word (enable_language_identification)${shown('; lines show it')}`,
    ),
    new Option('--diarize', 'label speakers (enable_speaker_diarization)'),
    new Option(
      '--context <file>',
      'context from a file: a JSON object (general, text, terms, translation_terms) or plain text',
    ).argParser(contextFile),
    new Option('--terms <file>', 'context terms from a file, one per line').argParser(termsFile),
    new Option('--translate <lang>', 'also translate to <lang> (one-way translation)').conflicts(
      'twoWay',
    ),
    new Option(
      '--two-way <a,b>',
      `two-way translation between two languages, e.g. en,es${shown(' (each line shows its language)')}`,
    ).argParser(languagePair),
    new Option('--reference <id>', 'your id for the request (client_reference_id)'),
  ];
}

/** Adds the recognition flags to `command`. */
export function addRecognitionFlags(command: Command, api: RecognitionApi): Command {
  for (const option of recognitionOptions(api)) command.addOption(option);
  return command;
}

/** The request fields the recognition flags set, named alike in the start message and the create request. */
export type RecognitionParams = Pick<
  CreateTranscriptionParams,
  | 'model'
  | 'language_hints'
  | 'language_hints_strict'
  | 'enable_language_identification'
  | 'enable_speaker_diarization'
  | 'context'
  | 'translation'
  | 'client_reference_id'
>;

/** The request fields the flags ask for (a field of no flag given is left out). */
export function recognitionParams(flags: RecognitionFlags): RecognitionParams {
  const params: RecognitionParams = {};
  if (flags.model) params.model = flags.model;
  if (flags.language) params.language_hints = flags.language;
  if (flags.strictHints) params.language_hints_strict = true;
  if (flags.languageId) params.enable_language_identification = true;
  if (flags.diarize) params.enable_speaker_diarization = true;
  // The --context file's context, plus the --terms file's terms.
  if (flags.context || flags.terms) {
    const context: StructuredContext = { ...flags.context };
    if (flags.terms) context.terms = [...(context.terms ?? []), ...flags.terms];
    params.context = context;
  }
  if (flags.translate) params.translation = { type: 'one_way', target_language: flags.translate };
  if (flags.twoWay) {
    const [language_a, language_b] = flags.twoWay;
    params.translation = { type: 'two_way', language_a, language_b };
  }
  if (flags.reference) params.client_reference_id = flags.reference;
  return params;
}
