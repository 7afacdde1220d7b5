import { ParticipantApp } from "./participant/participant-app";
import { PresenterApp } from "./presenter/presenter-app";
import { Link, useLocation } from "./router";

/** `/join[/CODE]` and `?code=` are the participant's; `/present[/ID]` the presenter's; `/` lets you pick. */
export function App() {
  const location = useLocation();
  const path = location.pathname.replace(/\/+$/, "") || "/";
  const joinMatch = /^\/join(?:\/([^/]+))?$/.exec(path);
  const code = location.searchParams.get("code");
  if (joinMatch || (path === "/" && code)) {
    return <ParticipantApp initialCode={joinMatch?.[1] ? decodeURIComponent(joinMatch[1]) : (code ?? "")} />;
  }
  const presentMatch = /^\/present(?:\/(\d+))?$/.exec(path);
  if (presentMatch) return <PresenterApp sessionId={presentMatch[1] ? Number(presentMatch[1]) : undefined} />;
  if (path === "/") return <Home />;
  return (
    <main className="page narrow">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <Link href="/">Back to the start</Link>
      </p>
    </main>
  );
}

function Home() {
  return (
    <main className="page narrow home">
      <h1 tabIndex={-1}>Caja</h1>
      <p className="lead">Live polls, word clouds, Q&amp;A and quizzes for a room of people.</p>
      <nav aria-label="Choose a screen" className="choices">
        <Link className="choice" href="/join">
          <strong>Join a session</strong>
          <span>You have a code from the presenter</span>
        </Link>
        <Link className="choice" href="/present">
          <strong>Present</strong>
          <span>Run a session and see the answers live</span>
        </Link>
      </nav>
    </main>
  );
}
