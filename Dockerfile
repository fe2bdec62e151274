# The aksim operator image (manifests/deploy/operator.yaml runs it as aksim:dev).
#   docker build -t aksim:dev .        # then: kind load docker-image aksim:dev
# These machines have no container engine, so this file is not built in CI here; it uses only
# what the repository already builds (npm ci, tsc) and bin/aksim.js runs dist/ when present.

# 1. Dependencies and the TypeScript build.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY controllers ./controllers
COPY web ./web
RUN node_modules/.bin/tsc -p tsconfig.json \
 && test -f dist/src/main.js \
 && node_modules/.bin/vite build --config web/console/vite.config.ts --logLevel warn \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error

# 2. Runtime: production dependencies, compiled JavaScript, the entry point. No tsx, no sources.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The image's `node` user, by number so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "bin/aksim.js"]
CMD ["operator"]
