/** The stored recordings as files on disk: the simulated PBX shell's recording store. */
import fs from 'node:fs';
import path from 'node:path';
import { validRecordingName, type SimRecordingStore } from './recording-store.js';

/** `<dir>/<name>.wav` files; names with `/` are subdirectories, as in Asterisk. */
export class DirRecordingStore implements SimRecordingStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private file(name: string): string {
    if (!validRecordingName(name)) throw new TypeError('invalid recording name');
    return path.join(this.dir, `${name}.wav`);
  }

  list(): string[] {
    const out: string[] = [];
    const walk = (rel: string): void => {
      const abs = path.join(this.dir, rel);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(abs, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(r);
        else if (e.isFile() && e.name.endsWith('.wav')) out.push(r.slice(0, -4));
      }
    };
    walk('');
    return out.sort();
  }

  has(name: string): boolean {
    return validRecordingName(name) && fs.existsSync(this.file(name));
  }

  read(name: string): Buffer | null {
    if (!validRecordingName(name)) return null;
    try {
      return fs.readFileSync(this.file(name));
    } catch {
      return null;
    }
  }

  write(name: string, file: Buffer): void {
    const target = this.file(name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written whole then renamed: a reader never sees half a file.
    const tmp = `${target}.part`;
    fs.writeFileSync(tmp, file);
    fs.renameSync(tmp, target);
  }

  delete(name: string): boolean {
    if (!validRecordingName(name)) return false;
    try {
      fs.unlinkSync(this.file(name));
      return true;
    } catch {
      return false;
    }
  }
}
