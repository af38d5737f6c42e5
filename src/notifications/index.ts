// Notifications' public API: the context module and the type of its queries.
export * from './notifications.ts'
