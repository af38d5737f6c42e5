/** Talking to the service: the operator's token (kept per tab) on every call. */

const TOKEN_KEY = 'herald.adminToken'

export function getToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? ''
  } catch {
    return ''
  }
}

export function setToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token)
    else sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    // Storage disabled: the token lives until reload.
  }
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

// In production every /dashboard/api call needs the operator's token: the one entered once, kept for this tab.
export function withToken(headers?: HeadersInit): Record<string, string> {
  const token = getToken()
  return { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(headers as Record<string, string> | undefined) }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, headers: withToken(init.headers) })
  const type = response.headers.get('Content-Type') ?? ''
  const body: unknown = type.includes('json') ? await response.json().catch(() => null) : await response.text()
  if (!response.ok) {
    const problem = body as { detail?: string; title?: string } | null
    throw new ApiError(problem?.detail || problem?.title || `HTTP ${response.status}`, response.status)
  }
  return body as T
}

export function admin<T>(path: string, init: RequestInit = {}): Promise<T> {
  return api<T>(path, { ...init, headers: { Authorization: `Bearer ${getToken()}`, ...(init.headers as Record<string, string> | undefined) } })
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))
export const statusOf = (error: unknown): number | undefined => (error instanceof ApiError ? error.status : undefined)
