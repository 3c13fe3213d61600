// The transport under every API call: JSON in and out, the session cookie (same origin), the
// CSRF token on writes, Accept-Language following the UI's language, and the API's errors
// ({"error":{"code","message","request_id","field"}}) turned into values, never thrown.

/** An error the pages can show: the server's own words, and the input field it is about. */
export interface ApiError {
  /** The API's code (not_found, invalid_argument, …), or "network" when no answer came. */
  code: string
  /** A human message in the UI's language: the server's, or the transport's own when the
   *  server's answer carried none (no answer, a gateway's error page). */
  message: string
  /** The HTTP status; 0 when no answer came. */
  status: number
  /** The request field the error is about (description, place, …), when the server names one. */
  field?: string
  /** The request id to quote when reporting a problem. */
  requestId?: string
  /** A refused command's 409: the commands that could succeed now (their API names). */
  allowed?: string[]
}

export type ApiResult<T> = { ok: true; value: T; etag?: string } | { ok: false; error: ApiError }

type Language = 'zh-CN' | 'en'

interface Settings {
  language: Language
  csrfToken: string | null
}

const settings: Settings = { language: 'zh-CN', csrfToken: null }

// The transport's own messages, for failures that bring no message of the server's (no answer,
// a gateway's error page): pages show them as they are, so they are in the UI's language. They
// live here, not in the i18n files, because the i18n setup imports this module.
const messages: Record<Language, { network: string; unavailable: string; failed: (status: number) => string }> = {
  'zh-CN': {
    network: '无法连接服务，请检查网络后重试',
    unavailable: '服务暂时不可用，请稍后重试',
    failed: (status) => `请求未成功（错误代码 ${status}），请稍后重试`,
  },
  en: {
    network: 'The service cannot be reached. Check the connection and try again.',
    unavailable: 'The service is temporarily unavailable; please try again later.',
    failed: (status) => `The request did not go through (error ${status}); please try again later.`,
  },
}

/** Sets the language of the server's messages (Accept-Language) and of the transport's own. */
export function setApiLanguage(language: Language): void {
  settings.language = language
}

/** Sets the session's CSRF token (from sign-in), sent with every write; null after sign-out. */
export function setCsrfToken(token: string | null): void {
  settings.csrfToken = token
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Sent as JSON. */
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

function isWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD'
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await res.json()
  } catch {
    // Not JSON (a proxy's error page, say): the status alone speaks.
  }
  const e = (body as { error?: Record<string, unknown> } | null)?.error
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return {
      code: e.code,
      message: e.message,
      status: res.status,
      field: typeof e.field === 'string' ? e.field : undefined,
      requestId: typeof e.request_id === 'string' ? e.request_id : undefined,
      allowed: Array.isArray(e.allowed) ? e.allowed.filter((a): a is string => typeof a === 'string') : undefined,
    }
  }
  // A gateway's or proxy's page (502, 503, 504 …) says nothing a resident can use: a message in
  // the UI's language instead, with the status kept in the code for a report.
  const m = messages[settings.language]
  return { code: `http_${res.status}`, message: res.status >= 500 ? m.unavailable : m.failed(res.status), status: res.status }
}

/**
 * Whether a write that failed this way may have been done all the same: no answer came, or a 5xx
 * (a proxy's timeout, say), or an answer that was not the server's. Its Idempotency-Key must then
 * be kept for the retry, so that the retry cannot do it twice.
 */
export function mayHaveBeenDone(e: ApiError): boolean {
  return e.status === 0 || e.status === 408 || e.status >= 500 || e.code === 'bad_response'
}

/** The server's answer to a key sent again with another request: that earlier request was done. */
export function keyAlreadyUsed(e: ApiError): boolean {
  return e.status === 422 && e.code === 'unprocessable'
}

/** Calls the API at path ("/api/v1/…"). Resolves to the parsed body or to an ApiError. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResult<T>> {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': settings.language === 'en' ? 'en' : 'zh-CN',
    ...options.headers,
  }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (isWrite(method) && settings.csrfToken) headers['X-CSRF-Token'] = settings.csrfToken
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch {
    return { ok: false, error: { code: 'network', message: messages[settings.language].network, status: 0 } }
  }
  if (!res.ok) return { ok: false, error: await errorFrom(res) }
  const etag = res.headers.get('ETag') ?? undefined
  if (res.status === 204) return { ok: true, value: undefined as T, etag }
  try {
    return { ok: true, value: (await res.json()) as T, etag }
  } catch {
    return { ok: false, error: { code: 'bad_response', message: messages[settings.language].unavailable, status: res.status } }
  }
}

/**
 * The message of an error for display beside its field: without the "field: " or
 * "名称（field）：" prefix the server puts before input errors, which the field's label already says.
 */
export function fieldMessage(error: ApiError): string {
  if (!error.field) return error.message
  const en = `${error.field}: `
  if (error.message.startsWith(en)) return error.message.slice(en.length)
  const zh = `（${error.field}）：`
  const at = error.message.indexOf(zh)
  return at >= 0 ? error.message.slice(at + zh.length) : error.message
}
