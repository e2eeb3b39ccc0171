import { Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { nestSecurityHook } from './nest-security-hook';

@Module({})
class EmptyModule {}

describe(nestSecurityHook.name, () => {
  it('finds the hook behind useSecurityHeaders() on the installed Nest (fails on the release that renames it)', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [EmptyModule] }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    try {
      app.useSecurityHeaders({});
      expect(typeof nestSecurityHook(app)?.handle).toBe('function');
    } finally {
      await app.close();
    }
  });
});
