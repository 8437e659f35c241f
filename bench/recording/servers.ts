// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- s3rver has no types; its ambient declaration lives with the tests that use it too
/// <reference path="../../apps/server/test/recording-store/s3rver.d.ts" />
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { makeWav } from '../../apps/server/src/services/recordings/store/wav.js';

/**
 * The far ends of bench:recording, in their own process so that their CPU is not the mover's:
 * a stand-in Asterisk serving one `--seconds`-long WAV under every stored recording name
 * (GET /ari/recordings/stored/{name}/file, DELETE answers 204), and s3rver with bucket `rec`.
 * Argv: ariPort s3Port seconds. GET /ready answers once both listen.
 */
const [ariPort, s3Port, seconds] = process.argv.slice(2).map(Number);
const wav = makeWav((seconds ?? 300) * 1000);
const dir = await mkdtemp(join(tmpdir(), 'ringside-bench-s3-'));
const s3 = new S3rver({
  address: '127.0.0.1',
  port: s3Port,
  silent: true,
  directory: dir,
  configureBuckets: [{ name: 'rec' }],
});
await s3.run();
const ari = http.createServer((req, res) => {
  if (req.url === '/ready') return res.end('ok');
  if (req.method === 'GET' && /^\/ari\/recordings\/stored\/[^/]+\/file$/.test(req.url ?? '')) {
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
    return res.end(wav);
  }
  res.writeHead(req.method === 'DELETE' ? 204 : 404);
  res.end();
});
await new Promise<void>((r) => ari.listen(ariPort, '127.0.0.1', r));
const stop = async () => {
  ari.close();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
