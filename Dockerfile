# Two stages: the build uses every dependency (TypeScript and its types); the image ships only what runs:
# dist/, spec.json, the stream schemas (read at run time from src/customerio/schemas, see src/resources.ts)
# and the production node_modules (DuckDB's native binding included, for `sync`).
#
# The base is the official node:20-bookworm-slim pinned by the digest of its manifest list, so a rebuild gets
# the same bytes and a re-pushed tag cannot change the image unseen. It tracks Node 20 because the tests run on
# Node 20 (README "Security"); Node 20 is past its end of life (2026-04-30): moving to a newer line is a change
# of NODE_IMAGE that needs its own run of the image test (test/image). NODE_IMAGE is a build argument so that a
# machine that cannot pull from Docker Hub can build on a local stand-in of the same tag (the image test does:
# test/helpers/container.ts) — that image is then not the pinned one.
# [inferred] The digest is the one public repositories pin for node:20-bookworm-slim; Docker Hub is not reachable
# from where it was written: check it with `docker buildx imagetools inspect node:20-bookworm-slim` when bumping.
ARG NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund
COPY spec.json ./
COPY src ./src
# The sandbox, the benchmarks and the demo are development tools: no command of the image imports them
# (test/unit/runtime-files.test.ts checks that).
RUN npm run build && rm -rf dist/sandbox dist/bench dist/demo

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /airbyte/integration_code
# package.json says "type": "module" (dist/ is ES modules); spec.json also marks the root that src/resources.ts finds.
COPY package.json spec.json ./
COPY src/customerio/schemas ./src/customerio/schemas
COPY --from=production-dependencies /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
ENV AIRBYTE_ENTRYPOINT="node /airbyte/integration_code/dist/main.js"
ENTRYPOINT ["node", "/airbyte/integration_code/dist/main.js"]
LABEL io.airbyte.name=source-customer-io
LABEL io.airbyte.version=0.1.0

# The reporting-webhook receiver (`serve-webhooks`, docs/webhooks.md) runs from the same image: it listens on 8080
# and keeps its store in /data/webhooks, made here for user node so a named volume mounted there is writable
# (`-v cio-webhooks:/data/webhooks`). No VOLUME instruction: every `read` and `check` of a platform runs this image
# too, and would leave an anonymous volume behind each run.
ENV CIO_WEBHOOK_STORE_DIR=/data/webhooks
RUN mkdir -p /data/webhooks && chown node:node /data/webhooks && chmod 750 /data/webhooks
EXPOSE 8080
# Healthy while the receiver's /healthz answers 200 (node, the slim image has no curl); a container running any other
# command has no receiver and passes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["node", "/airbyte/integration_code/dist/webhooks/healthcheck.js"]
USER node
