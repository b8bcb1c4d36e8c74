# The control plane image: gateway, simulator and (later) the control-plane service, one CLI.
# docker build -t pyairtable-sre:0.1.0 .   then   docker run pyairtable-sre:0.1.0 gateway
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20.20.2-bookworm-slim
# NODE_OPTIONS: the gateway's runtime flags (src/gateway/node-flags.ts; a test keeps the two equal).
ENV NODE_ENV=production SRE_STATE_DIR=/var/lib/sre NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY slo ./slo
RUN mkdir -p /var/lib/sre && chown node:node /var/lib/sre
USER node
ENTRYPOINT ["node", "bin/sre.js"]
CMD ["gateway"]
