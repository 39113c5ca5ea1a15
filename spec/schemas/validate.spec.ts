import { expect } from 'chai';
import { describeIssues, getValidator, validate } from '../../lib/schemas';

describe('schemas/validate', () => {
  it('returns no issues for a valid value', () => {
    expect(
      validate('createTemporaryKey', {
        usage_type: 'transcribe_websocket',
        expires_in_seconds: 10,
      }),
    ).to.deep.equal([]);
  });

  it('names missing and bad fields with dotted paths, one issue per field', () => {
    const issues = validate('createTranscription', {
      language_hints: ['en', 'x'.repeat(11)],
      translation: { type: 'one_way' },
    });
    const fields = issues.map((i) => i.field);
    expect(fields).to.include.members(['model', 'language_hints.1', 'translation.target_language']);
    expect(new Set(fields).size).to.equal(fields.length);
    expect(describeIssues(issues)).to.match(/model: must have required property/);
  });

  it('reports a root-level problem as (root)', () => {
    const issues = validate('listParams', 'nope');
    expect(issues[0]?.field).to.equal('');
    expect(describeIssues(issues)).to.match(/^\(root\): /);
  });

  it('compiles each schema once', () => {
    expect(getValidator('file')).to.equal(getValidator('file'));
  });

  it('lets unknown realtime config fields through (new API fields work on day one)', () => {
    expect(
      validate('realtimeConfig', { model: 'stt-rt-v5', audio_format: 'auto', brand_new_field: 1 }),
    ).to.deep.equal([]);
  });
});
