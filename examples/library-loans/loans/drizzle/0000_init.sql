CREATE TABLE `loan_suspensions` (
	`member_id` text PRIMARY KEY NOT NULL,
	`suspended_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `loans` (
	`id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`book_id` text NOT NULL,
	`status` text NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `loans_member` ON `loans` (`member_id`);