CREATE TABLE "sign_in_codes" (
	"selector" varchar(32) PRIMARY KEY NOT NULL,
	"secret_hash" varchar(64) NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
