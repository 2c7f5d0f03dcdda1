FROM node:20-bookworm-slim

WORKDIR /app

# Manifests first, so the dependency layer is rebuilt only when they change.
# Dev dependencies stay: the services run TypeScript through tsx.
COPY package.json package-lock.json ./
COPY domain/package.json domain/
COPY server/package.json server/
COPY workers/package.json workers/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
RUN npm run build:web

# The code stays owned by root, so the running service cannot rewrite it.
USER node
ENV HOST=0.0.0.0
EXPOSE 8080
CMD ["npx", "tsx", "server/src/server.ts"]
