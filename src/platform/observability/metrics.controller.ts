import { Controller, Get, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderMetrics } from './metrics-render';

/**
 * `GET /metrics` on the main port (when no management port is set): Prometheus text, or OpenMetrics on request
 * (metrics-render.ts, which the management listener serves too).
 */
@Controller()
export class MetricsController {
  @Get()
  async index(@Req() req: IncomingMessage, @Res({ passthrough: true }) res: ServerResponse): Promise<string> {
    const { contentType, body } = await renderMetrics(req.headers.accept);
    res.setHeader('Content-Type', contentType);
    return body;
  }
}
