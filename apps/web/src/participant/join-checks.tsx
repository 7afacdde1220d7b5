import { cajaErrorCode, type CajaClientError, type JoinPreview } from "@caja/client";
import { useJoinPreview, useNicknameCheck, type NicknameCheck } from "@caja/client/react";
import { describeError } from "../shared/errors";

/** Generated codes are six characters: a shorter one is still being typed, and a lookup would only say 404. */
const MIN_CODE_LENGTH = 6;

export interface JoinChecks {
  preview: { data: JoinPreview | undefined; error: CajaClientError | null; asking: boolean };
  nickname: NicknameCheck;
  /** A join would surely be refused: the session takes no one now, or the nickname is taken. */
  blocked: boolean;
}

/** What the join screen knows before joining: the session behind the code, and whether the nickname is free. */
export function useJoinChecks(code: string, nickname: string): JoinChecks {
  const trimmed = code.trim();
  const lookup = trimmed.length >= MIN_CODE_LENGTH ? trimmed : null;
  const preview = useJoinPreview(lookup);
  const check = useNicknameCheck(lookup && preview.data ? lookup : null, nickname);
  const data = lookup ? preview.data : undefined;
  return {
    preview: { data, error: lookup ? preview.error : null, asking: Boolean(lookup) && preview.isPending },
    nickname: check,
    blocked: (data !== undefined && !data.accepts_joins) || check.state === "taken",
  };
}

const stateLabel: Record<JoinPreview["status"], string> = {
  draft: "Not started yet: you can join and wait",
  active: "Live now",
  completed: "Ended",
};

/** The session behind the typed code, announced politely as it is found. */
export function SessionPreview({ id, checks }: { id: string; checks: JoinChecks }) {
  const { data, error } = checks.preview;
  return (
    <div id={id} className="join-preview" aria-live="polite">
      {data ? (
        <div className="card inset" data-testid="join-preview">
          <p className="preview-title">{data.title}</p>
          <p className="muted">{stateLabel[data.status]}</p>
          {!data.accepts_joins && (
            <p className="error" data-testid="join-closed">
              {data.status === "completed"
                ? "This session has ended: it takes no new participants."
                : "This session is not taking new participants right now (it is full, or the presenter closed it)."}
            </p>
          )}
        </div>
      ) : error ? (
        <p className={cajaErrorCode(error) === "NOT_FOUND" ? "error" : "hint"}>
          {cajaErrorCode(error) === "NOT_FOUND" ? "No session has that code. Check it with the presenter." : describeError(error)}
        </p>
      ) : null}
    </div>
  );
}

/** Whether the nickname is free, as the user types. */
export function NicknameStatus({ id, check }: { id: string; check: NicknameCheck }) {
  const text =
    check.state === "taken"
      ? `“${check.nickname}” is taken in this session: pick another.`
      : check.state === "available"
        ? `“${check.nickname}” is free.`
        : check.state === "invalid"
          ? `That nickname can't be used: it ${check.reason}.`
          : check.state === "checking"
            ? "Checking…"
            : "";
  const tone = check.state === "taken" || check.state === "invalid" ? "error" : check.state === "available" ? "ok" : "hint";
  return (
    <p id={id} className={`nickname-status ${tone}`} aria-live="polite" data-state={check.state}>
      {text}
    </p>
  );
}
