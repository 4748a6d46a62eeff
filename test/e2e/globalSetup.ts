import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPhoto } from './serve';

const root = join(import.meta.dirname, '..', '..');

/** Builds the renderer serve mode hands out, and checks Chromium and the shared photos are there. */
export default function setup(): void {
  sharedPhoto('coffee.png');
  if (!existsSync('/usr/bin/chromium')) {
    throw new Error('Chromium is missing: apt-get install -y chromium');
  }
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}
