DROP INDEX "participants_session_nickname_key";--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "nickname_skeleton" text;--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "nickname_skeleton_lower" text;--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "nickname_skeleton_upper" text;--> statement-breakpoint
CREATE UNIQUE INDEX "participants_session_skeleton_key" ON "participants" USING btree ("session_id","nickname_skeleton") WHERE "participants"."removed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "participants_session_skeleton_lower_key" ON "participants" USING btree ("session_id","nickname_skeleton_lower") WHERE "participants"."removed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "participants_session_skeleton_upper_key" ON "participants" USING btree ("session_id","nickname_skeleton_upper") WHERE "participants"."removed_at" is null;