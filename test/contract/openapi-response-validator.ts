import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isEmail } from 'class-validator';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** One finished response, as the server sent it. */
export interface CapturedResponse {
  method: string;
  url: string;
  status: number;
  headers: OutgoingHttpHeaders | IncomingHttpHeaders;
  body: Buffer;
}

/** The outcome for one response: validated (with its problems, if any) or skipped (with why). */
export type ValidationOutcome = { validated: true; problems: string[] } | { validated: false; reason: string };

type Schema = Record<string, unknown>;
interface Header {
  required?: boolean;
  schema?: Schema;
}
interface Response {
  headers?: Record<string, Header>;
  content?: Record<string, { schema?: Schema }>;
}
interface Document {
  paths: Record<string, Record<string, { responses?: Record<string, Response> }>>;
  components?: Record<string, unknown>;
}

/** Paths whose responses the contract covers (Swagger UI's own files are not API responses). */
export const CONTRACT_PREFIXES = ['/api/', '/health/', '/metrics'];

/**
 * Validates real responses against the OpenAPI 3.0 document: status declared, content type declared, body
 * against its schema (ajv, with OpenAPI's `nullable`), every `required` header present and matching its schema.
 * Hand-written routing (~40 lines): the response validators on npm check a body for a status of an operation
 * you already picked; none takes a raw Node response and the document and does the rest.
 */
export class OpenApiResponseValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: Array<{ pattern: RegExp; template: string }>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: Document) {
    addFormats(this.ajv);
    // `format: email` means an address as the API validates it (validator.js isEmail, RFC 5322 local parts):
    // ajv-formats' shorter regex refuses addresses fast-check generates that the API rightly accepts.
    this.ajv.addFormat('email', (value: string) => isEmail(value));
    // The components become one schema, so that `#/components/...` references resolve inside it.
    this.ajv.addSchema({ $id: 'openapi', components: document.components ?? {} });
    this.routes = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** Checks one response; skips (with the reason) what the document does not claim to describe. */
  validate(response: CapturedResponse): ValidationOutcome {
    // The path as the router sees it: up to `?` or `#` (a raw client can send a fragment; the router drops it),
    // and without a trailing slash (routing is not strict: `/api/v1/users/` is `/api/v1/users`).
    const path = decodeURIComponentSafe(response.url.split(/[?#]/, 1)[0] ?? '').replace(/(?<=.)\/$/, '');
    if (!CONTRACT_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix)))
      return { validated: false, reason: 'outside the contract' };
    const route = this.routes.find((r) => r.pattern.test(path));
    // A path or method the API does not have: the 404/405 of an unknown route is not an operation's response.
    const operation = route && this.document.paths[route.template]?.[response.method.toLowerCase()];
    if (!route || !operation) return { validated: false, reason: 'no such operation' };
    const where = `${response.method} ${route.template} → ${response.status}`;
    const responses = operation.responses ?? {};
    const declared = responses[String(response.status)] ?? responses[`${String(response.status)[0]}XX`] ?? responses['default'];
    if (!declared) return { validated: true, problems: [`${where}: status not declared`] };
    const problems: string[] = [];
    this.checkHeaders(declared, response, where, problems);
    this.checkBody(declared, response, where, problems);
    return { validated: true, problems };
  }

  private checkHeaders(declared: Response, response: CapturedResponse, where: string, problems: string[]): void {
    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      const raw = response.headers[name.toLowerCase()];
      if (raw === undefined) {
        if (header.required) problems.push(`${where}: required header ${name} missing`);
        continue;
      }
      const value = Array.isArray(raw) ? raw.join(', ') : String(raw);
      const type = header.schema?.['type'];
      const typed = type === 'integer' || type === 'number' ? Number(value) : value;
      if (header.schema) this.check(header.schema, typed, `${where}: header ${name}`, problems);
    }
  }

  private checkBody(declared: Response, response: CapturedResponse, where: string, problems: string[]): void {
    const content = declared.content;
    if (response.body.length === 0 || response.method === 'HEAD') {
      return;
    }
    if (!content) {
      problems.push(`${where}: a body was sent but none is declared`);
      return;
    }
    const contentType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const media = content[contentType];
    if (!media) {
      problems.push(`${where}: content type "${contentType}" not declared (declared: ${Object.keys(content).join(', ')})`);
      return;
    }
    if (!media.schema) return;
    const text = response.body.toString('utf8');
    let body: unknown = text;
    if (/[/+]json$/.test(contentType)) {
      try {
        body = JSON.parse(text);
      } catch {
        problems.push(`${where}: ${contentType} body is not JSON`);
        return;
      }
    }
    this.check(media.schema, body, `${where}: body`, problems);
  }

  private check(schema: Schema, value: unknown, what: string, problems: string[]): void {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema));
      this.compiled.set(key, validate);
    }
    if (!validate(value)) problems.push(`${what}: ${this.ajv.errorsText(validate.errors, { dataVar: 'value' })}`);
  }
}

/** Points the document-relative `#/components/...` references at the components schema. */
function rebase(schema: unknown): Schema {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')) as Schema;
}

function decodeURIComponentSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
