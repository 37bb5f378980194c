# Revela batch worker (LibRaw native decoder included). Build from the repository root:
#   docker build -f docker/batch-worker.Dockerfile -t revela-batch-worker .
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libraw-bin && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production SCRATCH_DIR=/scratch
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir /scratch && chown node /scratch
USER node
CMD ["node", "dist/apps/batch-worker/src/main.js"]
