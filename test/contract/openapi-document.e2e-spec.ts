import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

interface SpectralFinding {
  code: string;
  severity: number;
  path: string[];
  message: string;
}

/** The document independent tools see: fetched from the real app, checked by validators nobody here wrote. */
describe('OpenAPI document (/docs-json) under independent validators', () => {
  let t: TestApp;
  let dir: string;
  let file: string;
  let document: { openapi: string; paths: Record<string, Record<string, any>>; tags: any[]; servers: any[]; components: any };

  beforeAll(async () => {
    t = await createTestApp();
    const res = await request(t.server).get('/docs-json');
    expect(res.status).toBe(200);
    document = res.body;
    dir = mkdtempSync(join(tmpdir(), 'ballast-openapi-'));
    file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('validates as OpenAPI 3.x (@seriousme/openapi-schema-validator, strict)', async () => {
    // ESM-only package: run its own CLI on the document rather than load it into jest's CommonJS runtime.
    const { stdout } = await run(process.execPath, [
      join(ROOT, 'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js'),
      file,
    ]).catch((error: { stdout: string; stderr: string }) => ({ stdout: `${error.stdout}\n${error.stderr}` }));
    expect(document.openapi).toMatch(/^3\./);
    expect(stdout).toMatch(/"valid": ?true/);
  });

  it('has no Spectral finding under spectral:oas and the OWASP ruleset, except the exceptions in .spectral.yaml', async () => {
    const cli = join(ROOT, 'node_modules/@stoplight/spectral-cli/dist/index.js');
    const { stdout } = await run(
      process.execPath,
      [cli, 'lint', file, '--ruleset', join(ROOT, '.spectral.yaml'), '--format', 'json', '--quiet', '--fail-severity', 'hint'],
      {
        cwd: ROOT,
      },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const findings = (JSON.parse(stdout || '[]') as SpectralFinding[]).map((f) => `${f.code} at ${f.path.join('.')}: ${f.message}`);
    expect(findings).toEqual([]);
  }, 60_000);

  it('makes `profile` nullable the way OpenAPI 3.0 means it (not nullable + allOf $ref)', () => {
    const profile = document.components.schemas.UserWithProfileResponse.properties.profile;
    expect(profile.allOf).toBeUndefined();
    expect(profile.oneOf).toEqual(
      expect.arrayContaining([{ $ref: '#/components/schemas/UserProfile' }, expect.objectContaining({ nullable: true, enum: [null] })]),
    );
  });

  it('documents both answers of /health/ready, a body for /health/live, and /metrics as text/plain', () => {
    const ready = document.paths['/health/ready'].get.responses;
    expect(ready['200'].description).not.toBe('');
    expect(ready['200'].content['application/json'].schema.required).toEqual(['status', 'details', 'version']);
    expect(ready['503'].content['application/json'].schema.properties.status.enum).toContain('error');
    expect(document.paths['/health/live'].get.responses['200'].content['application/json'].schema).toBeDefined();
    expect(Object.keys(document.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
  });

  it('declares RateLimit-Policy and RateLimit on every 2xx and 4xx of /api, required where the guard always sends them', () => {
    for (const [path, item] of Object.entries(document.paths).filter(([p]) => p.startsWith('/api/'))) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
          if (Number(status) >= 500) continue;
          expect([`${method} ${path} ${status}`, Object.keys(response.headers ?? {})]).toEqual([
            `${method} ${path} ${status}`,
            expect.arrayContaining(['RateLimit-Policy', 'RateLimit']),
          ]);
          if (Number(status) < 300) expect(response.headers.RateLimit.required).toBe(true);
        }
      }
    }
  });

  it('bounds what the DTOs bound: integer limit 1..100, uuid ids, pages of at most 100, string lengths', () => {
    const list = document.paths['/api/v1/users'].get;
    const limit = list.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    for (const path of ['/api/v1/users/{id}', '/api/v1/users/{id}/profile']) {
      expect(document.paths[path].get.parameters.find((p: { name: string }) => p.name === 'id').schema).toMatchObject({
        type: 'string',
        format: 'uuid',
      });
    }
    expect(document.components.schemas.UserPageResponse.properties.items.maxItems).toBe(100);
    expect(document.components.schemas.UserResponse.properties.name.maxLength).toBe(200);
    expect(document.components.schemas.UserResponse.properties.email.maxLength).toBe(320);
  });

  it('declares the conditional writes: If-Match, ETag, 412/428 on PATCH, 204/404/412 on DELETE, Location on 201', () => {
    const item = document.paths['/api/v1/users/{id}'];
    const ifMatch = (operation: { parameters: Array<{ name: string; in: string; required: boolean }> }) =>
      operation.parameters.find((p) => p.in === 'header' && p.name === 'If-Match');
    expect(ifMatch(item.patch)).toMatchObject({ required: true });
    expect(ifMatch(item.delete)).toMatchObject({ required: false });
    expect(Object.keys(item.patch.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409', '412', '428']));
    expect(Object.keys(item.delete.responses)).toEqual(expect.arrayContaining(['204', '404', '412']));
    expect(item.delete.responses['428']).toBeUndefined();
    for (const response of [item.get.responses['200'], item.patch.responses['200']])
      expect(response.headers.ETag).toMatchObject({ required: true, schema: { pattern: '^"\\d{1,15}"$' } });
    expect(document.paths['/api/v1/users'].post.responses['201'].headers.Location).toMatchObject({ required: true });
    expect(item.patch.responses['412'].content['application/problem+json']).toBeDefined();
  });

  it('names tags in one case, describes them, sets servers, and gives every operation an id and a description', () => {
    const names = document.tags.map((tag: { name: string }) => tag.name);
    // The platform's tags and the example feature's; a generated feature adds its own (one case, described too).
    expect(names).toEqual(expect.arrayContaining(['health', 'metrics', 'users']));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(document.tags.every((tag: { description?: string }) => Boolean(tag.description))).toBe(true);
    expect(document.servers.length).toBeGreaterThan(0);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect([
          `${method} ${path}`,
          operation.tags.every((tag: string) => names.includes(tag)),
          Boolean(operation.description),
          operation.operationId,
        ]).toEqual([`${method} ${path}`, true, true, expect.stringMatching(/^[a-z][A-Za-z]+$/)]);
      }
    }
  });
});
