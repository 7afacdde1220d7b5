import { useEffect, useState } from "react";

/**
 * Time left until `endsAt` (a quiz's time limit), ticking once a second. The remaining seconds
 * are not announced every tick (a screen reader would talk over everything); "Time is up" is.
 */
export function Countdown({ endsAt }: { endsAt: string }) {
  const end = Date.parse(endsAt);
  const [now, setNow] = useState(() => Date.now());
  const left = Math.max(0, Math.ceil((end - now) / 1000));
  useEffect(() => {
    if (left === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [left]);
  if (left === 0)
    return (
      <p className="countdown countdown-over" role="status">
        Time is up
      </p>
    );
  return (
    <p className="countdown" role="timer" aria-live="off" data-testid="countdown">
      <strong>{left}</strong> s left
    </p>
  );
}
