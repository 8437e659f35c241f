import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import {
  checkKey,
  StorageUnavailableError,
  StorageUrlError,
  StoredObjectMissingError,
  type BlobStore,
} from './blobs.js';

/**
 * S3-compatible storage over plain HTTP with AWS Signature Version 4 (node:crypto): the four
 * object calls the vault needs (PUT, ranged GET, DELETE) without an SDK.
 *
 * RECORDINGS_URL=s3://bucket/prefix?endpoint=http://127.0.0.1:4569&region=us-east-1
 * - endpoint: set for MinIO, Ceph, s3rver...: path-style requests to it; unset: AWS,
 *   https://<bucket>.s3.<region>.amazonaws.com (virtual-hosted style).
 * - region: default us-east-1.
 * Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for temporary ones,
 * AWS_SESSION_TOKEN (config.ts).
 */
export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing '/', may be ''. */
  prefix: string;
  region: string;
  /** http(s)://host:port of an S3-compatible server; null: AWS. */
  endpoint: string | null;
}

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | null;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses s3://bucket/prefix?endpoint=...&region=... */
export function parseS3Url(url: string): S3Location {
  const u = new URL(url);
  if (u.protocol !== 's3:') throw new StorageUrlError('an S3 url starts with s3://');
  if (!BUCKET.test(u.hostname)) throw new StorageUrlError(`invalid bucket name ${u.hostname}`);
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix) checkKey(prefix);
  const endpoint = u.searchParams.get('endpoint');
  if (endpoint !== null) {
    const e = new URL(endpoint);
    if (e.protocol !== 'http:' && e.protocol !== 'https:')
      throw new StorageUrlError('endpoint must be an http:// or https:// URL');
  }
  const region = u.searchParams.get('region') ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new StorageUrlError(`invalid region ${region}`);
  return { bucket: u.hostname, prefix, region, endpoint: endpoint?.replace(/\/+$/, '') ?? null };
}

/** RFC 3986 encoding of one path segment, as SigV4 wants it. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data).digest();

export interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payloadHash: string;
  region: string;
  now: Date;
  credentials: S3Credentials;
}

/** Adds x-amz-date, x-amz-content-sha256 (and the session token) and the Authorization header. */
export function signV4(i: SignInput): Record<string, string> {
  const amzDate = i.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...i.headers,
    host: i.url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': i.payloadHash,
  };
  if (i.credentials.sessionToken) headers['x-amz-security-token'] = i.credentials.sessionToken;
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names.map((n) => `${n}:${String(lower[n]).trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [...i.url.searchParams.entries()]
    .map(([k, v]) => [encodeSegment(k), encodeSegment(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    i.method,
    i.url.pathname,
    query,
    canonicalHeaders,
    signedHeaders,
    i.payloadHash,
  ].join('\n');
  const scope = `${day}/${i.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const kDate = hmac(`AWS4${i.credentials.secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, i.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${i.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

export interface S3BlobStoreOptions {
  credentials: S3Credentials;
  /** Per request, ms (default 30,000). */
  timeoutMs?: number;
}

/** Objects in an S3 bucket under a prefix. */
export class S3BlobStore implements BlobStore {
  readonly location: S3Location;
  private readonly agentHttp = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly agentHttps = new https.Agent({ keepAlive: true, maxSockets: 16 });
  constructor(
    url: string,
    private readonly opts: S3BlobStoreOptions,
  ) {
    this.location = parseS3Url(url);
  }

  urlOf(key: string): string {
    const { bucket, prefix } = this.location;
    return `s3://${bucket}/${prefix ? `${prefix}/` : ''}${checkKey(key)}`;
  }

  keyOf(url: string): string {
    const { bucket, prefix } = this.location;
    const head = `s3://${bucket}/${prefix ? `${prefix}/` : ''}`;
    if (!url.startsWith(head))
      throw new StorageUrlError('url outside the recordings bucket/prefix');
    return checkKey(url.slice(head.length));
  }

  /** The bucket's object key of one of this store's urls (prefix included). */
  private objectKeyOf(url: string): string {
    this.keyOf(url);
    return url.slice(`s3://${this.location.bucket}/`.length);
  }

  private httpUrl(objectKey: string): URL {
    const { bucket, region, endpoint } = this.location;
    const path = objectKey.split('/').map(encodeSegment).join('/');
    return endpoint
      ? new URL(`${endpoint}/${bucket}/${path}`)
      : new URL(`https://${bucket}.s3.${region}.amazonaws.com/${path}`);
  }

  private request(
    method: 'PUT' | 'GET' | 'DELETE',
    objectKey: string,
    body: Buffer | null,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; body: Buffer }> {
    const url = this.httpUrl(objectKey);
    const headers = signV4({
      method,
      url,
      headers: body ? { ...extra, 'content-length': String(body.length) } : extra,
      payloadHash: sha256(body ?? ''),
      region: this.location.region,
      now: new Date(),
      credentials: this.opts.credentials,
    });
    const mod = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.agentHttps : this.agentHttp;
    return new Promise((resolveP, reject) => {
      const req = mod.request(url, {
        method,
        headers,
        agent,
        timeout: this.opts.timeoutMs ?? 30_000,
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (cause) =>
        reject(
          new StorageUnavailableError(`S3 ${method} got no answer (${cause.message})`, { cause }),
        ),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (cause) =>
          reject(
            new StorageUnavailableError(`S3 ${method} answer cut (${cause.message})`, { cause }),
          ),
        );
        res.on('end', () => resolveP({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.end(body ?? undefined);
    });
  }

  private fail(method: string, r: { status: number; body: Buffer }): never {
    // S3's error body: <Error><Code>NoSuchKey</Code>...; only the code is kept (no request ids).
    const code = /<Code>([A-Za-z]{1,64})<\/Code>/.exec(r.body.toString('utf8'))?.[1] ?? '';
    if (r.status === 404 && (code === 'NoSuchKey' || code === ''))
      throw new StoredObjectMissingError('stored recording not found');
    throw new StorageUnavailableError(`S3 ${method} answered ${r.status} ${code}`.trim());
  }

  async put(key: string, data: Buffer): Promise<void> {
    const objectKey = this.objectKeyOf(this.urlOf(key));
    const r = await this.request('PUT', objectKey, data, {
      'content-type': 'application/octet-stream',
    });
    if (r.status !== 200) this.fail('PUT', r);
  }

  async read(url: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    const r = await this.request('GET', this.objectKeyOf(url), null, {
      range: `bytes=${offset}-${offset + length - 1}`,
    });
    if (r.status === 416) return Buffer.alloc(0);
    if (r.status !== 206 && r.status !== 200) this.fail('GET', r);
    // A server that ignores Range sends the whole object.
    return r.status === 200 ? r.body.subarray(offset, offset + length) : r.body;
  }

  async delete(url: string): Promise<void> {
    const r = await this.request('DELETE', this.objectKeyOf(url), null);
    if (r.status !== 204 && r.status !== 200 && r.status !== 404) this.fail('DELETE', r);
  }

  close(): void {
    this.agentHttp.destroy();
    this.agentHttps.destroy();
  }
}
