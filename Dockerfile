# syntax=docker/dockerfile:1
# Caja's production image: node and the artifact of scripts/build-artifact.sh, which CI builds and
# runs natively with the same script (apps/server/test/artifact.test.ts). README, Deploy: this
# image itself has not been built on the machines Caja is developed and tested on (no Docker there).
#
#   docker build -t caja .
#   docker run --rm -e DATABASE_URL=postgres://... caja caja migrate
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://... -e JWT_SECRET=... caja

# Pinned to the Node release CI runs on; pin by digest as well (@sha256:...) once pulled.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# The pnpm version package.json names (packageManager), as .ci/run installs it.
COPY package.json ./
RUN npm install -g "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")"
# The store from the lockfile alone: this layer is rebuilt only when dependencies change.
COPY pnpm-lock.yaml pnpm-workspace.yaml .pnpmfile.cjs ./
COPY patches ./patches
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN scripts/build-artifact.sh /app

FROM ${NODE_IMAGE}
# tRPC and other libraries take their production path (no stack traces in errors) on this.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    CAJA_DATA_DIR=/data
WORKDIR /app
# The code belongs to root and is only read by the server's user; it writes nowhere but /data
# (the embedded database and generated secret, when no DATABASE_URL and JWT_SECRET are set).
COPY --from=build /app /app
RUN ln -s /app/dist/cli.js /usr/local/bin/caja \
    && mkdir /data && chown node:node /data
USER node
EXPOSE 3000
VOLUME /data
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/dist/healthcheck.js"]
# node is PID 1 here and handles SIGTERM itself: it drains in-flight requests (SHUTDOWN_TIMEOUT_MS,
# 8 s) and exits 0 within about 10 s, inside the 10 s `docker stop` waits before SIGKILL.
CMD ["node", "dist/main.js"]
