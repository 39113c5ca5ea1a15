/**
 * Files: streamed uploads, get, delete, list and iterate. An upload pipes the source through a
 * multipart encoder into the request: nothing holds the whole file in memory.
 */
import type { Transport, CallOptions } from '../http/transport';
import { paginate } from '../http/pagination';
import { NO_REFERENCE, createLookup } from '../http/exactly-once';
import { resolveUploadSource, type UploadInput } from '../http/upload-source';
import { encodeMultipart, type MultipartField } from '../http/multipart';
import {
  assertBulkOptions,
  bulkDelete,
  type BulkDeleteOptions,
  type BulkDeleteResult,
} from './bulk';
import type { FileList, ListParams, ResourceCount, SonioxFile } from '../types';
import { functionIssues } from '../internal/issues';
import { assertCall, callPart, idIssues, idSegment, listParamIssues, listQuery } from './params';

/** Upload progress: file bytes sent so far and the file size when known. */
export interface UploadProgress {
  loaded: number;
  total: number | undefined;
}

/** Options of `files.upload`. */
export interface UploadOptions extends CallOptions {
  /** Name stored with the file (default: the path's base name, else `audio`). */
  filename?: string | undefined;
  /** Size of a stream source in bytes (enables Content-Length, progress totals, the size check). */
  size?: number | undefined;
  /** MIME type of the file part (default application/octet-stream). */
  contentType?: string | undefined;
  /** Stored with the file; at most 256 characters. */
  client_reference_id?: string | undefined;
  /** Called at least every 1 MiB and once at the end. */
  onProgress?: ((progress: UploadProgress) => void) | undefined;
}

/** A header value: visible ASCII and spaces, nothing that could end the header line. */
const HEADER_VALUE = /^[\x20-\x7e]+$/;

/**
 * Throws once, naming every bad upload option, before the source is opened: a wrong type found
 * later would fail the upload after bytes were sent (an `onProgress` that is not a function) or
 * be sent as is.
 */
export function assertUploadOptions(what: string, options: unknown): void {
  const o = (options ?? {}) as Record<string, unknown>;
  const ref = o.client_reference_id;
  const type = o.contentType;
  assertCall(what, options, {
    more: [
      ...(ref !== undefined && (typeof ref !== 'string' || ref.length > 256)
        ? [{ field: 'client_reference_id', message: 'must be a string of at most 256 characters' }]
        : []),
      ...(type !== undefined && (typeof type !== 'string' || !HEADER_VALUE.test(type))
        ? [{ field: 'contentType', message: 'must be a MIME type such as audio/wav' }]
        : []),
      ...functionIssues('onProgress', o.onProgress),
    ],
  });
}

/** `client.files`. */
export class Files {
  constructor(private readonly transport: Transport) {}

  /**
   * Uploads audio from a path, a Readable, a Buffer or a Uint8Array. Paths and buffers are
   * retried by re-reading them; a stream cannot be, and a failure mid-way says so.
   */
  async upload(source: UploadInput, options: UploadOptions = {}): Promise<SonioxFile> {
    assertUploadOptions('files.upload', options);
    const ref = options.client_reference_id;
    const upload = await resolveUploadSource(source, {
      filename: options.filename,
      size: options.size,
      signal: options.signal,
      firstChunkTimeoutMs: options.timeoutMs ?? this.transport.uploadTimeoutMs,
    });
    // Untagged, and the SDK may not tag it (autoClientReferenceId: false): at most once.
    const lookup =
      ref == null && !this.transport.autoClientReferenceId
        ? undefined
        : createLookup('files', ref, upload.size === undefined ? {} : { size: upload.size });
    const fields: MultipartField[] = lookup
      ? [{ name: 'client_reference_id', value: lookup.reference }]
      : [];
    const body = () => {
      const encoded = encodeMultipart(
        fields,
        {
          field: 'file',
          filename: upload.filename,
          contentType: options.contentType,
          size: upload.size,
          stream: upload.open(),
        },
        options.onProgress,
      );
      const headers: Record<string, string> = { 'Content-Type': encoded.contentType };
      if (encoded.contentLength !== undefined)
        headers['Content-Length'] = String(encoded.contentLength);
      return { stream: encoded.stream, headers };
    };
    return this.transport.request<SonioxFile>({
      ...options,
      method: 'POST',
      path: '/v1/files',
      body,
      replayable: upload.replayable,
      schema: 'file',
      ...(lookup ? { exactlyOnce: lookup } : { atMostOnce: NO_REFERENCE }),
    });
  }

  /** One file's metadata. */
  async get(id: string, options: CallOptions = {}): Promise<SonioxFile> {
    assertCall('files.get', options, { params: idIssues(id) });
    const path = `/v1/files/${idSegment(id)}`;
    return this.transport.request<SonioxFile>({ ...options, method: 'GET', path, schema: 'file' });
  }

  /** Deletes a file. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    assertCall('files.delete', options, { params: idIssues(id) });
    const path = `/v1/files/${idSegment(id)}`;
    await this.transport.request<void>({ ...options, method: 'DELETE', path });
  }

  /** One page of files (`limit` 1..1000, `cursor` from the previous page). */
  async list(params: ListParams = {}, options: CallOptions = {}): Promise<FileList> {
    assertCall('files.list', options, { params: listParamIssues(params) });
    const query = listQuery(params);
    return this.transport.request<FileList>({
      ...options,
      method: 'GET',
      path: '/v1/files',
      query,
      schema: 'fileList',
    });
  }

  /** How many files the account holds (`total` is what the 1,000-file quota counts). */
  async count(options: CallOptions = {}): Promise<ResourceCount> {
    assertCall('files.count', options);
    return this.transport.request<ResourceCount>({
      ...options,
      method: 'GET',
      path: '/v1/files/count',
      schema: 'count',
    });
  }

  /**
   * Deletes every file that passes the filters (`olderThanMs`, `clientReferenceId`), a few at a
   * time (`concurrency`), telling `onProgress`; `dryRun` only lists them. Failures are collected
   * in the result, not thrown; the caller's abort rejects.
   */
  async deleteAll(options: BulkDeleteOptions = {}): Promise<BulkDeleteResult> {
    assertBulkOptions('files.deleteAll', options);
    const call = callPart(options);
    return bulkDelete(
      this.iterate({}, call),
      () => true,
      (id) => this.delete(id, call),
      options,
    );
  }

  /** Every file, page after page, fetched as the loop advances. */
  iterate(params: ListParams = {}, options: CallOptions = {}): AsyncIterable<SonioxFile> {
    // Checked now, not on the first page: a bad argument throws where it was written.
    assertCall('files.iterate', options, { params: listParamIssues(params) });
    const { cursor, ...rest } = params;
    return paginate(
      (c) => this.list({ ...rest, cursor: c }, options),
      (page) => page.files,
      cursor,
    );
  }
}
