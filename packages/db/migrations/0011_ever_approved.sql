ALTER TABLE "user_responses" ADD COLUMN "ever_approved" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Rows approved now were seen; a row rejected or pending now may have been approved before, which
-- was not recorded: its followers had their tombstone when it changed, a new follower never saw it.
UPDATE "user_responses" SET "ever_approved" = true WHERE "status" = 'approved';