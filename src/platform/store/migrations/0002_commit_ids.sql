ALTER TABLE `domain_events` ADD `commit_id` text;--> statement-breakpoint
ALTER TABLE `inbox` ADD `commit_id` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `commit_id` text;