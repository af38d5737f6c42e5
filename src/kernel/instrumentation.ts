/**
 * Where telemetry enters the kernel. The kernel imports nothing but zod, so it never calls a
 * tracing or metrics library itself: the toolkit passes an implementation in (Herald's is built
 * on `@opentelemetry/api`, see src/platform/telemetry) and the kernel calls these hooks at the
 * points only it can see. Every hook is optional; without one the kernel runs the work directly.
 */

/** W3C trace context (`traceparent`, `tracestate`) of the span that caused a recorded message. */
export interface TraceContext {
  readonly traceparent: string
  readonly tracestate?: string
}

export type TelemetryAttributes = Readonly<Record<string, string | number | boolean>>

/** The running command as the instrumentation sees it. */
export interface CommandTelemetry {
  /** Adds what is known once an attempt ran (aggregate type/id, attempt number). */
  annotate(attributes: TelemetryAttributes): void
  /** An attempt lost a race; `retrying` is false when it was the last attempt allowed. */
  conflict(attempt: number, retrying: boolean): void
}

/**
 * @example
 * new CommandRunner({ ...deps, instrumentation: otelInstrumentation() })
 */
export interface Instrumentation {
  /** Wraps a whole command, every attempt included; `name` is empty for an anonymous command. */
  command?<R>(name: string, run: (command: CommandTelemetry) => Promise<R>): Promise<R>
  /** Wraps the one atomic commit of an attempt. */
  commit?<R>(statementCount: number, run: () => Promise<R>): Promise<R>
  /** Wraps one in-transaction handler's run for one event. */
  handler?(
    name: string,
    event: { readonly type: string; readonly aggregateType: string; readonly aggregateId: string },
    run: () => void | Promise<void>,
  ): void | Promise<void>
  /** The trace context to stamp on what the unit of work records now (integration events, jobs). */
  traceContext?(): TraceContext | undefined
}
