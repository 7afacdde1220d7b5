ALTER TABLE "participants" ADD COLUMN "answered" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "seats_taken" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A participant that ever responded or voted has answered; a session's taken seats are those present and those gone after answering.
UPDATE "participants" p SET "answered" = true
 WHERE EXISTS (SELECT 1 FROM "user_responses" r WHERE r."participant_id" = p."id")
    OR EXISTS (SELECT 1 FROM "response_votes" v WHERE v."participant_id" = p."id");--> statement-breakpoint
UPDATE "sessions" s SET "seats_taken" = (
  SELECT count(*) FROM "participants" p WHERE p."session_id" = s."id" AND (p."removed_at" IS NULL OR p."answered")
);
