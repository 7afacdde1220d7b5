import { Link } from "../router";
import { usePresenterAuth } from "./presenter-app";

export function PresenterHeader({ children }: { children?: React.ReactNode }) {
  const { signOut } = usePresenterAuth();
  return (
    <header className="topbar">
      <Link href="/present" className="brand">
        Caja
      </Link>
      <div className="topbar-end">
        {children}
        <button type="button" className="link-button" onClick={() => signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
