import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { findLeak } from '../utils/leaks';
import { trickle } from '../utils/raw-socket';

const PROBLEM = /^application\/problem\+json/;

/** The headers every response carries (helmet's set, tuned for a JSON API). */
function expectSecurityHeaders(res: request.Response): void {
  expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(res.headers['x-powered-by']).toBeUndefined();
  // helmet's HTML-document headers are left out for a JSON API (docs/security.md).
  for (const htmlOnly of [
    'cross-origin-opener-policy',
    'origin-agent-cluster',
    'x-dns-prefetch-control',
    'x-download-options',
    'x-permitted-cross-domain-policies',
    'x-xss-protection',
  ]) {
    expect(res.headers[htmlOnly]).toBeUndefined();
  }
}

function expectCleanProblem(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(PROBLEM);
  expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:ballast:problem:/), status });
  expect(findLeak(res.text)).toBeUndefined();
}

describe('HTTP edge: security headers, CORS, hostile methods and URLs (e2e)', () => {
  describe('default configuration', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ BODY_LIMIT_BYTES: '1024' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('sends the security headers and HSTS on successes, and no X-Powered-By', async () => {
      const created = await request(t.server).post('/api/v1/users').send({ email: 'h@example.com', name: 'H' });
      expect(created.status).toBe(201);
      expectSecurityHeaders(created);
      expect(created.headers['strict-transport-security']).toBe('max-age=31536000');
      const listed = await request(t.server).get('/api/v1/users');
      expect(listed.status).toBe(200);
      expectSecurityHeaders(listed);
    });

    it('sends the security headers on every kind of error, each a clean problem+json', async () => {
      const cases: Array<[request.Test, number]> = [
        [request(t.server).get('/no/such/route'), 404],
        [request(t.server).get('/api/v1/users/not-a-uuid'), 400],
        [request(t.server).get('/api/v1/users/01939e6a-0000-7000-8000-000000000000'), 404],
        [request(t.server).post('/api/v1/users').set('Content-Type', 'application/json').send('{"email":'), 400],
        [request(t.server).post('/api/v1/users').set('Content-Type', 'text/plain').send('hello'), 415],
        [
          request(t.server)
            .post('/api/v1/users')
            .send({ email: 'big@example.com', name: 'x'.repeat(2000) }),
          413,
        ],
      ];
      for (const [pending, status] of cases) {
        const res = await pending;
        expectCleanProblem(res, status);
        expectSecurityHeaders(res);
      }
    });

    it('answers methods a route does not have (OPTIONS, TRACE, DELETE, PUT, PATCH) with a clean 404', async () => {
      for (const method of ['options', 'trace', 'delete', 'put', 'patch'] as const) {
        const res = await request(t.server)[method]('/api/v1/users');
        expectCleanProblem(res, 404);
        expectSecurityHeaders(res);
      }
    });

    it('answers hostile paths and query strings with a clean 4xx, never echoing internals', async () => {
      const paths = [
        ['/%', 404],
        ['/api/v1/users/%zz', 400],
        ['/api/v1/users/%00', 400],
        ['/api/v1/users/..%2f..%2fetc%2fpasswd', 400],
        ['//api/v1/users', 404],
        [`/api/v1/users/${'a'.repeat(4000)}`, 400],
        ['/api/v1/users?limit=%', 400],
        ['/api/v1/users?limit[a]=1', 400],
        ['/api/v1/users?__proto__[polluted]=1', 400],
        ['/api/v1/users?constructor[prototype][polluted]=1', 400],
        ['/api/v1/users?cursor=%27%20OR%201%3D1--', 400],
      ] as const;
      for (const [path, status] of paths) {
        const res = await request(t.server).get(path);
        expectCleanProblem(res, status);
      }
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('sends no CORS header, even to a request that names an Origin (CORS is off by default)', async () => {
      const res = await request(t.server).get('/api/v1/users').set('Origin', 'https://evil.example.com');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await request(t.server)
        .options('/api/v1/users')
        .set('Origin', 'https://evil.example.com')
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    });

    it('lets Node refuse unknown methods and malformed request lines with a bare 400 and a close', async () => {
      t.server.listen(0, '127.0.0.1');
      await once(t.server, 'listening');
      const { port } = t.server.address() as AddressInfo;
      try {
        for (const raw of [
          'FOO /api/v1/users HTTP/1.1\r\nHost: x\r\n\r\n',
          'GET /api/v1/users HTTP/9.9\r\nHost: x\r\n\r\n',
          'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n',
          'GET / HTTP/1.1\r\nBad Header\r\n\r\n',
        ]) {
          const outcome = await trickle(port, raw, { intervalMs: 1, bytesPerTick: raw.length }).closed;
          expect(outcome.status).toBe(400);
          expect(outcome.received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n\r\n$/);
        }
      } finally {
        t.server.close();
      }
    });
  });

  describe('with CORS_ORIGINS and HSTS off', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ CORS_ORIGINS: 'https://app.example.com', HSTS_MAX_AGE_SECONDS: '0' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('allows a listed origin, exposing the backoff and correlation headers', async () => {
      const res = await request(t.server).get('/api/v1/users').set('Origin', 'https://app.example.com');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['vary']).toMatch(/Origin/);
      expect(res.headers['access-control-expose-headers']).toMatch(/Retry-After/);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expectSecurityHeaders(res);
    });

    it('answers a preflight from a listed origin with the allowed methods, and one from another origin without', async () => {
      const allowed = await request(t.server)
        .options('/api/v1/users')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');
      expect(allowed.status).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(allowed.headers['access-control-allow-methods']).toMatch(/POST/);
      expect(allowed.headers['access-control-max-age']).toBe('600');
      const other = await request(t.server)
        .options('/api/v1/users')
        .set('Origin', 'https://evil.example.com')
        .set('Access-Control-Request-Method', 'POST');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('carries the CORS headers on error responses too, so a browser script can read them', async () => {
      const res = await request(t.server).get('/api/v1/users/not-a-uuid').set('Origin', 'https://app.example.com');
      expectCleanProblem(res, 400);
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    });
  });
});
