/**
 * Schema issues as the API words its `validation_errors` items (docs/api.md §3): the documented
 * `{"error_type":"less_than_equal","location":"body.payload.expires_in_seconds","message":"Input
 * should be less than or equal to 3600"}` and `{"error_type":"missing",...,"message":"Field
 * required"}`, and their siblings in the same wording (the upload route's `string_too_long`).
 * A keyword with no documented wording keeps `value_error`.
 */
import type { SchemaIssue } from '../schemas';
import type { ApiValidationError } from '../types';

function worded(issue: SchemaIssue): Pick<ApiValidationError, 'error_type' | 'message'> {
  const limit = issue.params?.limit;
  switch (issue.keyword) {
    case 'required':
      return { error_type: 'missing', message: 'Field required' };
    case 'maximum':
      return {
        error_type: 'less_than_equal',
        message: `Input should be less than or equal to ${String(limit)}`,
      };
    case 'minimum':
      return {
        error_type: 'greater_than_equal',
        message: `Input should be greater than or equal to ${String(limit)}`,
      };
    case 'maxLength':
      return {
        error_type: 'string_too_long',
        message: `String should have at most ${String(limit)} characters`,
      };
    default:
      return { error_type: 'value_error', message: `Input ${issue.message}` };
  }
}

/**
 * One item per field at fault, at that field. An issue on a field that holds a deeper one is
 * dropped: a nullable field's schema (`anyOf: [..., null]`) otherwise adds "must be null" at the
 * parent of the real fault, an item for a field that is not at fault.
 */
export function validationItems(issues: SchemaIssue[]): ApiValidationError[] {
  const deeper = (field: string) =>
    issues.some(
      (other) => other.field.startsWith(field === '' ? '' : `${field}.`) && other.field !== field,
    );
  return issues
    .filter((i) => !deeper(i.field))
    .map((i) => ({
      ...worded(i),
      location: i.field ? `body.payload.${i.field}` : 'body.payload',
    }));
}
