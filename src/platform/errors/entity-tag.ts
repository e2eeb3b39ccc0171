/**
 * What a client's `If-Match` asks for: any current version (`*`), or one of these versions. A weak tag or a value
 * that is not a version tag can never match (RFC 9110 compares If-Match strongly), so it parses to no version.
 */
export type IfMatchCondition = { readonly any: true } | { readonly any: false; readonly versions: readonly number[] };

/** A strong tag per version: the same version is the same row, so the same bytes of the representation. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

const STRONG_VERSION_TAG = /^"(\d{1,15})"$/;

/** Parses an `If-Match` value: `*`, or a comma-separated list of entity tags. */
export function parseIfMatch(header: string): IfMatchCondition {
  if (header.trim() === '*') return { any: true };
  const versions = header
    .split(',')
    .map((tag) => STRONG_VERSION_TAG.exec(tag.trim())?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number);
  return { any: false, versions };
}
