// Where the lab lives on disk.

import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const kLabDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const kRepoDir = path.dirname(kLabDir);
/** Per-run logs and data dirs (git-ignored). */
export const kRunsDir = path.join(kLabDir, '.runs');
