CREATE TABLE `delivery_log` (
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
CREATE INDEX `delivery_log_event` ON `delivery_log` (`event_id`);--> statement-breakpoint
CREATE INDEX `delivery_log_correlation` ON `delivery_log` (`correlation_id`);--> statement-breakpoint
CREATE INDEX `delivery_log_subject` ON `delivery_log` (`subject`);