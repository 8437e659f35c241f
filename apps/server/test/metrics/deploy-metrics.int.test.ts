import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PromMetrics } from '../../src/adapters/metrics/prom-metrics.js';
import { loadConfig } from '../../src/config.js';
import { repoRoot } from '../asterisk/trace-helpers.js';

/** deploy/: the Prometheus scrape configuration, the Grafana dashboard, and their services. */
const deployDir = path.join(repoRoot, 'deploy');
const read = (p: string) => readFileSync(path.join(deployDir, p), 'utf8');

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
}

const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
  services: Record<
    string,
    { environment?: Record<string, string>; volumes?: string[]; command?: string[] }
  >;
};

describe('deploy/prometheus/prometheus.yml', () => {
  const prom = parseYaml(read('prometheus/prometheus.yml')) as {
    scrape_configs: Array<{
      job_name: string;
      metrics_path: string;
      authorization?: { credentials_file?: string };
      static_configs: Array<{ targets: string[] }>;
    }>;
  };

  it('scrapes every role: the api on its HTTP port, the others on METRICS_PORT', () => {
    const job = prom.scrape_configs.find((j) => j.job_name === 'ringside');
    expect(job?.metrics_path).toBe('/metrics');
    const targets = job?.static_configs.flatMap((s) => s.targets).sort();
    const port = compose.services.dialer?.environment?.METRICS_PORT;
    expect(port).toBe('9464');
    expect(targets).toEqual(
      ['api:8080', `ari-worker:${port}`, `dialer:${port}`, `scheduler:${port}`].sort(),
    );
    // The api's port is the one docker-compose gives it.
    expect(compose.services.api?.environment?.HTTP_PORT).toBe('8080');
    // The roles' listener default is the port scraped when nothing is set.
    expect(loadConfig({}).metrics.port).toBe(Number(port));
  });

  it('sends METRICS_TOKEN from the file docker-compose writes it to', () => {
    const job = prom.scrape_configs[0];
    const file = job?.authorization?.credentials_file ?? '';
    expect(file).toBe('/prometheus/metrics-token');
    const p = compose.services.prometheus;
    expect(p?.command?.join(' ')).toContain(`> ${file}`);
    expect(p?.environment?.METRICS_TOKEN).toBe('${METRICS_TOKEN:-none}');
    expect(p?.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    for (const role of ['api', 'ari-worker', 'dialer', 'scheduler']) {
      const env = compose.services[role]?.environment;
      expect(env?.METRICS_TOKEN, role).toBe('${METRICS_TOKEN:-}');
      expect(env?.METRICS_HOST, role).toBe('0.0.0.0');
    }
  });
});

describe('deploy/grafana', () => {
  const dash = JSON.parse(read('grafana/ringside-dashboard.json')) as {
    uid: string;
    panels: Panel[];
  };
  const panels = dash.panels.filter((p) => p.type !== 'row');
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('the dashboard charts every ringside_ metric, and CPU and memory per role', async () => {
    const m = new PromMetrics({ role: 'api', processMetrics: false });
    const families = (await m.registry.getMetricsAsJSON()).map((f) => f.name);
    expect(families.length).toBeGreaterThanOrEqual(14);
    for (const f of families) {
      expect(
        exprs.some((e) => e.includes(f)),
        `no panel shows ${f}`,
      ).toBe(true);
    }
    expect(exprs.some((e) => e.includes('process_cpu_seconds_total'))).toBe(true);
    expect(exprs.some((e) => e.includes('process_resident_memory_bytes'))).toBe(true);
    // Every histogram is read as quantiles from its buckets.
    for (const f of families.filter((n) => n.endsWith('_seconds'))) {
      expect(exprs.some((e) => e.includes(`${f}_bucket`) && e.includes('histogram_quantile'))).toBe(
        true,
      );
    }
  });

  it('every panel has a unique id, a title and the provisioned Prometheus data source', () => {
    const ds = parseYaml(read('grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    const uid = ds.datasources[0]?.uid;
    expect(ds.datasources[0]?.url).toBe('http://prometheus:9090');
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.title).toBeTruthy();
      expect(p.datasource?.uid, p.title).toBe(uid);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe(uid);
    }
  });

  it('docker-compose mounts the dashboard, its provisioning, and files that exist', () => {
    const g = compose.services.grafana;
    for (const v of g?.volumes ?? []) {
      const host = v.split(':')[0] ?? '';
      if (host.startsWith('./')) expect(existsSync(path.join(deployDir, host)), v).toBe(true);
    }
    expect(g?.volumes).toContain(
      './grafana/ringside-dashboard.json:/var/lib/grafana/dashboards/ringside-dashboard.json:ro',
    );
    const provider = parseYaml(read('grafana/provisioning/dashboards/ringside.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(provider.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
  });
});
