import type { Server } from 'node:http';
import request from 'supertest';

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus text exposition into samples (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** GET /metrics of an in-process app, parsed. */
export async function scrape(server: Server): Promise<Sample[]> {
  const res = await request(server).get('/metrics').expect(200);
  return parseMetrics(res.text);
}

/** The value of the one sample matching `name` and every label in `labels` (undefined when absent). */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** A stable key per series (name + sorted labels), to compare series sets. */
export function seriesKeys(samples: Sample[], prefix: string): string[] {
  return samples
    .filter((s) => s.name.startsWith(prefix))
    .map(
      (s) =>
        `${s.name}{${Object.keys(s.labels)
          .sort()
          .map((k) => `${k}=${s.labels[k]}`)
          .join(',')}}`,
    )
    .sort();
}
