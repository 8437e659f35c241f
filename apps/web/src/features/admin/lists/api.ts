import { z } from 'zod';
import {
  AdminDisposition,
  AdminDispositionsResponse,
  AdminList,
  AdminListsResponse,
  AdminPauseCode,
  AdminPauseCodesResponse,
  CampaignList,
  DncAddResponse,
  DncListResponse,
  DncLookupResponse,
  DncRemoveResponse,
  ImportJobsResponse,
  ImportPreview,
  ImportReport,
  type DispositionCreateBody,
  type DispositionUpdateBody,
  type DncAddBody,
  type ImportMapping,
  type ListUpdateBody,
  type PauseCodeCreateBody,
  type PauseCodeUpdateBody,
} from '@ringside/protocol';
import { ApiError, refusalError } from '../../../core/api.js';
import { adminRequest } from '../shared/http.js';

/**
 * The admin routes for lists, imports, dispositions, pause codes and DNC (docs/admin.md), same
 * origin with the session cookie; every answer is validated against its schema.
 */

const Deleted = z.object({ deleted: z.boolean() });

/** Bytes of the file sent for a preview: enough for the first rows, never the whole file. */
export const PREVIEW_UPLOAD_BYTES = 256 * 1024;

const q = (params: Record<string, string | number | undefined | null>): string => {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

function refusal(status: number, text: string, what: string): ApiError {
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return refusalError(status, json, what);
}

/** The head of a file, cut after its last complete line (a preview never sees half a row). */
export async function fileHead(file: Blob, bytes = PREVIEW_UPLOAD_BYTES): Promise<Blob> {
  if (file.size <= bytes) return file;
  const head = new Uint8Array(await file.slice(0, bytes).arrayBuffer());
  const end = head.lastIndexOf(0x0a);
  return file.slice(0, end < 0 ? bytes : end + 1);
}

export const adminListsApi = {
  campaigns: () => adminRequest('GET', '/api/campaigns', CampaignList),

  lists: (campaignId: string) =>
    adminRequest('GET', `/api/lists${q({ campaignId })}`, AdminListsResponse),
  createList: (campaignId: string, name: string) =>
    adminRequest('POST', '/api/lists', AdminList, { campaignId, name }),
  updateList: (id: string, patch: ListUpdateBody) =>
    adminRequest('PATCH', `/api/lists/${id}`, AdminList, patch),
  imports: (listId: string) =>
    adminRequest('GET', `/api/lists/${listId}/imports`, ImportJobsResponse),

  /** Dry run on the head of the file; nothing is written. */
  async preview(listId: string, file: Blob, mapping: ImportMapping, rows = 20) {
    const body = await fileHead(file);
    const res = await fetch(
      `/api/lists/${listId}/import/preview${q({ rows, mapping: JSON.stringify(mapping) })}`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body,
        credentials: 'same-origin',
      },
    ).catch(() => {
      throw new ApiError(0, 'NETWORK', 'the server could not be reached');
    });
    const text = await res.text();
    if (!res.ok) throw refusal(res.status, text, 'preview');
    return ImportPreview.parse(JSON.parse(text));
  },

  /**
   * The import itself: the whole file streamed as the body. XMLHttpRequest rather than fetch
   * for its upload progress events (bytes sent, total).
   */
  runImport(
    listId: string,
    file: File,
    mapping: ImportMapping,
    onProgress: (sent: number, total: number) => void,
  ): Promise<ImportReport> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(
        'POST',
        `/api/lists/${listId}/import${q({ fileName: file.name.slice(0, 255) || undefined, mapping: JSON.stringify(mapping) })}`,
      );
      xhr.setRequestHeader('content-type', 'text/csv');
      xhr.withCredentials = true;
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total || file.size);
      xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'the server could not be reached'));
      xhr.onload = () => {
        if (xhr.status < 200 || xhr.status >= 300) {
          reject(refusal(xhr.status, xhr.responseText, 'import'));
          return;
        }
        try {
          resolve(ImportReport.parse(JSON.parse(xhr.responseText)));
        } catch (err) {
          reject(new ApiError(xhr.status, 'BAD_RESPONSE', `import: ${String(err)}`));
        }
      };
      xhr.send(file);
    });
  },

  dispositions: (campaignId: string | null) =>
    adminRequest('GET', `/api/dispositions${q({ campaignId })}`, AdminDispositionsResponse),
  createDisposition: (body: DispositionCreateBody) =>
    adminRequest('POST', '/api/dispositions', AdminDisposition, body),
  updateDisposition: (id: string, patch: DispositionUpdateBody) =>
    adminRequest('PATCH', `/api/dispositions/${id}`, AdminDisposition, patch),
  deleteDisposition: (id: string) => adminRequest('DELETE', `/api/dispositions/${id}`, Deleted),

  pauseCodes: (campaignId: string | null) =>
    adminRequest('GET', `/api/pause-codes${q({ campaignId })}`, AdminPauseCodesResponse),
  createPauseCode: (body: PauseCodeCreateBody) =>
    adminRequest('POST', '/api/pause-codes', AdminPauseCode, body),
  updatePauseCode: (id: string, patch: PauseCodeUpdateBody) =>
    adminRequest('PATCH', `/api/pause-codes/${id}`, AdminPauseCode, patch),
  deletePauseCode: (id: string) => adminRequest('DELETE', `/api/pause-codes/${id}`, Deleted),

  dncLookup: (phone: string) =>
    adminRequest('GET', `/api/dnc/lookup${q({ phone })}`, DncLookupResponse),
  dncPage: (scope: string | undefined, beforeId: string | undefined, limit = 25) =>
    adminRequest('GET', `/api/dnc${q({ scope, beforeId, limit })}`, DncListResponse),
  dncAdd: (body: DncAddBody) => adminRequest('POST', '/api/dnc', DncAddResponse, body),
  dncRemove: (id: string) => adminRequest('DELETE', `/api/dnc/${id}`, DncRemoveResponse),
};
