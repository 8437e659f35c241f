import http from 'node:http';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';

/**
 * A fake Asterisk that answers only the stored-recording routes the mover uses, over real HTTP
 * (GET /ari/recordings/stored/{name}/file, DELETE /ari/recordings/stored/{name}), so the mover
 * is tested through the real ARI client, with Asterisk's 404 for a recording it does not have.
 */
export interface FakeAri {
  client: AriRestClient;
  /** Stored recordings by name. */
  files: Map<string, Buffer>;
  /** GET .../file requests per name. */
  fetches: Map<string, number>;
  close(): Promise<void>;
}

/** On 127.0.0.1:`port` (one of the recording store's ports, 4569-4579). */
export async function startFakeAri(port: number): Promise<FakeAri> {
  const files = new Map<string, Buffer>();
  const fetches = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const m = /^\/ari\/recordings\/stored\/([^/]+)(\/file)?$/.exec(req.url?.split('?')[0] ?? '');
    const name = m?.[1] ? decodeURIComponent(m[1]) : '';
    const file = files.get(name);
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Recording not found' }));
    };
    if (m && req.method === 'GET' && m[2]) {
      fetches.set(name, (fetches.get(name) ?? 0) + 1);
      if (!file) return notFound();
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': file.length });
      return res.end(file);
    }
    if (m && req.method === 'DELETE' && !m[2]) {
      if (!file) return notFound();
      files.delete(name);
      res.writeHead(204);
      return res.end();
    }
    res.writeHead(405);
    res.end();
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const client = new AriRestClient({
    baseUrl: `http://127.0.0.1:${port}/ari`,
    user: 'ringside',
    password: 'test',
  });
  return {
    client,
    files,
    fetches,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
