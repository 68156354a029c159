# The same two commands CI runs (npm ci, npm run build) and the same entry script the tests run (dist/main.js).
FROM node:20-bookworm-slim
WORKDIR /airbyte/integration_code
COPY package.json package-lock.json tsconfig.json spec.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund && npm run build
ENV AIRBYTE_ENTRYPOINT="node /airbyte/integration_code/dist/main.js"
ENTRYPOINT ["node", "/airbyte/integration_code/dist/main.js"]
LABEL io.airbyte.name=source-customer-io
LABEL io.airbyte.version=0.1.0
USER node
