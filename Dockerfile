# syntax=docker/dockerfile:1
# The operator image. The chart's default, ghcr.io/training-operator/training-operator:<version>, is
# this file built at the release tag (docs/install.md, "The image"):
#   docker build -t ghcr.io/training-operator/training-operator:0.1.0 .
#
# The image runs the compiled JavaScript (dist/) with plain node; no TypeScript at run time. The build
# stage type-checks everything, compiles, and smoke-tests the compiled command line, so an image is
# never built from sources that would not start.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds dist/, and the sources are not copied yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npx tsc --noEmit \
 && npm run build \
 && node bin/training-operator.js install-manifests > /dev/null

# Production dependencies only: no TypeScript compiler, linters or test tools in the image. None of
# them needs an install script, and `prepare` would need the compiler.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
# From the build stage: the compiled output and what it reads at run time. package.json says
# "type": "module" and gives the version; crds/ is read by `validate` and `crds`. No src/: without it
# bin/training-operator.js has no sources to compare dist/ with.
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/crds ./crds
# A numeric user, so that runAsNonRoot can verify it without an /etc/passwd entry (the chart runs as
# 65532:65532 with a read-only root file system and an emptyDir on /tmp).
USER 65532:65532
# The node options of bin/training-operator.js's first line (test/unit/runtime.test.ts keeps them equal).
ENTRYPOINT ["node", "--max-semi-space-size=8", "bin/training-operator.js"]
CMD ["run"]
