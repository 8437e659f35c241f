import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver's built-in credentials: it checks every request's SigV4 signature against them. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  /** RECORDINGS_URL of the bucket `rec` under `prefix`. */
  url(prefix: string): string;
  /** Stops answering (storage down); start() again serves the same objects. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** A real S3 server on 127.0.0.1:`port` (4569-4579 are the recording store's) with bucket rec. */
export async function startLocalS3(port: number): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'ringside-s3-'));
  let server: S3rver | null = null;
  const start = async () => {
    server = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: [{ name: 'rec' }],
    });
    await server.run();
  };
  const stop = async () => {
    await server?.close();
    server = null;
  };
  await start();
  return {
    url: (prefix) => `s3://rec/${prefix}?endpoint=http://127.0.0.1:${port}&region=us-east-1`,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
