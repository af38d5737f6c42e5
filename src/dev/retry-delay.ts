/**
 * QStash's `Upstash-Retry-Delay`: an arithmetic expression in milliseconds over the variable
 * `retried` (retries done before the failed attempt, so 0 for the first retry), e.g.
 * `1000 * pow(2, retried)`. Parsed by a tiny recursive-descent parser: the header comes from the
 * network, so it must never reach `eval`/`Function`.
 *
 * Grammar: expr := term (('+'|'-') term)* ; term := unary (('*'|'/'|'%') unary)* ;
 * unary := '-' unary | '+' unary | primary ; primary := number | 'retried' | fn '(' args ')' | '(' expr ')'
 */

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'var' }
  | { kind: 'neg'; arg: Node }
  | { kind: 'bin'; op: string; left: Node; right: Node }
  | { kind: 'call'; fn: string; args: Node[] }

const FUNCTIONS: Record<string, { arity: [number, number]; apply: (args: number[]) => number }> = {
  pow: { arity: [2, 2], apply: ([a, b]) => (a ?? 0) ** (b ?? 0) },
  sqrt: { arity: [1, 1], apply: ([a]) => Math.sqrt(a ?? 0) },
  abs: { arity: [1, 1], apply: ([a]) => Math.abs(a ?? 0) },
  exp: { arity: [1, 1], apply: ([a]) => Math.exp(a ?? 0) },
  floor: { arity: [1, 1], apply: ([a]) => Math.floor(a ?? 0) },
  ceil: { arity: [1, 1], apply: ([a]) => Math.ceil(a ?? 0) },
  round: { arity: [1, 1], apply: ([a]) => Math.round(a ?? 0) },
  min: { arity: [1, Infinity], apply: (args) => Math.min(...args) },
  max: { arity: [1, Infinity], apply: (args) => Math.max(...args) },
}

export class RetryDelayError extends Error {}

/** Parses once (at publish time, so a bad header is a 400) into a reusable evaluator. */
export function parseRetryDelay(source: string): (retried: number) => number {
  const tokens = tokenize(source)
  let pos = 0
  const peek = () => tokens[pos]
  const take = () => tokens[pos++]
  const expect = (token: string) => {
    if (take() !== token) throw new RetryDelayError(`expected '${token}' in retry delay "${source}"`)
  }

  const expr = (): Node => {
    let left = term()
    while (peek() === '+' || peek() === '-') {
      const op = take() as string
      left = { kind: 'bin', op, left, right: term() }
    }
    return left
  }
  const term = (): Node => {
    let left = unary()
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = take() as string
      left = { kind: 'bin', op, left, right: unary() }
    }
    return left
  }
  const unary = (): Node => {
    if (peek() === '-') {
      take()
      return { kind: 'neg', arg: unary() }
    }
    if (peek() === '+') {
      take()
      return unary()
    }
    return primary()
  }
  const primary = (): Node => {
    const token = take()
    if (token === undefined) throw new RetryDelayError(`unexpected end of retry delay "${source}"`)
    if (token === '(') {
      const inner = expr()
      expect(')')
      return inner
    }
    if (/^[0-9.]/.test(token)) {
      const value = Number(token)
      if (!Number.isFinite(value)) throw new RetryDelayError(`bad number '${token}' in retry delay`)
      return { kind: 'num', value }
    }
    if (token === 'retried') return { kind: 'var' }
    const fn = FUNCTIONS[token]
    if (fn) {
      expect('(')
      const args: Node[] = []
      if (peek() !== ')') {
        args.push(expr())
        while (peek() === ',') {
          take()
          args.push(expr())
        }
      }
      expect(')')
      if (args.length < fn.arity[0] || args.length > fn.arity[1]) {
        throw new RetryDelayError(`wrong number of arguments to ${token}() in retry delay`)
      }
      return { kind: 'call', fn: token, args }
    }
    throw new RetryDelayError(`unexpected '${token}' in retry delay "${source}"`)
  }

  const ast = expr()
  if (pos !== tokens.length) throw new RetryDelayError(`unexpected '${peek()}' in retry delay "${source}"`)
  return (retried) => {
    const value = evaluate(ast, retried)
    // A NaN/negative/infinite delay would stall or spin the loop: clamp to [0, 1 day].
    return Number.isFinite(value) ? Math.min(Math.max(value, 0), 86_400_000) : 0
  }
}

function tokenize(source: string): string[] {
  const tokens: string[] = []
  const pattern = /\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_]\w*)|([-+*/%(),]))/y
  let index = 0
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break
    pattern.lastIndex = index
    const match = pattern.exec(source)
    if (!match) throw new RetryDelayError(`invalid character in retry delay "${source}" at ${index}`)
    tokens.push((match[1] ?? match[2] ?? match[3]) as string)
    index = pattern.lastIndex
  }
  if (tokens.length === 0) throw new RetryDelayError('empty retry delay')
  return tokens
}

function evaluate(node: Node, retried: number): number {
  switch (node.kind) {
    case 'num':
      return node.value
    case 'var':
      return retried
    case 'neg':
      return -evaluate(node.arg, retried)
    case 'call':
      return (FUNCTIONS[node.fn] as (typeof FUNCTIONS)[string]).apply(node.args.map((arg) => evaluate(arg, retried)))
    case 'bin': {
      const left = evaluate(node.left, retried)
      const right = evaluate(node.right, retried)
      if (node.op === '+') return left + right
      if (node.op === '-') return left - right
      if (node.op === '*') return left * right
      if (node.op === '/') return left / right
      return left % right
    }
  }
}

/**
 * QStash's default backoff: `min(86400, e^(2.5·n))` seconds where n is the retry number
 * (1 for the first retry): ≈12 s, 2 min 28 s, 30 min, 6 h, then capped at a day.
 */
export function defaultBackoffMs(retryNumber: number): number {
  return Math.min(86_400, Math.exp(2.5 * retryNumber)) * 1000
}

const parsed = new Map<string, (retried: number) => number>()

/**
 * Delay before the next retry in ms (unscaled). `retried` is the failed attempt's
 * `Upstash-Retried`: the expression sees it as is, the default backoff uses the retry number
 * `retried + 1`.
 */
export function retryDelayMs(expression: string | undefined, retried: number): number {
  if (expression === undefined) return defaultBackoffMs(retried + 1)
  let evaluate = parsed.get(expression)
  if (!evaluate) {
    evaluate = parseRetryDelay(expression)
    if (parsed.size >= 1000) parsed.clear() // expressions come from the network: keep the cache bounded
    parsed.set(expression, evaluate)
  }
  return evaluate(retried)
}
