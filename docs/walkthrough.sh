#!/usr/bin/env bash
# A whole session over REST with curl and jq: a poll with live results, a moderated Q&A with
# upvotes, a timed quiz with its leaderboard, and the CSV export.
#
#   pnpm start                                   # prints: export CAJA_TOKEN=...
#   CAJA_TOKEN=... bash docs/walkthrough.sh      # CAJA_API defaults to http://localhost:3000/api
#
# apps/server/test/walkthrough.test.ts runs this very file against a fresh server, so it stays true.
set -euo pipefail
API=${CAJA_API:-http://localhost:3000/api}
: "${CAJA_TOKEN:?set CAJA_TOKEN to an admin token (pnpm start prints one)}"
OUT=${CAJA_WALKTHROUGH_OUT:-.}

# call METHOD PATH [BODY] [TOKEN]: prints the JSON answer; any status >= 400 stops the walkthrough.
call() {
  local method=$1 path=$2 body=${3:-} token=${4:-$CAJA_TOKEN}
  local args=(-sS --fail-with-body -X "$method" -H "authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'content-type: application/json' -d "$body")
  curl "${args[@]}" "$API$path"
}
admin() { call "$@"; }
as() { local token=$1; shift; call "$1" "$2" "${3:-}" "$token"; }
step() { printf '\n== %s\n' "$*"; }

step "The facilitator creates a session and opens it"
session=$(admin POST /v1/sessions '{"title":"All hands"}')
S=$(jq -r .id <<<"$session")
CODE=$(jq -r .join_code <<<"$session")
admin PATCH "/v1/sessions/$S/status" '{"status":"active"}' >/dev/null
echo "session $S, join code $CODE"

step "Three participants join by code"
join() {
  curl -sS --fail-with-body -X POST "$API/v1/sessions/join" -H 'content-type: application/json' \
    -d "{\"join_code\":\"$CODE\",\"nickname\":\"$1\"}" | jq -r .token
}
ANA=$(join Ana)
BEN=$(join Ben)
CLEO=$(join Cleo)
echo "Ana, Ben and Cleo are in"

step "A poll: everyone votes, Ben changes his mind, the results follow"
POLL=$(admin POST "/v1/sessions/$S/activities" \
  '{"type":"poll","config":{"question":"Lunch?","options":["pizza","sushi","salad"]}}' | jq -r .id)
admin PATCH "/v1/activities/$POLL/status" '{"status":"active"}' >/dev/null
vote() { as "$1" POST "/v1/sessions/$S/activities/$POLL/responses" "{\"response_data\":{\"selected_options\":[\"$2\"]}}" >/dev/null; }
vote "$ANA" pizza
vote "$BEN" sushi
vote "$CLEO" pizza
vote "$BEN" pizza # a second answer replaces the first: single mode
admin GET "/v1/sessions/$S/activities/$POLL/results" | jq -c '{response_count, options: [.results.options[] | {option, count}]}'

step "A moderated Q&A: questions wait for approval, others upvote"
QA=$(admin POST "/v1/sessions/$S/activities" '{"type":"qa","config":{"prompt":"Ask us anything","moderation":true}}' | jq -r .id)
admin PATCH "/v1/activities/$QA/status" '{"status":"active"}' >/dev/null
ask() { as "$1" POST "/v1/sessions/$S/activities/$QA/responses" "{\"response_data\":{\"question_text\":\"$2\"}}"; }
Q1=$(ask "$ANA" "When is the next offsite?" | jq -r .id)
Q2=$(ask "$CLEO" "Buy my crypto, win big" | jq -r .id)
echo "Ben sees $(as "$BEN" GET "/v1/sessions/$S/activities/$QA/responses" | jq '.items | length') questions before moderation"
admin PATCH "/v1/sessions/$S/activities/$QA/responses/$Q1/moderation" '{"status":"approved"}' | jq -c '{id, status}'
admin PATCH "/v1/sessions/$S/activities/$QA/responses/$Q2/moderation" '{"status":"rejected"}' | jq -c '{id, status}'
as "$BEN" POST "/v1/sessions/$S/activities/$QA/responses/$Q1/votes" | jq -c .
as "$CLEO" POST "/v1/sessions/$S/activities/$QA/responses/$Q1/votes" | jq -c .
admin GET "/v1/sessions/$S/activities/$QA/results" | jq -c '{response_count, results}'

step "A quiz with a time limit: answers are scored, the leaderboard adds up the points"
QUIZ=$(admin POST "/v1/sessions/$S/activities" \
  '{"type":"quiz","config":{"question":"2 + 2?","options":["3","4","5"],"correct_options":["4"],"points":10,"time_limit_s":60}}' | jq -r .id)
admin PATCH "/v1/activities/$QUIZ/status" '{"status":"active"}' | jq -c '{status, ends_at}'
answer() { as "$1" POST "/v1/sessions/$S/activities/$QUIZ/responses" "{\"response_data\":{\"selected_options\":[\"$2\"]}}" >/dev/null; }
answer "$ANA" 4
answer "$BEN" 3
answer "$CLEO" 4
admin PATCH "/v1/activities/$QUIZ/status" '{"status":"completed"}' >/dev/null
as "$BEN" GET "/v1/sessions/$S/leaderboard" | jq -c '[.entries[] | {rank, nickname, points}]'

step "Export every response of the session as CSV"
curl -sS --fail-with-body -H "authorization: Bearer $CAJA_TOKEN" -o "$OUT/caja-session-$S.csv" \
  "$API/v1/sessions/$S/export?format=csv"
echo "$(($(wc -l <"$OUT/caja-session-$S.csv") - 1)) rows in $OUT/caja-session-$S.csv"
