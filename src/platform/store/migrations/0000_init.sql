CREATE TABLE IF NOT EXISTS `domain_events` (
	`position` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`aggregate_type` text NOT NULL,
	`aggregate_id` text NOT NULL,
	`aggregate_version` integer NOT NULL,
	`type` text NOT NULL,
	`schema_version` integer NOT NULL,
	`data` text NOT NULL,
	`correlation_id` text NOT NULL,
	`causation_id` text,
	`occurred_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS `domain_events_id_unique` ON `domain_events` (`id`);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS `domain_events_stream` ON `domain_events` (`aggregate_type`,`aggregate_id`,`aggregate_version`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `domain_events_type_time` ON `domain_events` (`type`,`occurred_at`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `domain_events_time` ON `domain_events` (`occurred_at`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `domain_events_correlation` ON `domain_events` (`correlation_id`);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer NOT NULL,
	`response` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `inbox` (
	`event_id` text NOT NULL,
	`subscriber` text NOT NULL,
	`event_type` text NOT NULL,
	`received_at` text NOT NULL,
	PRIMARY KEY(`event_id`, `subscriber`)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `occ_guard` (
	`x` integer NOT NULL,
	CONSTRAINT "occ_guard_never" CHECK("occ_guard"."x" = 0)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`topic` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`not_before` text,
	`next_attempt_at` text NOT NULL,
	`lease_until` text,
	`last_error` text,
	`message_id` text,
	`created_at` text NOT NULL,
	`published_at` text
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `outbox_due` ON `outbox` (`status`,`next_attempt_at`);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `delivery_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`target` text NOT NULL,
	`message_id` text,
	`retried` integer DEFAULT 0 NOT NULL,
	`event_id` text,
	`event_type` text,
	`subject` text,
	`correlation_id` text,
	`causation_id` text,
	`status` integer NOT NULL,
	`outcome` text,
	`duration_ms` integer NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `delivery_log_event` ON `delivery_log` (`event_id`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `delivery_log_correlation` ON `delivery_log` (`correlation_id`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `delivery_log_subject` ON `delivery_log` (`subject`);