DROP INDEX "participants_session_nickname_key";--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "token_id" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "removed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "joins_locked" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "participants_session_nickname_key" ON "participants" USING btree ("session_id",lower("nickname")) WHERE "participants"."removed_at" is null;