# One image for every cqfleet service; SERVICE picks which one a container runs
# (simulator | session | history | media | gateway).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY proto proto
COPY packages packages
COPY services services
COPY bench bench
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/proto proto
COPY --from=build /app/packages packages
COPY --from=build /app/services services
USER node
CMD ["sh", "-c", "exec node services/${SERVICE:?set SERVICE}/dist/main.js"]
