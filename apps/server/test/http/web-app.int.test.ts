import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

let h: Harness;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ringside-web-'));
  await mkdir(path.join(root, 'assets'));
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>panel</title>');
  await writeFile(path.join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  h = await createHarness({ webRoot: root });
});
afterAll(async () => {
  await h?.close();
  await rm(root, { recursive: true, force: true });
});

describe('serving the agent panel', () => {
  it('serves index.html at / and for any page path, never cached', async () => {
    for (const url of ['/', '/agent', '/agent/calls/7']) {
      const r = await h.app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.body).toContain('<title>panel</title>');
    }
  });

  it('serves hashed assets as immutable', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/javascript/);
    expect(r.headers['cache-control']).toContain('immutable');
  });

  it('answers 404 for a missing asset and never serves a file outside the build', async () => {
    const secretName = `${path.basename(root)}-secret.txt`;
    await writeFile(path.join(root, '..', secretName), 'TOP-SECRET');
    try {
      for (const url of [
        '/assets/missing.js',
        `/../${secretName}`,
        `/%2e%2e/${secretName}`,
        `/assets/..%2f..%2f${secretName}`,
        `/assets/%2e%2e%2f%2e%2e%2f${secretName}`,
      ]) {
        const r = await h.app.inject({ method: 'GET', url });
        expect({ url, status: r.statusCode }).toEqual({ url, status: 404 });
        expect(r.body).not.toContain('TOP-SECRET');
      }
    } finally {
      await rm(path.join(root, '..', secretName), { force: true });
    }
  });

  it('keeps /api and /ws answers as JSON errors', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/nope' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('without a build', () => {
  it('says how to build the panel', async () => {
    const bare = await createHarness();
    try {
      const r = await bare.app.inject({ method: 'GET', url: '/' });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ error: { message: expect.stringContaining('web:build') } });
    } finally {
      await bare.close();
    }
  });
});
