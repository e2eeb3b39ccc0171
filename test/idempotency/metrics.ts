import type { Server } from 'node:http';
import { scrape, valueOf } from '../utils/metrics-text';

/** One sample's value from the app's /metrics (0 when absent). */
export async function metricValue(server: Server, name: string, labels: Record<string, string> = {}): Promise<number> {
  return valueOf(await scrape(server), name, labels) ?? 0;
}
