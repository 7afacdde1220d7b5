import { QRCodeSVG } from "qrcode.react";

/** The join code, large enough to read across a room, and a QR code of the join link. */
export function JoinPanel(props: { joinCode: string; participants: number; active?: number; open: boolean }) {
  const joinUrl = `${window.location.origin}/join/${encodeURIComponent(props.joinCode)}`;
  const shortUrl = `${window.location.host}/join`;
  return (
    <section className="card join-panel" aria-labelledby="join-heading">
      <h2 id="join-heading">{props.open ? "Join at" : "Session ended"}</h2>
      {props.open && (
        <>
          <p className="join-url">{shortUrl}</p>
          <p className="join-code-label">with the code</p>
          <p className="join-code mono" data-testid="join-code" aria-label={`Join code ${props.joinCode.split("").join(" ")}`}>
            {props.joinCode}
          </p>
          <figure className="qr" data-join-url={joinUrl}>
            <QRCodeSVG value={joinUrl} size={200} marginSize={2} title={`QR code of the join link ${joinUrl}`} />
            <figcaption>
              or scan, or open <a href={joinUrl}>{joinUrl}</a>
            </figcaption>
          </figure>
        </>
      )}
      <p className="participants" role="status" aria-live="polite">
        <strong data-testid="participant-count">{props.participants}</strong> joined
        {props.active !== undefined && <span className="muted"> · {props.active} online</span>}
      </p>
    </section>
  );
}
