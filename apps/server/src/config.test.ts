import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';

describe('loadConfig', () => {
  it('uses localhost defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/ringside');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.http.port).toBe(8080);
    expect(c.ari).toEqual([]);
  });

  it('names the variable and the problem in one line when a value is bad', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(
      /^configuration: HTTP_PORT is invalid/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL is invalid/);
  });

  it('requires a real session secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET is missing/);
  });

  it('parses several Asterisk servers from ARI_URL', () => {
    const c = loadConfig({ ARI_URL: 'http://pbx1:8088/ari, http://pbx2:8088/ari/' });
    expect(c.ari.map((s) => s.id)).toEqual(['pbx1:8088', 'pbx2:8088']);
    expect(c.ari[1]?.baseUrl).toBe('http://pbx2:8088/ari');
  });

  it('refuses an ARI_URL that is not http(s)', () => {
    expect(() => loadConfig({ ARI_URL: 'ws://pbx:8088' })).toThrow(/ARI_URL is invalid/);
  });
});
