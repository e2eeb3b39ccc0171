import { createHash, randomBytes } from 'node:crypto';

/** What every API key starts with: recognisable in a leaked file or a secret scanner, never part of the secret. */
export const API_KEY_PREFIX = 'bk_';

/** A new API key: 256 random bits, base64url, with the prefix. Shown once; only its hash is stored. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * The stored form of a key: SHA-256, hex. A slow password hash (bcrypt, argon2) protects low-entropy secrets
 * against guessing; a key of 256 random bits cannot be guessed, so a fast hash is as safe and keeps the lookup
 * one indexed equality (a salted slow hash would need the key's id in the key and ~50 ms per uncached request).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether `value` has the shape of a key this service issues (cheap check before any lookup). */
export function looksLikeApiKey(value: string): boolean {
  return value.length === API_KEY_PREFIX.length + 43 && value.startsWith(API_KEY_PREFIX) && /^[A-Za-z0-9_-]+$/.test(value.slice(3));
}
