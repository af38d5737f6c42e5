CREATE TABLE `members` (
	`id` text PRIMARY KEY NOT NULL,
	`returns` integer NOT NULL,
	`late_returns` integer NOT NULL,
	`unknown_returns` integer NOT NULL,
	`suspended_at` text
);
