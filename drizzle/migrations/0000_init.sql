CREATE TABLE `catalog_items` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`price_cents` integer NOT NULL,
	`stock` integer NOT NULL,
	`reserved` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "catalog_items_stock" CHECK("catalog_items"."reserved" >= 0 AND "catalog_items"."reserved" <= "catalog_items"."stock")
);
--> statement-breakpoint
CREATE TABLE `catalog_reservations` (
	`order_id` text NOT NULL,
	`product_id` text NOT NULL,
	`units` integer NOT NULL,
	PRIMARY KEY(`order_id`, `product_id`)
);
--> statement-breakpoint
CREATE TABLE `notifications_mailbox` (
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
CREATE INDEX `notifications_mailbox_buyer` ON `notifications_mailbox` (`buyer_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `ordering_buyers` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ordering_orders` (
	`id` text PRIMARY KEY NOT NULL,
	`buyer_id` text NOT NULL,
	`status` text NOT NULL,
	`total` integer NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL,
	`started_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ordering_orders_buyer` ON `ordering_orders` (`buyer_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `ordering_orders_started` ON `ordering_orders` (`started_at`);--> statement-breakpoint
CREATE TABLE `payment_transactions` (
	`order_id` text PRIMARY KEY NOT NULL,
	`transaction_id` text NOT NULL,
	`status` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `domain_events` (
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
CREATE UNIQUE INDEX `domain_events_id_unique` ON `domain_events` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `domain_events_stream` ON `domain_events` (`aggregate_type`,`aggregate_id`,`aggregate_version`);--> statement-breakpoint
CREATE INDEX `domain_events_type_time` ON `domain_events` (`type`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `domain_events_time` ON `domain_events` (`occurred_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer NOT NULL,
	`response` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `inbox` (
	`event_id` text NOT NULL,
	`subscriber` text NOT NULL,
	`event_type` text NOT NULL,
	`received_at` text NOT NULL,
	PRIMARY KEY(`event_id`, `subscriber`)
);
--> statement-breakpoint
CREATE TABLE `occ_guard` (
	`x` integer NOT NULL,
	CONSTRAINT "occ_guard_never" CHECK("occ_guard"."x" = 0)
);
--> statement-breakpoint
CREATE TABLE `outbox` (
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
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);