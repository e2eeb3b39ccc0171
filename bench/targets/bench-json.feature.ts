import { Controller, Get, Module } from '@nestjs/common';
import { defineFeature } from '../../src/platform/composition';

/** GET /bench/json → `{"ok":true}`: no database, no body, so what is left to measure is the pipeline around it. */
@Controller('bench')
export class BenchJsonController {
  @Get('json')
  json(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [BenchJsonController] })
export class BenchJsonModule {}

/**
 * The bench route as one more feature of src/features.ts would be: composed by AppModule.forRoot like the users
 * feature, so it goes through the same global guard (rate limit), filter, pipe and edge (metrics, request line,
 * deadline, admission…) as a feature route. Bench-only: bench/ is outside the build and the image.
 */
export const benchJsonFeature = defineFeature({
  name: 'bench',
  description: 'Bench-only: GET /bench/json, the framework floor without a database.',
  module: BenchJsonModule,
});
