CREATE TABLE IF NOT EXISTS `payment_transactions` (
	`order_id` text PRIMARY KEY NOT NULL,
	`transaction_id` text NOT NULL,
	`status` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`created_at` text NOT NULL
);
