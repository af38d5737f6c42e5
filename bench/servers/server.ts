/** What every server under test is: the app's fetch, optional bench-only control routes, and a close. */
export interface ServerUnderTest {
  fetch(request: Request): Response | Promise<Response>
  /** Answers `/__bench/<path>` with JSON. */
  control?(path: string): unknown | Promise<unknown>
  close(): void | Promise<void>
}
