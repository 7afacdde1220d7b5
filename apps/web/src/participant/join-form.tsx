import { cajaErrorCode } from "@caja/client";
import { useJoinSession } from "@caja/client/react";
import { useId, useState, type FormEvent } from "react";
import { describeError } from "../shared/errors";
import { NicknameStatus, SessionPreview, useJoinChecks } from "./join-checks";
import type { ParticipantIdentity } from "./participant-app";

const reasons: Record<string, string> = {
  NICKNAME_TAKEN: "Someone in this session already uses that nickname: pick another.",
  NOT_FOUND: "No open session has that code. Check it with the presenter.",
  SESSION_FULL: "This session is full.",
  SESSION_CLOSED: "This session has ended.",
  JOINS_LOCKED: "The presenter has closed this session to new participants.",
};

export function JoinForm(props: { initialCode: string; notice: string | null; onJoined(identity: ParticipantIdentity): void }) {
  const [code, setCode] = useState(props.initialCode.toUpperCase());
  const [nickname, setNickname] = useState("");
  const join = useJoinSession({ adoptToken: false });
  const checks = useJoinChecks(code, nickname);
  const id = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (checks.blocked) return;
    const joinCode = code.trim().toUpperCase();
    join.mutate(
      { join_code: joinCode, nickname: nickname.trim() },
      {
        onSuccess: (result) =>
          props.onJoined({
            token: result.token,
            session_id: result.session.id,
            session_title: result.session.title,
            participant_id: result.participant.id,
            nickname: result.participant.nickname,
            join_code: joinCode,
          }),
      },
    );
  };
  const code_ = join.error ? cajaErrorCode(join.error) : undefined;

  return (
    <main className="page narrow participant">
      <h1 tabIndex={-1}>Join a session</h1>
      {props.notice && (
        <p className="notice" role="alert">
          {props.notice}
        </p>
      )}
      <form className="card" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-code`}>Code</label>
          <input
            id={`${id}-code`}
            className="code-input mono"
            value={code}
            onChange={(e) => setCode(e.target.value.toUpperCase())}
            autoCapitalize="characters"
            autoComplete="off"
            spellCheck={false}
            maxLength={12}
            required
            aria-describedby={`${id}-preview`}
          />
          <SessionPreview id={`${id}-preview`} checks={checks} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-nickname`}>Your nickname</label>
          <input
            id={`${id}-nickname`}
            value={nickname}
            onChange={(e) => setNickname(e.target.value)}
            autoComplete="nickname"
            maxLength={50}
            required
            autoFocus={Boolean(props.initialCode)}
            aria-invalid={checks.nickname.state === "taken" || checks.nickname.state === "invalid"}
            aria-describedby={`${id}-nickname-status`}
          />
          <NicknameStatus id={`${id}-nickname-status`} check={checks.nickname} />
        </div>
        {join.error && (
          <p className="error" role="alert">
            {(code_ && reasons[code_]) ?? describeError(join.error)}
          </p>
        )}
        <button type="submit" className="primary wide" disabled={join.isPending || checks.blocked}>
          {join.isPending ? "Joining…" : "Join"}
        </button>
      </form>
    </main>
  );
}
