/** Error bodies exactly as the API sends them (docs/api.md §3). */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ApiErrorBody, ApiValidationError } from '../types';

/**
 * The API's `error_type` for each status, the one table of the mock's REST answers and realtime
 * error messages alike (docs/api.md §3, §8.5); a route with a more precise type says it.
 */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  402: 'payment_required',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'limit_exceeded',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** The API's `error_type` for a status the mock answers without a more precise one. */
export function defaultErrorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

/** The `more_info` link of an error type: its section of the API's errors page. */
export function moreInfo(errorType: string): string {
  return `https://soniox.com/docs/api-reference/errors#${errorType.replace(/_/g, '-')}`;
}

const MESSAGES: Record<string, string> = {
  unauthenticated:
    'Incorrect API key provided. You can get an API key at https://console.soniox.com',
  internal_error:
    'The server encountered an error. Please try again. If the issue persists contact support@soniox.com.',
  limit_exceeded: 'Rate limit exceeded. Please slow down your requests.',
  service_unavailable: 'Service temporarily unavailable. Please try again.',
};

/** Builds an ApiError body with a fresh request id. */
export function errorBody(
  status: number,
  errorType = defaultErrorType(status),
  message?: string,
  validation: ApiValidationError[] = [],
): ApiErrorBody {
  return {
    status_code: status,
    error_type: errorType,
    message: message ?? MESSAGES[errorType] ?? `Request failed (${errorType}).`,
    validation_errors: validation,
    request_id: randomUUID(),
    more_info: moreInfo(errorType),
  };
}

/** A thrown answer: the router turns it into the error body. */
export class MockHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string = defaultErrorType(status),
    message?: string,
    readonly validation: ApiValidationError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? MESSAGES[errorType] ?? errorType);
  }
}

/** Sends a JSON body with the right headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends an ApiError answer. */
export function sendError(res: ServerResponse, error: MockHttpError): void {
  sendJson(
    res,
    error.status,
    errorBody(error.status, error.errorType, error.message, error.validation),
    error.headers,
  );
}
