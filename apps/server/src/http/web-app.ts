import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../errors.js';

/**
 * Serves the built agent panel (apps/web/dist) on every GET outside /api and /ws: files as they
 * are, and index.html for any other path without an extension (the panel has one page and does
 * its own routing). Nothing is built at start-up; without a build `/` says how to make one.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export function registerWebApp(
  app: FastifyInstance,
  root: string | null,
  opts: { sourceMaps?: boolean } = {},
): void {
  const base = root ? path.resolve(root) : null;
  app.route({
    method: 'GET',
    url: '/*',
    config: { auth: 'public' },
    schema: { hide: true },
    handler: async (req, reply) => {
      const rawPath = req.url.split('?')[0] ?? '/';
      if (rawPath === '/api' || rawPath.startsWith('/api/') || rawPath.startsWith('/ws')) {
        throw new NotFoundError(`no route GET ${rawPath}`);
      }
      let urlPath: string;
      try {
        urlPath = decodeURIComponent(rawPath);
      } catch {
        throw new ValidationError('malformed path', [{ path: 'url', message: 'bad encoding' }]);
      }
      const index = base ? path.join(base, 'index.html') : null;
      if (!base || !index || !(await isFile(index))) {
        throw new NotFoundError('the agent panel is not built: run npm run web:build');
      }
      // Resolve inside the build directory only: "..", encoded or not, cannot leave it.
      const wanted = path.resolve(base, `.${urlPath}`);
      if (wanted !== base && !wanted.startsWith(base + path.sep)) {
        throw new NotFoundError('not found');
      }
      // Production does not hand out the panel's sources (NODE_ENV=production).
      if (opts.sourceMaps === false && path.extname(urlPath).toLowerCase() === '.map') {
        throw new NotFoundError('not found');
      }
      let file = wanted;
      if (!(await isFile(file))) {
        if (path.extname(urlPath) !== '') throw new NotFoundError('not found');
        file = index;
      }
      const ext = path.extname(file).toLowerCase();
      void reply.header('x-content-type-options', 'nosniff');
      // Vite puts content-hashed files under /assets: they never change; the page always may.
      void reply.header(
        'cache-control',
        file.startsWith(path.join(base, 'assets') + path.sep)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      );
      return reply.type(TYPES[ext] ?? 'application/octet-stream').send(createReadStream(file));
    },
  });
}
