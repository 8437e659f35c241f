/**
 * Where the simulated PBX keeps its stored recordings (Asterisk's /var/spool/asterisk/recording):
 * a directory of `<name>.wav` files (recording-files.ts, the shell's: one temporary directory per
 * PBX), or memory (engine unit tests). The engine stays free of I/O by going through this port.
 */

export interface SimRecordingStore {
  /** The stored recordings' names (without the format's extension), sorted. */
  list(): string[];
  has(name: string): boolean;
  /** The file's bytes, or null when there is none by that name. */
  read(name: string): Buffer | null;
  /** Writes (or replaces) the file. */
  write(name: string, file: Buffer): void;
  /** False when there was none. */
  delete(name: string): boolean;
}

/**
 * A recording name Asterisk accepts: relative, `/`-separated segments, none empty, `.` or `..`
 * (Asterisk refuses a name outside its recording directory: 400 "Recording name invalid").
 */
export function validRecordingName(name: string): boolean {
  if (!name || name.length > 255 || name.startsWith('/') || name.includes('\0')) return false;
  return name.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

export class MemoryRecordingStore implements SimRecordingStore {
  private readonly files = new Map<string, Buffer>();
  list(): string[] {
    return [...this.files.keys()].sort();
  }
  has(name: string): boolean {
    return this.files.has(name);
  }
  read(name: string): Buffer | null {
    return this.files.get(name) ?? null;
  }
  write(name: string, file: Buffer): void {
    this.files.set(name, file);
  }
  delete(name: string): boolean {
    return this.files.delete(name);
  }
}
