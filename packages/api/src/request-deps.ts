import type { ActivityRegistry } from "@caja/activities";
import type { Database } from "@caja/db";
import type { TokenService } from "./auth/tokens";
import type { ReadThroughCache } from "./cache";
import type { ApiDeps, ApiSettings } from "./context";
import type { RateLimiter } from "./ratelimit";
import type { Presence } from "./services/presence";
import type { SeatCheck } from "./services/seats";

/**
 * One request's view of the process's `ApiDeps`: the same services, and a database whose
 * queries carry the request's deadline. That database is built on first use, so a poll
 * answered from the cache builds none. A class with a getter per member, not a spread:
 * a poll's path reads these members many times, and copying them per request costs more.
 * Never spread it either (`{ ...deps }` copies no getter): name the members wanted.
 */
export class RequestDeps implements ApiDeps {
  private bound: Database | undefined;

  constructor(
    private readonly base: ApiDeps,
    private readonly deadline: number,
  ) {}

  get db(): Database {
    return (this.bound ??= this.base.dbWithDeadline ? this.base.dbWithDeadline(this.deadline) : this.base.db);
  }
  get cache(): ReadThroughCache {
    return this.base.cache;
  }
  get activityTypes(): ActivityRegistry {
    return this.base.activityTypes;
  }
  get tokens(): TokenService {
    return this.base.tokens;
  }
  get limiter(): RateLimiter {
    return this.base.limiter;
  }
  get presence(): Presence {
    return this.base.presence;
  }
  get seats(): SeatCheck {
    return this.base.seats;
  }
  get settings(): ApiSettings {
    return this.base.settings;
  }
  get pollIntervalMs(): (() => number) | undefined {
    return this.base.pollIntervalMs;
  }
  get dbWithDeadline(): ((deadline: number) => Database) | undefined {
    return this.base.dbWithDeadline;
  }
}
