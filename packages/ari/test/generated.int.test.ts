import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('generated ARI code', () => {
  it('is what the generator makes from ../shared/ari today (run npm run ari:generate if not)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'ari-gen-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(pkg, 'scripts/generate.ts')], {
        env: { ...process.env, ARI_GENERATED_DIR: out },
        stdio: 'pipe',
      });
      const committed = path.join(pkg, 'src/generated');
      const files = readdirSync(out).sort();
      expect(files).toEqual(readdirSync(committed).sort());
      for (const f of files) {
        expect(readFileSync(path.join(out, f), 'utf8'), f).toBe(
          readFileSync(path.join(committed, f), 'utf8'),
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
