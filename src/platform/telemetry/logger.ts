export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Readonly<Record<string, unknown>>

/** One structured line per call; fields are scrubbed of secrets and personal data above `debug`. */
export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** Keys whose values never reach a line above `debug`: credentials, signatures, card data, who the buyer is. */
const SECRET_KEY =
  /^(authorization|cookie|set-cookie|password|secret|token|.*token|.*signature|signingkey|.*signingkey|card|cardnumber|number|securitynumber|cvv|expiration|email|.*email|name|holdername|buyername|street|zipcode|body)$/i

/** Secrets and personal data that may hide inside a free-text value (an error message, a URL). */
const SCRUBS: readonly [RegExp, string][] = [
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '[email]'],
  [/\b(?:\d[ -]?){12,18}\d\b/g, '[card]'],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[jwt]'],
  [/\beyJ[\w=+/-]{16,}/g, '[token]'],
  [/\bsig_\w+/g, 'sig_***'],
  [/(Bearer\s+)\S+/gi, '$1***'],
  [/([?&](?:token|authToken|key|secret)=)[^&\s]+/gi, '$1***'],
]

export function scrubText(text: string): string {
  return SCRUBS.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text)
}

/** Errors as plain data with their cause chain (messages scrubbed); secrets and PII removed from everything else. */
function clean(value: unknown, scrub: boolean, depth = 0): unknown {
  if (depth > 4) return '[…]'
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code
    return {
      name: value.name,
      message: scrub ? scrubText(value.message) : value.message,
      ...(code === undefined ? {} : { code }),
      ...(value.cause === undefined ? {} : { cause: clean(value.cause, scrub, depth + 1) }),
    }
  }
  if (typeof value === 'string') return scrub ? scrubText(value) : value
  if (Array.isArray(value)) return value.map((v) => clean(v, scrub, depth + 1))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, scrub && SECRET_KEY.test(k) && v !== undefined && v !== null ? '[redacted]' : clean(v, scrub, depth + 1)]),
    )
  }
  return value
}

function pretty(level: LogLevel, time: string, message: string, fields: Record<string, unknown>): string {
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join(' ')
  return `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${message}${rest ? ` ${rest}` : ''}`
}

/**
 * A small structured logger: JSON lines (`{"time","level","msg",…fields}`) or readable lines for a
 * terminal. Above `debug`, fields named like a secret or personal data are `[redacted]` and free
 * text is scrubbed of emails, card numbers, JWTs, signing keys and bearer tokens.
 *
 * @example
 * const logger = createLogger({ level: 'info' })
 * logger.info('relay sweep', { published: 3, failed: 0 })
 */
export function createLogger(
  options: { level?: LogLevel; format?: 'json' | 'pretty'; write?: (line: string, level: LogLevel) => void; clock?: () => string } = {},
): Logger {
  const { level = 'info', format = 'json', clock = () => new Date().toISOString() } = options
  const write = options.write ?? ((line: string, at: LogLevel) => (RANK[at] >= RANK.warn ? console.error(line) : console.log(line)))
  const threshold = RANK[level] ?? RANK.info
  const log =
    (at: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (RANK[at] < threshold) return
      const cleaned = clean(fields, at !== 'debug') as Record<string, unknown>
      const time = clock()
      write(format === 'json' ? JSON.stringify({ time, level: at, msg: message, ...cleaned }) : pretty(at, time, message, cleaned), at)
    }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

/**
 * `LOG_LEVEL` (default `info`), `LOG_FORMAT` (`json` or `pretty`): JSON lines in production and
 * whenever the output is not a terminal, readable lines on a TTY in development.
 */
export function loggerFromEnv(env: Readonly<Record<string, string | undefined>>, isTTY = false): Logger {
  const level = (['debug', 'info', 'warn', 'error'] as const).find((l) => l === env.LOG_LEVEL?.toLowerCase()) ?? 'info'
  const format = env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty' ? env.LOG_FORMAT : env.NODE_ENV !== 'production' && isTTY ? 'pretty' : 'json'
  return createLogger({ level, format })
}
