/**
 * The contract check of a 2xx answer: a body where one is due, a JSON object, and (with
 * validateResponses) one that matches the call's response schema. A broken answer is a
 * SonioxResponseError, never the caller's SonioxValidationError.
 */
import { SonioxResponseError } from '../errors';
import { describeIssues, validate, type ResponseSchemaName } from '../schemas';

/** What the check needs to know of the call. */
export interface BodyExpectation {
  method: string;
  path: string;
  /** The response schema, when the call expects a body. */
  schema?: ResponseSchemaName | undefined;
  /** Whether a body that drifts from the schema is an error (the client's validateResponses). */
  validateResponses: boolean;
}

/** The body of a 2xx answer, checked against what the call expects (undefined for no body). */
export function checkedBody<T>(expect: BodyExpectation, status: number, data: unknown): T {
  const what = `${expect.method} ${expect.path}`;
  if (status === 204 || data === '' || data === undefined) {
    // A call that expects a body (it has a response schema) never resolves with nothing.
    if (expect.schema)
      throw new SonioxResponseError(
        `${what}: the server answered ${status} with no body where one was expected`,
        [{ field: '(body)', message: 'missing' }],
      );
    return undefined as T;
  }
  if (!expect.schema) return data as T;
  // Whatever validateResponses says, text (or any non-object) is never handed out typed as a model.
  if (typeof data === 'string') {
    throw new SonioxResponseError(`${what}: the response body is not valid JSON`, [
      { field: '(body)', message: 'not JSON' },
    ]);
  }
  // Every model is a JSON object: null, a number or a list is not drift that lenient mode may let through.
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SonioxResponseError(`${what}: the response body is not a JSON object`, [
      { field: '(body)', message: 'not an object' },
    ]);
  }
  if (!expect.validateResponses) return data as T;
  const issues = validate(expect.schema, data);
  if (issues.length) {
    throw new SonioxResponseError(
      `${what}: the response does not match the API schema (${describeIssues(issues)}); ` +
        'pass validateResponses: false to accept it',
      issues.map(({ field, message }) => ({ field, message })),
    );
  }
  return data as T;
}
