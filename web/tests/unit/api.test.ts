// The API client's error handling: the server's {"error":{…}} becomes a value with the field it
// is about; a network failure and a non-JSON answer too; writes carry the CSRF token and every
// call the UI's language.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, fieldMessage, setApiLanguage, setCsrfToken } from '@/api'

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return vi.fn(async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    }),
  )
}

afterEach(() => {
  vi.unstubAllGlobals()
  setCsrfToken(null)
  setApiLanguage('zh-CN')
})

describe('api client', () => {
  it('returns the parsed body and the ETag on success', async () => {
    vi.stubGlobal('fetch', answer(200, { items: [{ code: '360602' }] }, { ETag: '"3"' }))
    const r = await api.children('3606')
    expect(r).toEqual({ ok: true, value: { items: [{ code: '360602' }] }, etag: '"3"' })
  })

  it('turns an API error into a value naming its field', async () => {
    const body = { error: { code: 'invalid_argument', message: '诉求内容（description）：必填', request_id: 'r1', field: 'description' } }
    vi.stubGlobal('fetch', answer(400, body))
    const r = await api.submit({ category: 'urban.lighting', place: '360602001001', description: '', anonymous: true }, 'k1')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error).toEqual({ code: 'invalid_argument', message: '诉求内容（description）：必填', status: 400, field: 'description', requestId: 'r1' })
    expect(fieldMessage(r.error)).toBe('必填')
  })

  it('strips the English field prefix too, and leaves other messages whole', () => {
    expect(fieldMessage({ code: 'invalid_argument', message: 'description: is required', status: 400, field: 'description' })).toBe('is required')
    expect(fieldMessage({ code: 'not_found', message: 'no case has this code', status: 404 })).toBe('no case has this code')
  })

  it('reports a network failure in the UI language', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    setApiLanguage('en')
    const r = await api.track('ABCD-EFGH-JKMN')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('network')
    expect(r.error.status).toBe(0)
    expect(r.error.message).toMatch(/cannot be reached/)
  })

  it('reports a gateway\'s error page in the UI language, never as raw HTTP words', async () => {
    vi.stubGlobal('fetch', answer(502, '<html>Bad Gateway</html>', { 'Content-Type': 'text/html' }))
    const r = await api.categories()
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('http_502')
    expect(r.error.status).toBe(502)
    expect(r.error.message).toBe('服务暂时不可用，请稍后重试')
    setApiLanguage('en')
    const en = await api.categories()
    expect(!en.ok && en.error.message).toBe('The service is temporarily unavailable; please try again later.')
    vi.stubGlobal('fetch', answer(413, '<html>Request Entity Too Large</html>', { 'Content-Type': 'text/html' }))
    const other = await api.categories()
    expect(!other.ok && other.error.message).toBe('The request did not go through (error 413); please try again later.')
  })

  it('keeps the server\'s own message of a 5xx', async () => {
    vi.stubGlobal('fetch', answer(503, { error: { code: 'unavailable', message: '数据库忙，请稍后重试', request_id: 'r9' } }))
    const r = await api.categories()
    expect(!r.ok && r.error).toMatchObject({ code: 'unavailable', message: '数据库忙，请稍后重试', status: 503, requestId: 'r9' })
  })

  it('sends JSON, the language, the CSRF token on writes, and the idempotency key', async () => {
    const fetch = answer(201, { number: 'n', tracking_code: 'c', state: 'registered', deadline_at: null })
    vi.stubGlobal('fetch', fetch)
    setApiLanguage('en')
    setCsrfToken('tok')
    await api.submit({ category: 'c', place: 'p', description: 'd', anonymous: true }, 'key-1')
    await api.categories()
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    const headers = init.headers as Record<string, string>
    expect(url).toBe('/api/v1/cases')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    expect(headers['Content-Type']).toBe('application/json')
    expect(headers['Accept-Language']).toBe('en')
    expect(headers['X-CSRF-Token']).toBe('tok')
    expect(headers['Idempotency-Key']).toBe('key-1')
    expect(JSON.parse(init.body as string)).toMatchObject({ kind: 'demand', description: 'd', anonymous: true })
    const read = (fetch.mock.calls[1] as unknown as [string, RequestInit])[1].headers as Record<string, string>
    expect(read['X-CSRF-Token']).toBeUndefined()
  })
})
