CREATE TABLE "activities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" integer NOT NULL,
	"type" varchar(50) NOT NULL,
	"title" varchar(255) NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"order_index" integer NOT NULL,
	"status" varchar(20) DEFAULT 'draft' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp (3) with time zone,
	"completed_at" timestamp (3) with time zone,
	CONSTRAINT "activities_status_check" CHECK ("activities"."status" in ('draft', 'active', 'completed'))
);
--> statement-breakpoint
CREATE TABLE "activity_response_counters" (
	"activity_id" uuid NOT NULL,
	"shard" smallint NOT NULL,
	"response_count" integer DEFAULT 0 NOT NULL,
	"last_response_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "activity_response_counters_activity_id_shard_pk" PRIMARY KEY("activity_id","shard")
);
--> statement-breakpoint
CREATE TABLE "participants" (
	"id" serial PRIMARY KEY NOT NULL,
	"session_id" integer NOT NULL,
	"nickname" varchar(50) NOT NULL,
	"joined_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" serial PRIMARY KEY NOT NULL,
	"title" varchar(255) NOT NULL,
	"description" text,
	"status" varchar(20) DEFAULT 'draft' NOT NULL,
	"join_code" varchar(12) NOT NULL,
	"max_participants" integer DEFAULT 1000 NOT NULL,
	"participant_count" integer DEFAULT 0 NOT NULL,
	"current_activity_id" uuid,
	"created_by" varchar(255) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp (3) with time zone,
	"completed_at" timestamp (3) with time zone,
	CONSTRAINT "sessions_status_check" CHECK ("sessions"."status" in ('draft', 'active', 'completed')),
	CONSTRAINT "sessions_max_participants_check" CHECK ("sessions"."max_participants" > 0)
);
--> statement-breakpoint
CREATE TABLE "user_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" integer NOT NULL,
	"activity_id" uuid NOT NULL,
	"participant_id" integer NOT NULL,
	"response_data" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_response_counters" ADD CONSTRAINT "activity_response_counters_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participants" ADD CONSTRAINT "participants_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_current_activity_id_activities_id_fk" FOREIGN KEY ("current_activity_id") REFERENCES "public"."activities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_responses" ADD CONSTRAINT "user_responses_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_responses" ADD CONSTRAINT "user_responses_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_responses" ADD CONSTRAINT "user_responses_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activities_session_order_idx" ON "activities" USING btree ("session_id","order_index");--> statement-breakpoint
CREATE UNIQUE INDEX "participants_session_nickname_key" ON "participants" USING btree ("session_id",lower("nickname"));--> statement-breakpoint
CREATE INDEX "participants_session_seen_idx" ON "participants" USING btree ("session_id","last_seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_join_code_key" ON "sessions" USING btree ("join_code");--> statement-breakpoint
CREATE INDEX "sessions_created_by_idx" ON "sessions" USING btree ("created_by","id");--> statement-breakpoint
CREATE UNIQUE INDEX "user_responses_activity_participant_key" ON "user_responses" USING btree ("activity_id","participant_id");--> statement-breakpoint
CREATE INDEX "user_responses_feed_idx" ON "user_responses" USING btree ("activity_id","txid","id");--> statement-breakpoint
CREATE INDEX "user_responses_activity_updated_idx" ON "user_responses" USING btree ("activity_id","updated_at");--> statement-breakpoint
CREATE INDEX "user_responses_participant_idx" ON "user_responses" USING btree ("participant_id");