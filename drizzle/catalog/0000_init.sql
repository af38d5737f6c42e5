CREATE TABLE IF NOT EXISTS `catalog_items` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`price_cents` integer NOT NULL,
	`stock` integer NOT NULL,
	`reserved` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "catalog_items_stock" CHECK("catalog_items"."reserved" >= 0 AND "catalog_items"."reserved" <= "catalog_items"."stock")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `catalog_orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	CONSTRAINT "catalog_orders_state" CHECK("catalog_orders"."state" IN ('reserved', 'closed'))
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `catalog_reservations` (
	`order_id` text NOT NULL,
	`product_id` text NOT NULL,
	`units` integer NOT NULL,
	PRIMARY KEY(`order_id`, `product_id`)
);
