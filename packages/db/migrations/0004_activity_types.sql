CREATE TABLE "idempotency_keys" (
	"participant_id" integer NOT NULL,
	"key" varchar(255) NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"status_code" smallint NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_participant_id_key_pk" PRIMARY KEY("participant_id","key")
);
--> statement-breakpoint
CREATE TABLE "response_votes" (
	"response_id" uuid NOT NULL,
	"participant_id" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "response_votes_response_id_participant_id_pk" PRIMARY KEY("response_id","participant_id")
);
--> statement-breakpoint
DROP INDEX "user_responses_activity_participant_key";--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "private_config" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "response_mode" varchar(10) DEFAULT 'single' NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "max_responses_per_participant" integer;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "results_visible" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "min_responses_to_show" integer;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "ends_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "user_responses" ADD COLUMN "single_answer" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "user_responses" ADD COLUMN "status" varchar(10) DEFAULT 'approved' NOT NULL;--> statement-breakpoint
ALTER TABLE "user_responses" ADD COLUMN "vote_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "user_responses" ADD COLUMN "deleted_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_votes" ADD CONSTRAINT "response_votes_response_id_user_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."user_responses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_votes" ADD CONSTRAINT "response_votes_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "response_votes_participant_idx" ON "response_votes" USING btree ("participant_id");--> statement-breakpoint
CREATE INDEX "user_responses_activity_participant_created_idx" ON "user_responses" USING btree ("activity_id","participant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "user_responses_activity_participant_key" ON "user_responses" USING btree ("activity_id","participant_id") WHERE "user_responses"."single_answer";--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_response_mode_check" CHECK ("activities"."response_mode" in ('single', 'multiple'));--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_max_responses_check" CHECK ("activities"."max_responses_per_participant" is null or "activities"."max_responses_per_participant" > 0);--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_min_responses_check" CHECK ("activities"."min_responses_to_show" is null or "activities"."min_responses_to_show" >= 1);--> statement-breakpoint
ALTER TABLE "user_responses" ADD CONSTRAINT "user_responses_status_check" CHECK ("user_responses"."status" in ('approved', 'pending', 'rejected'));