/**
 * Files: streamed uploads, get, delete, list and iterate. An upload pipes the source through a
 * multipart encoder into the request: nothing holds the whole file in memory.
 */
import { checkCallOptions, type Transport, type CallOptions } from '../http/transport';
import { paginate } from '../http/pagination';
import { resolveUploadSource, type UploadInput } from '../http/upload-source';
import { encodeMultipart, type MultipartField } from '../http/multipart';
import type { FileList, ListParams, SonioxFile } from '../types';
import { idSegment, listQuery, rejectIssues } from './params';

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

/** `client.files`. */
export class Files {
  constructor(private readonly transport: Transport) {}

  /**
   * Uploads audio from a path, a Readable, a Buffer or a Uint8Array. Paths and buffers are
   * retried by re-reading them; a stream cannot be, and a failure mid-way says so.
   */
  async upload(source: UploadInput, options: UploadOptions = {}): Promise<SonioxFile> {
    const what = 'files.upload';
    checkCallOptions(what, options ?? {});
    const ref = options.client_reference_id;
    if (ref !== undefined && (typeof ref !== 'string' || ref.length > 256)) {
      rejectIssues(what, [
        { field: 'client_reference_id', message: 'must be a string of at most 256 characters' },
      ]);
    }
    const upload = await resolveUploadSource(source, {
      filename: options.filename,
      size: options.size,
      signal: options.signal,
      firstChunkTimeoutMs: options.timeoutMs ?? this.transport.uploadTimeoutMs,
    });
    const fields: MultipartField[] =
      ref === undefined ? [] : [{ name: 'client_reference_id', value: ref }];
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
    });
  }

  /** One file's metadata. */
  async get(id: string, options: CallOptions = {}): Promise<SonioxFile> {
    const path = `/v1/files/${idSegment('files.get', id)}`;
    return this.transport.request<SonioxFile>({ ...options, method: 'GET', path, schema: 'file' });
  }

  /** Deletes a file. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    const path = `/v1/files/${idSegment('files.delete', id)}`;
    await this.transport.request<void>({ ...options, method: 'DELETE', path });
  }

  /** One page of files (`limit` 1..1000, `cursor` from the previous page). */
  async list(params: ListParams = {}, options: CallOptions = {}): Promise<FileList> {
    const query = listQuery('files.list', params);
    return this.transport.request<FileList>({
      ...options,
      method: 'GET',
      path: '/v1/files',
      query,
      schema: 'fileList',
    });
  }

  /** Every file, page after page, fetched as the loop advances. */
  iterate(params: ListParams = {}, options: CallOptions = {}): AsyncIterable<SonioxFile> {
    const { cursor, ...rest } = params;
    return paginate(
      (c) => this.list({ ...rest, cursor: c }, options),
      (page) => page.files,
      cursor,
    );
  }
}
