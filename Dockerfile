# syntax=docker/dockerfile:1
# The operator image. The chart's default, ghcr.io/training-operator/training-operator:<version>, is
# this file built at the release tag (docs/install.md, "The image"):
#   docker build -t ghcr.io/training-operator/training-operator:0.1.0 .
#
# No compile step: bin/training-operator.js runs the TypeScript sources through tsx, a runtime
# dependency, exactly as `npx training-operator` does in a checkout. The build stage type-checks and
# smoke-tests them, so an image is never built from sources that would not start.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc --noEmit \
 && node bin/training-operator.js install-manifests > /dev/null

# Production dependencies only: no TypeScript compiler, linters or test tools in the image.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
# From the build stage: the sources it checked (and a dependency that makes BuildKit run that stage).
# package.json says "type": "module"; tsconfig.json is read by tsx; crds/ by `validate` and `crds`.
COPY --from=build /src/package.json /src/tsconfig.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/src ./src
COPY --from=build /src/generated ./generated
COPY --from=build /src/crds ./crds
# A numeric user, so that runAsNonRoot can verify it without an /etc/passwd entry (the chart runs as
# 65532:65532 with a read-only root file system and an emptyDir on /tmp).
USER 65532:65532
ENTRYPOINT ["node", "bin/training-operator.js"]
CMD ["run"]
