CREATE TABLE `catalog_orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	CONSTRAINT "catalog_orders_state" CHECK("catalog_orders"."state" IN ('reserved', 'closed'))
);
