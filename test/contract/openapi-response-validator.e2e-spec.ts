import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { trickle } from '../utils/raw-socket';
import { createTestApp, type TestApp } from '../utils/create-test-app';
import { type CapturedResponse, OpenApiResponseValidator } from './openapi-response-validator';

const USER = { id: '019abc12-3456-7def-8123-456789abcdef', email: 'ada@example.com', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' };
const RATE_LIMIT = { 'ratelimit-policy': '"default";q=30;w=3', ratelimit: '"default";r=29;t=1' };

function response(overrides: Partial<CapturedResponse> & { json?: unknown }): CapturedResponse {
  const { json, ...rest } = overrides;
  return {
    method: 'GET',
    url: `/api/v1/users/${USER.id}/profile`,
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', ...RATE_LIMIT },
    body: Buffer.from(JSON.stringify(json ?? { ...USER, profile: null, profileStatus: 'disabled' })),
    ...rest,
  };
}

/** The check every e2e response goes through (test/contract/contract-recorder.ts) catches what it must. */
describe(OpenApiResponseValidator.name, () => {
  let t: TestApp;
  let document: any;
  let validator: OpenApiResponseValidator;
  beforeAll(async () => {
    t = await createTestApp();
    document = (await request(t.server).get('/docs-json')).body;
    validator = new OpenApiResponseValidator(document);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts the degraded profile answer (`profile: null`)', () => {
    expect(validator.validate(response({}))).toEqual({ validated: true, problems: [] });
  });

  it('refuses `profile: null` under the schema @nestjs/swagger rendered before (nullable + allOf $ref)', () => {
    const before = structuredClone(document);
    before.components.schemas.UserWithProfileResponse.properties.profile = {
      nullable: true,
      type: 'object',
      allOf: [{ $ref: '#/components/schemas/UserProfile' }],
    };
    const outcome = new OpenApiResponseValidator(before).validate(response({}));
    expect(outcome.validated && outcome.problems.join()).toMatch(/profile/);
  });

  it('finds an undeclared status, an undeclared content type, a missing required header and a bad body', () => {
    const problems = (r: CapturedResponse) => {
      const outcome = validator.validate(r);
      return outcome.validated ? outcome.problems.join('\n') : `skipped: ${outcome.reason}`;
    };
    expect(problems(response({ status: 418 }))).toMatch(/status not declared/);
    expect(problems(response({ headers: { 'content-type': 'text/html', ...RATE_LIMIT } }))).toMatch(
      /content type "text\/html" not declared/,
    );
    expect(problems(response({ headers: { 'content-type': 'application/json' } }))).toMatch(/required header RateLimit-Policy missing/);
    expect(problems(response({ json: { ...USER, profileStatus: 'maybe' } }))).toMatch(/profile|profileStatus/);
    expect(
      problems(response({ url: '/health/ready', status: 503, headers: { 'content-type': 'application/json' }, json: { status: 'error' } })),
    ).toMatch(/details|version/);
  });

  it('routes a path as the server does: a fragment (`#…`) a raw client sent is not part of the path', async () => {
    // Found by hostile-input: `GET /api/v1/users/#x` reaches the list route (the router drops the fragment), and
    // the validator, which kept it, checked the list against the one-user schema.
    t.server.listen(0, '127.0.0.1');
    await once(t.server, 'listening');
    const port = (t.server.address() as AddressInfo).port;
    const message = 'GET /api/v1/users/#x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
    const outcome = await trickle(port, message, { intervalMs: 1, bytesPerTick: message.length }).closed;
    expect(outcome.status).toBe(200);
    const body = Buffer.from(outcome.received.split('\r\n\r\n', 2)[1] ?? '');
    const headers = { 'content-type': 'application/json; charset=utf-8', ...RATE_LIMIT };
    expect(validator.validate({ method: 'GET', url: '/api/v1/users/#x', status: 200, headers, body })).toEqual({
      validated: true,
      problems: [],
    });
  });

  it('leaves out only what the document does not describe: unknown routes and methods, paths outside /api, /health, /metrics', () => {
    expect(validator.validate(response({ url: '/api/v1/nothing-here', status: 404 }))).toEqual({
      validated: false,
      reason: 'no such operation',
    });
    expect(validator.validate(response({ method: 'DELETE', url: '/api/v1/users', status: 404 }))).toEqual({
      validated: false,
      reason: 'no such operation',
    });
    expect(validator.validate(response({ url: '/docs', status: 200 }))).toEqual({ validated: false, reason: 'outside the contract' });
  });
});
