import request from 'supertest';
import { SWAGGER_UI_CSP } from '../src/platform/openapi/setup-openapi';
import { createTestApp, type TestApp } from './utils/create-test-app';

describe('OpenAPI (e2e)', () => {
  describe('enabled (the default outside production)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('serves Swagger UI at /docs and the document at /docs-json with every users route', async () => {
      const ui = await request(t.server).get('/docs');
      expect(ui.status).toBe(200);
      // The HTML page may load its own scripts and styles; the API keeps `default-src 'none'`.
      expect(ui.headers['content-security-policy']).toBe(SWAGGER_UI_CSP);
      const script = /<script src=["']([^"']+swagger-ui-init\.js)["']/.exec(ui.text)?.[1];
      expect(script).toBeDefined();
      const init = await request(t.server).get(script!.startsWith('/') ? script! : `/docs/${script!.replace(/^\.\//, '')}`);
      expect(init.status).toBe(200);
      const res = await request(t.server).get('/docs-json');
      expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/users', '/api/v1/users/{id}']));
      expect(res.body.components.schemas.CreateUserDto.required).toEqual(['email', 'name']);
    });

    it('documents the platform responses of every API operation: problem+json, 429/503 with their headers, 504', async () => {
      const { body } = await request(t.server).get('/docs-json');
      const post = body.paths['/api/v1/users'].post;
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '413', '415', '429', '503', '504']));
      expect(post.responses['429'].headers).toHaveProperty('Retry-After');
      expect(post.responses['429'].headers).toHaveProperty('RateLimit-Policy');
      expect(post.responses['503'].headers).toHaveProperty('Retry-After');
      expect(post.responses['409'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/ProblemDetails');
      expect(body.components.schemas.ProblemDetails.required).toEqual(['type', 'title', 'status', 'detail']);
      const get = body.paths['/api/v1/users/{id}'].get;
      expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '404', '429', '503', '504']));
      // The edge refuses a non-JSON body on any method: a GET with one gets 415 too.
      expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['413', '415']));
    });
  });

  it('is off in production unless DOCS_ENABLED=true', async () => {
    const off = await createTestApp({ NODE_ENV: 'production' });
    try {
      expect((await request(off.server).get('/docs-json')).status).toBe(404);
    } finally {
      await off.close();
    }
    const on = await createTestApp({ NODE_ENV: 'production', DOCS_ENABLED: 'true' });
    try {
      expect((await request(on.server).get('/docs-json')).status).toBe(200);
    } finally {
      await on.close();
    }
  });
});
