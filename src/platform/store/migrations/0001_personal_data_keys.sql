CREATE TABLE IF NOT EXISTS `personal_data_keys` (
	`subject` text PRIMARY KEY NOT NULL,
	`key` blob NOT NULL,
	`created_at` text NOT NULL
);
