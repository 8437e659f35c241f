import { loadConfig, type Config } from '../../src/config.js';

/**
 * The config of an api role started by a test: test mode, the local Redis under `prefix`,
 * listening on `port`; `extra` adds environment (ARI_URL, ICE_SERVERS...).
 */
export function apiTestConfig(
  prefix: string,
  port: number,
  extra: Record<string, string> = {},
): Config {
  return loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    HTTP_PORT: String(port),
    ...extra,
  });
}
