import { describe, expect, it } from 'vitest';
import { fileHead } from './api.js';

describe('fileHead (what a preview uploads)', () => {
  it('sends a small file whole', async () => {
    const file = new Blob(['phone\n+14155550101\n+1415555']);
    expect(await fileHead(file, 1024)).toBe(file);
  });

  it('cuts a large file after its last complete line within the limit', async () => {
    const file = new Blob(['phone\n+14155550101\n+14155550102\n']);
    const head = await fileHead(file, 25);
    expect(await head.text()).toBe('phone\n+14155550101\n');
  });

  it('keeps the limit when the head holds no line break at all', async () => {
    const head = await fileHead(new Blob(['x'.repeat(100)]), 10);
    expect(head.size).toBe(10);
  });
});
