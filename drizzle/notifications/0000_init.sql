CREATE TABLE IF NOT EXISTS `notifications_mailbox` (
	`id` text PRIMARY KEY NOT NULL,
	`buyer_id` text NOT NULL,
	`recipient` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`event_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `notifications_mailbox_buyer` ON `notifications_mailbox` (`buyer_id`,`created_at`);