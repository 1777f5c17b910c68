// A minimal typed client for Folio: POST a generated document with its
// variables, get back data typed by the document, or a FolioError whose code
// says what to do (see the README's error table).
import type { TypedDocumentString } from './gql/graphql.js';

/** The extensions.code values Folio sends; a client branches on these. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'COST_LIMIT_EXCEEDED'
  | 'DEPTH_LIMIT_EXCEEDED'
  | 'TRUSTED_DOCUMENT_REQUIRED'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'TIMEOUT'
  | 'INTERNAL_SERVER_ERROR'
  | (string & {});

interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: ErrorCode; field?: string; requestId?: string; retryAfterMs?: number; [k: string]: unknown };
}

/** The first error of a response that carried errors. */
export class FolioError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly requestId?: string;
  readonly status: number;
  /** For RATE_LIMITED: how long to wait before trying again. */
  readonly retryAfterMs?: number;
  constructor(err: GraphQLError, status: number, retryAfter: string | null) {
    super(err.message);
    this.name = 'FolioError';
    this.code = err.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    this.field = err.extensions?.field;
    this.requestId = err.extensions?.requestId;
    this.status = status;
    if (typeof err.extensions?.retryAfterMs === 'number') this.retryAfterMs = err.extensions.retryAfterMs;
    else if (retryAfter && /^\d+$/.test(retryAfter)) this.retryAfterMs = Number(retryAfter) * 1000;
  }
}

export interface ClientOptions {
  /** The server, e.g. http://localhost:8080; /query is appended. */
  url: string;
  /** An access token from signIn, sent as Authorization: Bearer …. */
  accessToken?: string;
  /** An API key, sent as X-API-Key (for servers and scripts). */
  apiKey?: string;
  /**
   * Send each operation by its hash alone (extensions.persistedQuery), as a
   * server in trusted-documents mode requires once persisted-documents.json
   * is registered there (`folio documents load`). Off: send the text.
   */
  persisted?: boolean;
}

export class FolioClient {
  constructor(private readonly opts: ClientOptions) {}

  /** Returns a client that sends the given access token. */
  withAccessToken(accessToken: string): FolioClient {
    return new FolioClient({ ...this.opts, accessToken });
  }

  private body<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables | undefined) {
    const hash = documentId(document);
    if (this.opts.persisted && hash) {
      return { variables: variables ?? {}, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
    }
    return { query: document.toString(), variables: variables ?? {} };
  }

  async execute<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
  ): Promise<TResult> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (this.opts.accessToken) headers.Authorization = `Bearer ${this.opts.accessToken}`;
    if (this.opts.apiKey) headers['X-API-Key'] = this.opts.apiKey;
    const res = await fetch(new URL('/query', this.opts.url), {
      method: 'POST',
      headers,
      body: JSON.stringify(this.body(document, variables)),
    });
    const body = (await res.json()) as { data?: TResult; errors?: GraphQLError[] };
    const first = body.errors?.[0];
    if (first) throw new FolioError(first, res.status, res.headers.get('Retry-After'));
    if (!body.data) throw new Error(`Folio answered ${res.status} with neither data nor errors`);
    return body.data;
  }
}

/** The persisted-documents hash of a generated document: its SHA-256 in hex. */
export function documentId<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>): string | undefined {
  return document.__meta__?.hash as string | undefined;
}
