CREATE TABLE IF NOT EXISTS `ordering_buyers` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `ordering_orders` (
	`id` text PRIMARY KEY NOT NULL,
	`buyer_id` text NOT NULL,
	`status` text NOT NULL,
	`total` integer NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL,
	`started_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `ordering_orders_buyer` ON `ordering_orders` (`buyer_id`,`started_at`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `ordering_orders_started` ON `ordering_orders` (`started_at`);